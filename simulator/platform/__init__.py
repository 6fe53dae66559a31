"""What the reference CPO and the eMSP simulator share: one OCPI platform core.

Settings, clock, persistence, the OCPI transport (envelope, errors, authentication, request ids),
bootstrap tokens, the audit trail, versions and the credentials handshake in both directions.
"""
