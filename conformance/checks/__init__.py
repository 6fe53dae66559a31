"""Checks: small functions over exchanges that record a pass or raise a typed violation."""
