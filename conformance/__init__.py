"""The judge: a pytest plugin and suites that test any OCPI 2.2.1 party reachable by URL.

Imports `specs`; reaches `simulator` only through `conformance.counterpart`.
"""
