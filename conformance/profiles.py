"""Hypothesis settings profiles shared by the suites and Plugfest's own tests.

`dev` is quick, `ci` is what CI and `nox -s conformance` run, `thorough` is for a long night.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("ci", max_examples=40, deadline=None, print_blob=True)
settings.register_profile(
    "thorough", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
