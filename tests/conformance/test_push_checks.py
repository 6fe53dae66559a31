"""Pushes to our Receivers (conformance/checks/pushes.py): each against the YAML, PATCHes with
last_updated and on the whole Session; and the objects rebuilt from the pushes, compared with
what the owner serves (TRANS-043) on the fields pushed."""

from __future__ import annotations

import copy
from typing import Any

from conformance.checks.pushes import Push, check_push, differences, replay
from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

PARTY = ("NL", "CPO")
T0, T1, T2 = "2026-01-01T10:00:00Z", "2026-01-01T10:05:00Z", "2026-01-01T10:09:00Z"
SESSION: dict[str, Any] = {
    "country_code": "NL", "party_id": "CPO", "id": "S1", "start_date_time": T0, "kwh": 0,
    "cdr_token": {"country_code": "NL", "party_id": "PFJ", "uid": "U1", "type": "APP_USER",
                  "contract_id": "NL-PFJ-U1"},
    "auth_method": "COMMAND", "location_id": "L1", "evse_uid": "E1", "connector_id": "1",
    "currency": "EUR", "status": "PENDING", "last_updated": T0,
}  # fmt: skip
PERIOD = {"start_date_time": T1, "dimensions": [{"type": "ENERGY", "volume": 1.5}]}


def _ledger() -> Ledger:
    return Ledger(default_catalogue(), strict=True)


def _violated(push: Push) -> set[str]:
    """The rules a push was found to break (recorded; the check goes on)."""
    ledger = _ledger()
    check_push(ledger, push)
    return {v.rule.id for v in ledger.failing(None)}


def _push(module: str, method: str, path: str, body: Any) -> Push:
    segments = tuple(path.split("/")) if path else ()
    exchange = Exchange(1, method, f"http://judge.test/{module}/{path}", {}, None, 200)
    return Push(module, method, segments, body, exchange)


def test_a_session_is_rebuilt_with_patches_appending_charging_periods() -> None:
    pushes = [
        _push("sessions", "PUT", "NL/CPO/S1", SESSION),
        _push("sessions", "PATCH", "NL/CPO/S1",
              {"status": "ACTIVE", "kwh": 1.5, "charging_periods": [PERIOD], "last_updated": T1}),
        _push("sessions", "PATCH", "NL/CPO/S1", {"status": "COMPLETED", "last_updated": T2}),
    ]  # fmt: skip
    rebuilt = replay(pushes)[("sessions", "NL", "CPO", "S1")]
    assert rebuilt is not None
    assert rebuilt["status"] == "COMPLETED"
    assert rebuilt["kwh"] == 1.5
    assert rebuilt["charging_periods"] == [PERIOD]  # kept: the last PATCH sent none (§9.2.2.3)
    served = {**rebuilt, "end_date_time": T2}  # a field never pushed does not count
    assert differences(rebuilt, served) == []
    stale = {**served, "status": "ACTIVE"}
    assert differences(rebuilt, stale) == ["status: pushed 'COMPLETED', served 'ACTIVE'"]


def test_evse_and_connector_patches_land_in_their_location() -> None:
    pushes = [
        _push("locations", "PATCH", "NL/CPO/L1/E1", {"status": "CHARGING", "last_updated": T1}),
        _push("locations", "PATCH", "NL/CPO/L1/E1/2", {"max_amperage": 16, "last_updated": T2}),
        _push("locations", "PATCH", "NL/CPO/L1/E1", {"status": "AVAILABLE", "last_updated": T2}),
    ]  # fmt: skip
    rebuilt = replay(pushes)[("locations", "NL", "CPO", "L1")]
    assert rebuilt == {
        "evses": [{"uid": "E1", "status": "AVAILABLE", "last_updated": T2,
                   "connectors": [{"id": "2", "max_amperage": 16, "last_updated": T2}]}],
        "last_updated": T2,  # a child's last_updated is its parents' (§8.2.2.2)
    }  # fmt: skip
    served = {"id": "L1", "last_updated": T2, "evses": [
        {"uid": "E0", "status": "AVAILABLE"},
        {"uid": "E1", "status": "AVAILABLE", "last_updated": T2, "capabilities": [],
         "connectors": [{"id": "1"}, {"id": "2", "max_amperage": 16, "last_updated": T2}]},
    ]}  # fmt: skip
    assert differences(rebuilt, served) == []
    served["evses"][1]["status"] = "CHARGING"
    assert differences(rebuilt, served) == [
        "evses[E1].status: pushed 'AVAILABLE', served 'CHARGING'"
    ]
    del served["evses"][1]
    assert differences(rebuilt, served) == ["evses[E1]: pushed, not served"]


def test_a_location_put_replaces_what_earlier_pushes_said() -> None:
    location = {"id": "L1", "evses": [{"uid": "E1", "status": "AVAILABLE"}], "last_updated": T2}
    pushes = [
        _push("locations", "PATCH", "NL/CPO/L1/E1", {"status": "CHARGING", "last_updated": T1}),
        _push("locations", "PUT", "NL/CPO/L1", location),
    ]
    assert replay(pushes)[("locations", "NL", "CPO", "L1")] == location


def test_cdrs_are_known_by_their_body_and_tariffs_can_be_deleted() -> None:
    cdr = {"country_code": "nl", "party_id": "cpo", "id": "c1", "total_cost": {"excl_vat": 1}}
    pushes = [
        _push("cdrs", "POST", "", cdr),
        _push("tariffs", "PUT", "NL/CPO/T1", {"id": "T1", "currency": "EUR"}),
        _push("tariffs", "DELETE", "NL/CPO/T1", None),
    ]
    state = replay(pushes)
    assert state[("cdrs", "NL", "CPO", "C1")] == cdr
    assert state[("tariffs", "NL", "CPO", "T1")] is None


def test_a_valid_push_passes_its_object_rule() -> None:
    ledger = _ledger()
    check_push(ledger, _push("sessions", "PUT", "NL/CPO/S1", SESSION))
    check_push(ledger, _push("sessions", "PATCH", "NL/CPO/S1",
                             {"status": "ACTIVE", "last_updated": T1}))  # fmt: skip
    evidence = ledger.evidence()
    assert evidence["SES-014"].passes == 2
    assert evidence["SES-003"].passes == 1
    assert evidence["SES-004"].passes == 1


def test_an_invalid_pushed_object_breaks_its_module_rule() -> None:
    broken = copy.deepcopy(SESSION)
    broken["status"] = "RUNNING"
    assert _violated(_push("sessions", "PUT", "NL/CPO/S1", broken)) == {"SES-014"}
    assert _violated(
        _push("locations", "PATCH", "NL/CPO/L1/E1", {"status": "BUSY", "last_updated": T1})
    ) == {"LOC-014"}


def test_a_patch_without_last_updated_or_on_an_inner_object_is_caught() -> None:
    patch = _push("locations", "PATCH", "NL/CPO/L1/E1", {"status": "BLOCKED"})
    assert "LOC-005" in _violated(patch)
    assert "SES-004" in _violated(
        _push("sessions", "PATCH", "NL/CPO/S1/charging_periods", {"last_updated": T1})
    )
