"""Fuzzing (issue #16): every operation the target publishes, through schemathesis's own engine
(examples, coverage, fuzzing and stateful phases), with our registered token C.

Every request and answer is an exchange of the run, through the judge's transport checks; every
schemathesis check result is a verdict under its catalogue rule (`fuzzing.CHECK_RULES`). All
operations are fuzzed before the test fails, so one report shows every defect found.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from conformance import fuzzing
from conformance.binding import bind
from conformance.session import Judge
from conformance.suites.conftest import registered
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("fuzzing")


@pytest.mark.rule(*fuzzing.RULES)
def test_fuzz_every_operation(judge: Judge, endpoints: dict[str, str]) -> None:
    registration = registered(judge, reading=True)
    details = judge.details.exchange.url if judge.details is not None else None
    binding = bind(judge.config.role, registration.endpoint, judge.config.versions_url, details)
    for reason in binding.skipped:
        print(f"not fuzzed: {reason}")
    if not binding.operations:
        pytest.skip("the target publishes no operation of the role's document")
    profile = settings.get_current_profile_name()
    outcome = fuzzing.Fuzzer(judge, registration.token, profile).run(binding)
    for label, sent in sorted(outcome.sent.items()):
        print(f"{label}: {sent} sent")
    for note in dict.fromkeys(outcome.notes):
        print(f"note: {note}")
    if outcome.stop is not None:
        print(f"schemathesis stopped early: {outcome.stop}")
    if not outcome.sent:
        raise Blocked("no fuzzed request got an answer: " + "; ".join(outcome.notes[:3]))
