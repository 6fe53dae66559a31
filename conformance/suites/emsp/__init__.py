"""Suites that judge an eMSP: its Receivers, its Tokens Sender, its callbacks."""
