"""The parties: the reference CPO and the eMSP simulator (Litestar apps). Imports `specs`."""
