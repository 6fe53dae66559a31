"""Suites that judge either role: versions, authentication, credentials, fuzzing."""
