"""Object and status checks: verdicts from the YAML; no answer is no verdict."""

from __future__ import annotations

import pytest

from conformance.checks.objects import NoAnswer, check_object, check_status
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
