"""The ledger: passes and violations per rule, recorded without ending the test; SHOULD rules
fail a test only in strict mode; readings and blocks kept beside the verdicts."""

from __future__ import annotations

import pytest

from conformance.verdicts import Blocked, Ledger
from specs.catalogue import default_catalogue


def test_a_must_violation_is_recorded_and_the_check_returns() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    ledger.current_test = "t"
    assert ledger.check("TRANS-001", False, expected="HTTP 401", actual="HTTP 200") is False
    [violation] = ledger.evidence()["TRANS-001"].violations
    assert violation.rule.id == "TRANS-001"
    assert "expected HTTP 401; got HTTP 200" in str(violation)
    assert violation.test == "t"
    assert ledger.failing("t") == [violation]
    assert ledger.failing("another test") == []


def test_a_should_violation_fails_a_test_only_in_strict_mode() -> None:
    lenient = Ledger(default_catalogue(), strict=False)
    assert lenient.check("TRANS-040", False, expected="Z", actual="+00:00") is False
    assert len(lenient.evidence()["TRANS-040"].violations) == 1
    assert lenient.failing(None) == []
    strict = Ledger(default_catalogue(), strict=True)
    strict.check("TRANS-040", False, expected="Z", actual="+00:00")
    assert [v.rule.id for v in strict.failing(None)] == ["TRANS-040"]


def test_passes_are_counted_and_unknown_rules_refused() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    assert ledger.check("VER-001", True, expected="x", actual="x") is True
    ledger.check("VER-001", True, expected="x", actual="x")
    assert ledger.evidence()["VER-001"].passes == 2
    with pytest.raises(KeyError, match="unknown rule id"):
        ledger.check("VER-999", True, expected="x", actual="x")


def test_many_violations_of_one_rule_are_counted_and_a_few_kept() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    for n in range(100):
        ledger.check("TRANS-016", False, expected="echoed", actual=n)
    evidence = ledger.evidence()["TRANS-016"]
    assert evidence.violation_count == 100
    assert 0 < len(evidence.violations) < 100
    assert len(ledger.failing(None)) == 100


def test_readings_are_said_once_and_blocks_kept_per_rule() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    for _ in range(3):
        ledger.reading("VER-001", "a single Version read as a list of one")
    ledger.blocked("CMD-003", "timeout: nothing within 30 s")
    evidence = ledger.evidence()
    assert [r.text for r in evidence["VER-001"].readings] == [
        "a single Version read as a list of one"
    ]
    assert evidence["CMD-003"].blocked[0]["reason"] == "timeout: nothing within 30 s"
    assert evidence["CMD-003"].violations == []


def test_blocked_is_a_skip_for_pytest_and_says_why() -> None:
    blocked = Blocked("no usable version details")
    assert isinstance(blocked, pytest.skip.Exception)
    assert blocked.as_dict() == {"reason": "no usable version details", "exchange": None}
