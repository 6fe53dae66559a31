"""The reference CPO's functional modules (one per OCPI module)."""
