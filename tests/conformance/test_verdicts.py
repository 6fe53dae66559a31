"""The ledger: passes and violations per rule; SHOULD graded apart unless strict."""

from __future__ import annotations

import pytest

from conformance.verdicts import Ledger, Violation
from specs.catalogue import default_catalogue


def test_must_violation_is_raised_and_recorded() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    with pytest.raises(Violation) as caught:
        ledger.check("TRANS-001", False, expected="HTTP 401", actual="HTTP 200")
    assert caught.value.rule.id == "TRANS-001"
    assert "expected HTTP 401; got HTTP 200" in str(caught.value)
    assert len(ledger.evidence()["TRANS-001"].violations) == 1


def test_should_violation_is_recorded_not_raised_unless_strict() -> None:
    lenient = Ledger(default_catalogue(), strict=False)
    assert lenient.check("TRANS-040", False, expected="Z", actual="+00:00") is False
    assert len(lenient.evidence()["TRANS-040"].violations) == 1
    strict = Ledger(default_catalogue(), strict=True)
    with pytest.raises(Violation):
        strict.check("TRANS-040", False, expected="Z", actual="+00:00")


def test_passes_are_counted_and_unknown_rules_refused() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    assert ledger.check("VER-001", True, expected="x", actual="x") is True
    ledger.check("VER-001", True, expected="x", actual="x")
    assert ledger.evidence()["VER-001"].passes == 2
    with pytest.raises(KeyError, match="unknown rule id"):
        ledger.check("VER-999", True, expected="x", actual="x")
