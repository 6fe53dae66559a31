"""Disputed verdicts: where OCPI 2.2.1 reads two ways (specs/ambiguities.yaml), a violation that
another reading accepts is recorded with that reading; a rule with only such violations is
`disputed`, apart from `failed`, and fails a run (and a test) only under --strict."""

from __future__ import annotations

import json

import pytest

from conformance.checks.objects import check_status
from conformance.exchange import Exchange
from conformance.results import exit_code, rule_status
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue


def _answer(http: int, status_code: int) -> Exchange:
    body = json.dumps({"status_code": status_code, "timestamp": "2026-12-06T10:00:00Z"})
    return Exchange(1, "GET", "https://t/x", {}, None, http, {}, body)


@pytest.mark.parametrize(
    ("rule", "http", "ocpi", "answer", "reading"),
    [
        ("TOK-005", 404, 2004, (200, 2004), "ocpi-status"),  # the maintainers' HTTP 200 style
        ("LOC-010", 404, None, (200, 2003), "ocpi-status"),
        ("CRED-003", 405, None, (401, 2000), "http-401"),  # ocpi/ocpi#441
        ("CRED-003", 405, None, (403, 2000), "http-401"),  # a 403 for the 401, as ever
        ("TOK-005", 404, 2004, (200, 1000), None),  # the unknown token authorized: no reading
        ("LOC-010", 404, None, (500, 3000), None),
        ("TRANS-001", 401, None, (200, 2000), None),  # no ambiguity at all
    ],
)  # fmt: skip
def test_check_status_finds_the_reading_that_accepts_the_answer(
    rule: str, http: int, ocpi: int | None, answer: tuple[int, int], reading: str | None
) -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    assert check_status(ledger, rule, _answer(*answer), http=http, ocpi=ocpi) is False
    [violation] = ledger.evidence()[rule].violations
    assert violation.dispute == reading
    if reading:
        assert violation.as_dict()["dispute"]["reading"] == reading
        assert violation.as_dict()["dispute"]["text"]


def test_a_disputed_violation_fails_its_test_only_under_strict() -> None:
    lenient = Ledger(default_catalogue(), strict=False)
    lenient.check("CRED-011", False, expected="401", actual="200", dispute="transition")
    assert lenient.failing(None) == []
    assert lenient.evidence()["CRED-011"].undisputed == 0
    strict = Ledger(default_catalogue(), strict=True)
    strict.check("CRED-011", False, expected="401", actual="200", dispute="transition")
    assert [v.rule.id for v in strict.failing(None)] == ["CRED-011"]


def test_only_a_reading_the_catalogue_names_can_dispute() -> None:
    ledger = Ledger(default_catalogue(), strict=False)
    with pytest.raises(ValueError, match="no other reading 'immediate'"):  # the applied one
        ledger.check("CRED-011", False, expected="x", actual="y", dispute="immediate")
    with pytest.raises(ValueError, match="TRANS-001 has no other reading"):
        ledger.check("TRANS-001", False, expected="x", actual="y", dispute="raw")


def test_a_rule_is_disputed_only_when_every_violation_is() -> None:
    common = {"passed": True, "applicable": True, "blocked": False, "errored": False,
              "skipped": False}  # fmt: skip
    assert rule_status(violated=True, disputed=True, **common) == "disputed"
    assert rule_status(violated=True, disputed=False, **common) == "failed"
    ledger = Ledger(default_catalogue(), strict=False)
    ledger.check("CRED-011", False, expected="401", actual="200", dispute="transition")
    ledger.check("CRED-011", False, expected="401", actual="500")
    assert ledger.evidence()["CRED-011"].undisputed == 1  # so: failed


def test_strict_counts_disputed_as_failed() -> None:
    rules = [{"id": "TOK-005", "level": "MUST", "status": "disputed"}]
    assert exit_code(rules, strict=False) == 0
    assert exit_code(rules, strict=True) == 1


def test_the_ambiguities_are_data_with_their_sources() -> None:
    ambiguous = {rule.id: rule.ambiguity for rule in default_catalogue() if rule.ambiguity}
    assert {"TRANS-004", "TRANS-005", "CRED-011", "LOC-013", "TOK-005", "TAR-006"} <= set(ambiguous)
    for rule_id, ambiguity in ambiguous.items():
        assert ambiguity.applied in ambiguity.readings, rule_id
        assert len(ambiguity.readings) >= 2, rule_id
        assert ambiguity.sources, rule_id
