"""Object and status checks: verdicts from the YAML; no answer is no verdict."""

from __future__ import annotations

import pytest

from conformance.checks.objects import NoAnswer, check_object, check_status, refused
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.verdicts import Blocked, Ledger
from specs.catalogue import default_catalogue


def ledger() -> Ledger:
    return Ledger(default_catalogue(), strict=True)


def test_an_object_is_judged_by_the_yaml() -> None:
    good = {"version": "2.2.1", "url": "https://cpo.example/ocpi/2.2.1"}
    assert check_object(ledger(), "VER-001", good, "Version", None) is True
    judged = ledger()
    assert check_object(judged, "VER-001", {"version": "2.2.1"}, "Version", None) is False
    [violation] = judged.failing(None)
    assert "'url' is a required property" in violation.actual


def test_status_checks_compare_http_and_ocpi_codes() -> None:
    body = '{"status_code": 2001, "timestamp": "2026-01-01T00:00:00Z"}'
    exchange = Exchange(1, "GET", "https://t/x", {}, None, 200, {}, body)
    assert check_status(ledger(), "TRANS-038", exchange, http=200, ocpi=2001)
    judged = ledger()
    assert check_status(judged, "CRED-001", exchange, http=200, ocpi=1000) is False
    assert "expected HTTP 200 with OCPI 1000; got HTTP 200, OCPI 2001" in str(
        judged.failing(None)[0]
    )


def test_a_string_status_code_is_read_as_its_number() -> None:
    body = '{"status_code": "1000", "timestamp": "2026-01-01T00:00:00Z"}'
    exchange = Exchange(1, "GET", "https://t/x", {}, None, 200, {}, body)
    assert check_status(ledger(), "CRED-001", exchange, http=200, ocpi=1000)


def test_an_answer_without_envelope_is_judged_on_its_http_status_and_said_so() -> None:
    exchange = Exchange(1, "GET", "https://t/x", {}, None, 401, {}, '{"error": "no"}')
    judged = ledger()
    assert check_status(judged, "TRANS-001", exchange, http=401, ocpi=2000)
    [reading] = judged.evidence()["TRANS-001"].readings
    assert "HTTP status 401" in reading.text
    assert check_status(judged, "TRANS-001", exchange, http=200, ocpi=1000) is False


def test_no_answer_blocks_the_test_and_is_no_violation() -> None:
    unanswered = Exchange(1, "GET", "https://t/x", {}, None, None, error="ConnectError()")
    judged = ledger()
    with pytest.raises(NoAnswer, match="ConnectError") as caught:
        check_status(judged, "TRANS-001", unanswered, http=401)
    assert isinstance(caught.value, Blocked)
    assert judged.evidence() == {}


def _rules_failed(judged: Ledger) -> set[str]:
    return {v.rule.id for v in judged.failing(None)}


def test_text_is_judged_under_trans_041_beside_the_object_rule() -> None:
    location_id = {"version": "2.2.1", "url": "https://cpo.example/ocpi/2.2.1"}
    judged = ledger()
    assert check_object(judged, "VER-001", location_id, "Version", None)
    assert judged.evidence()["TRANS-041"].passes == 1
    tab = {"version": "2.2.1", "url": "https://cpo.example/ocpi/\t2.2.1"}
    judged = ledger()
    check_object(judged, "VER-001", tab, "Version", None)
    assert "TRANS-041" in _rules_failed(judged)
    [violation] = [v for v in judged.failing(None) if v.rule.id == "TRANS-041"]
    assert "$.url" in violation.actual
    assert "control character" in violation.actual


def test_a_cistring_outside_printable_ascii_breaks_trans_041() -> None:
    judged = ledger()
    check_object(judged, "TAR-011", {"id": "TARIFF-é"}, "Tariff", None)
    [violation] = [v for v in judged.failing(None) if v.rule.id == "TRANS-041"]
    assert "'TARIFF-é' is not printable ASCII" in violation.actual
    assert "TAR-011" in _rules_failed(judged)  # the object rule too: it is not a valid Tariff


def _unprocessable(status: int = 422) -> Exchange:
    body = '{"detail": "last_updated is required"}'
    return Exchange(1, "PATCH", "https://t/ocpi/emsp/2.2.1/locations/NL/ABC/L1", {}, None, status,
                    {}, body)  # fmt: skip


def test_a_framework_422_is_read_as_the_2001_it_stands_for_and_charged_to_trans_042() -> None:
    """HTTP 422 {"detail": ...} where OCPI 2001 is due: the rule asking for the refusal passes
    (said as a reading), the missing 2001 is TRANS-042's violation, with the exchange."""
    judged = ledger()
    exchange = _unprocessable()
    assert check_status(judged, "TRANS-038", exchange, http=(200, 400), ocpi=2001)
    [violation] = judged.failing(None)
    assert violation.rule.id == "TRANS-042"
    assert violation.exchange is exchange
    assert "HTTP 422" in violation.actual
    assert "last_updated is required" in violation.actual
    evidence = judged.evidence()
    assert evidence["TRANS-038"].passes == 1
    [reading] = evidence["TRANS-038"].readings
    assert "HTTP 422" in reading.text


def test_a_framework_422_fails_trans_042_itself_and_only_where_2001_is_due() -> None:
    judged = ledger()
    assert not check_status(judged, "TRANS-042", _unprocessable(), http=(200, 400), ocpi=2001)
    assert [v.rule.id for v in judged.failing(None)] == ["TRANS-042"]  # once, not twice
    judged = ledger()
    assert not check_status(judged, "CRED-001", _unprocessable(), http=200, ocpi=1000)
    assert [v.rule.id for v in judged.failing(None)] == ["CRED-001"]


def test_a_framework_422_is_a_refusal_and_charged_to_trans_042() -> None:
    judged = ledger()
    exchange = _unprocessable()
    assert refused(judged, "LOC-004", Reply(exchange, exchange.json()))
    assert [v.rule.id for v in judged.failing(None)] == ["TRANS-042"]
    assert judged.evidence()["LOC-004"].readings


def test_a_cistring_outside_printable_ascii_is_trans_041s_alone() -> None:
    judged = ledger()
    check_object(judged, "TOK-005", {"location_id": "LOC-é"}, "LocationReferences", None)
    assert _rules_failed(judged) == {"TRANS-041"}
