"""CDR-005 on credit CDRs (conformance/checks/cdrs.py): a new id naming the credited CDR, the
original's Session repeated with total_cost negated; the other cost parts read either way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.checks.cdrs import check_credit
from conformance.exchange import Exchange, Seen
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

ORIGINAL = {
    "country_code": "NL", "party_id": "PLF", "id": "CDR1", "session_id": "S1",
    "start_date_time": "2026-01-01T10:00:00Z", "end_date_time": "2026-01-01T11:00:00Z",
    "total_cost": {"excl_vat": 1.5, "incl_vat": 1.815}, "total_energy_cost": {"excl_vat": 1.0},
    "total_fixed_cost": {"excl_vat": 0.5, "incl_vat": 0.605}, "total_energy": 4.0,
}  # fmt: skip
CREDIT = {
    **ORIGINAL, "id": "CDR1-C", "credit": True, "credit_reference_id": "cdr1",
    "start_date_time": "2026-01-01T10:00:00.000Z",
    "total_cost": {"excl_vat": -1.5, "incl_vat": -1.815}, "total_energy_cost": {"excl_vat": -1.0},
    "total_fixed_cost": {"excl_vat": -0.5, "incl_vat": -0.605},
}  # fmt: skip


def _seen(cdr: dict[str, Any], exchange_id: int) -> Seen:
    exchange = Exchange(exchange_id, "POST", "http://judge.test/ocpi/emsp/2.2.1/cdrs", {},
                        json.dumps(cdr), 201, direction="in")  # fmt: skip
    return Seen(cdr, exchange, "pushed")


def _judge(credit: dict[str, Any], *originals: dict[str, Any]) -> Ledger:
    ledger = Ledger(default_catalogue(), strict=True)
    known = {s.key: s for s in (_seen(o, n) for n, o in enumerate(originals, 1))}
    check_credit(ledger, _seen(credit, 99), known)
    return ledger


def _readings(ledger: Ledger) -> list[str]:
    evidence = ledger.evidence().get("CDR-005")
    return [r.text for r in evidence.readings] if evidence else []


def test_a_credit_cdr_repeating_the_original_negated_passes() -> None:
    ledger = _judge(CREDIT, ORIGINAL)
    assert not ledger.failing(None)
    assert ledger.evidence()["CDR-005"].passes == 2
    assert _readings(ledger) == []  # every part negated: no reading needed


def test_cost_parts_repeated_unnegated_are_a_reading_not_a_failure() -> None:
    credit = {**CREDIT, "total_energy_cost": ORIGINAL["total_energy_cost"],
              "total_fixed_cost": ORIGINAL["total_fixed_cost"]}  # fmt: skip
    ledger = _judge(credit, ORIGINAL)
    assert not ledger.failing(None)
    assert ledger.evidence()["CDR-005"].passes == 2
    [reading] = _readings(ledger)
    assert "total_fixed_cost, total_energy_cost repeated as the original had them" in reading
    assert "negates total_cost only" in reading


@pytest.mark.parametrize(
    "change",
    [
        {"total_fixed_cost": None},  # left out
        {"total_time_cost": {"excl_vat": -0.1}},  # not in the original
        {"total_energy_cost": {"excl_vat": -0.7}},  # another amount
    ],
)
def test_cost_parts_neither_negated_nor_repeated_are_never_failed(
    change: dict[str, Any],
) -> None:
    credit = {k: v for k, v in {**CREDIT, **change}.items() if v is not None}
    ledger = _judge(credit, ORIGINAL)
    assert not ledger.failing(None)
    [reading] = _readings(ledger)
    assert "neither negated nor repeated, not judged" in reading
    assert next(iter(change)) in reading


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"total_cost": ORIGINAL["total_cost"]}, "total_cost"),  # kept positive
        ({"total_cost": {"excl_vat": -1.5}}, "total_cost"),  # incl_vat lost
        ({"total_cost": {"excl_vat": -1.0, "incl_vat": -1.21}}, "total_cost"),  # another amount
        ({"session_id": "S2"}, "session_id"),
        ({"end_date_time": "2026-01-01T12:00:00Z"}, "end_date_time"),
    ],
)
def test_a_credit_cdr_that_does_not_negate_the_total_cost_fails(
    change: dict[str, Any], why: str
) -> None:
    credit = {k: v for k, v in {**CREDIT, **change}.items() if v is not None}
    (violation,) = _judge(credit, ORIGINAL).failing(None)
    assert violation.rule.id == "CDR-005"
    assert why in violation.actual
    assert violation.exchange is not None
    assert violation.exchange.id == 99


def test_a_credit_cdr_must_name_another_cdr() -> None:
    for reference in (None, "CDR1-c"):
        credit = {**CREDIT, "credit_reference_id": reference}
        violations = _judge(credit, ORIGINAL).failing(None)
        assert [v.rule.id for v in violations] == ["CDR-005"], reference


def test_without_the_credited_cdr_only_the_sign_is_judged() -> None:
    assert not _judge(CREDIT).failing(None)
    positive = {**CREDIT, "total_cost": {"excl_vat": 1.5}}
    (violation,) = _judge(positive).failing(None)
    assert "total_cost" in violation.actual
