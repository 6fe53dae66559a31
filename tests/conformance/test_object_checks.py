"""Object and status checks: verdicts from the YAML; no answer is no verdict."""

from __future__ import annotations

import pytest

from conformance.checks.objects import NoAnswer, check_object, check_status
from conformance.exchange import Exchange
from conformance.verdicts import Ledger, Violation
from specs.catalogue import default_catalogue


def ledger() -> Ledger:
    return Ledger(default_catalogue(), strict=True)


def test_an_object_is_judged_by_the_yaml() -> None:
    good = {"version": "2.2.1", "url": "https://cpo.example/ocpi/2.2.1"}
    assert check_object(ledger(), "VER-001", good, "Version", None) is True
    with pytest.raises(Violation, match="'url' is a required property"):
        check_object(ledger(), "VER-001", {"version": "2.2.1"}, "Version", None)


def test_status_checks_compare_http_and_ocpi_codes() -> None:
    body = '{"status_code": 2001, "timestamp": "2026-01-01T00:00:00Z"}'
    exchange = Exchange(1, "GET", "https://t/x", {}, None, 200, {}, body)
    assert check_status(ledger(), "TRANS-038", exchange, http=200, ocpi=2001)
    with pytest.raises(
        Violation, match="expected HTTP 200 with OCPI 1000; got HTTP 200, OCPI 2001"
    ):
        check_status(ledger(), "CRED-001", exchange, http=200, ocpi=1000)


def test_no_answer_is_an_error_not_a_violation() -> None:
    unanswered = Exchange(1, "GET", "https://t/x", {}, None, None, error="ConnectError()")
    with pytest.raises(NoAnswer, match="ConnectError"):
        check_status(ledger(), "TRANS-001", unanswered, http=401)
