"""Suites that judge a CPO: its Senders, its Receivers, what it pushes."""
