"""Charging preferences (conformance/checks/sessions.py): taken at an EVSE that can use them
(SES-009), refused with 404 and OCPI 2001 at one that cannot (SES-010)."""

from __future__ import annotations

import json
from typing import Any

from conformance.checks.sessions import PREFERENCES_CAPABLE, check_preferences
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

URL = "https://cpo.test/ocpi/cpo/2.2.1/sessions/S1/charging_preferences"


def _reply(status: int, code: int, data: Any = None) -> Reply:
    body = {"status_code": code, "timestamp": "2026-01-01T00:00:00Z", "data": data}
    return Reply(Exchange(3, "PUT", URL, {}, "{}", status, {}, json.dumps(body)), body)


def _ledger() -> Ledger:
    return Ledger(default_catalogue(), strict=True)


def test_a_capable_evse_answers_a_charging_preferences_response() -> None:
    ledger = _ledger()
    check_preferences(ledger, _reply(200, 1000, "ACCEPTED"), {PREFERENCES_CAPABLE}, "E1")
    assert not ledger.failing(None)
    assert ledger.evidence()["SES-009"].passes >= 1
    assert ledger.evidence()["SES-010"].skipped
    ledger = _ledger()
    check_preferences(ledger, _reply(200, 1000, "MAYBE"), {PREFERENCES_CAPABLE}, "E1")
    assert [v.rule.id for v in ledger.failing(None)] == ["SES-009"]


def test_an_evse_without_the_capability_refuses_them() -> None:
    ledger = _ledger()
    check_preferences(ledger, _reply(404, 2001), {"RESERVABLE"}, "E1")
    assert not ledger.failing(None)
    assert ledger.evidence()["SES-009"].skipped
    ledger = _ledger()
    check_preferences(ledger, _reply(200, 1000, "ACCEPTED"), set(), "E1")
    assert {v.rule.id for v in ledger.failing(None)} == {"SES-010"}
