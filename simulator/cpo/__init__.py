"""The reference CPO: an OCPI 2.2.1 CPO platform on Litestar."""
