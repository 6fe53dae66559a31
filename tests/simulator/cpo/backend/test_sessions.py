"""The charging backend with a FakeClock: swipes, the session lifecycle, the CDR, pushes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.cpo.pricing import price_cdr
from simulator.platform.clock import parse_ocpi_datetime
from tests.simulator.cpo.backend.harness import (
    AC,
    AC_POWER_KW,
    LOCATION_ID,
    TARIFF_ID,
    World,
    stamp,
    token,
    valid,
    world_fixture,  # noqa: F401 - the `world` fixture
)


async def swipe(world: World, uid: str = "RFID1", **extra: Any) -> dict[str, Any]:
    body = {
        "location_id": LOCATION_ID,
        "evse_uid": AC,
        "connector_id": "1",
        "token_uid": uid,
        "token_type": "RFID",
        **extra,
    }
    answer = await world.admin("POST", "swipe", body)
    assert answer.status_code == 200, answer.text
    outcome: dict[str, Any] = answer.json()
    return outcome


def authorization_info(uid: str, allowed: str = "ALLOWED") -> dict[str, Any]:
    return {
        "allowed": allowed,
        "token": token(uid, whitelist="NEVER"),
        "authorization_reference": f"REF-{uid}",
    }


async def test_lifecycle_kwh_cdr_and_pushes(world: World) -> None:
    await world.store_token(token("RFID1", whitelist="ALWAYS"))
    created = stamp(world)
    outcome = await swipe(world)
    assert outcome["allowed"] == "ALLOWED", outcome
    assert outcome["auth_method"] == "WHITELIST", outcome
    session_id = outcome["session_id"]
    assert world.emsp.find("POST", "/authorize") == []  # whitelisted: no real-time request

    pending = await world.session(session_id)
    assert pending["status"] == "PENDING"
    assert pending["start_date_time"] == created  # rule 49: creation time while PENDING

    await world.advance(2)
    assert (await world.session(session_id))["status"] == "PENDING"
    await world.advance(3)
    active = await world.session(session_id)
    assert active["status"] == "ACTIVE"
    assert active["start_date_time"] == stamp(world)  # rule 49: updated at PENDING -> ACTIVE
    started = parse_ocpi_datetime(active["start_date_time"])

    await world.advance(1800)
    half = await world.session(session_id)
    assert half["kwh"] == pytest.approx(AC_POWER_KW / 2)  # 11.04 kW for half an hour
    await world.advance(5400)  # crosses 02:00 and 03:00 local (01:00Z, 02:00Z): boundaries
    assert (await world.session(session_id))["kwh"] == pytest.approx(AC_POWER_KW * 2)

    unplug = await world.admin("POST", "unplug", {"session_id": session_id})
    assert unplug.status_code == 200, unplug.text
    done = await world.session(session_id)
    assert done["status"] == "COMPLETED"
    assert done["end_date_time"] == stamp(world)
    valid(done, "Session")

    events = await world.events()
    sessions = [e for e in events if e.module == "sessions"]
    assert sessions[0].method == "PUT"
    assert sessions[0].path == f"/NL/PLF/{session_id}"
    assert {e.method for e in sessions[1:]} == {"PATCH"}
    patches = [json.loads(e.body or "{}") for e in sessions[1:]]
    for patch in patches:
        valid(patch, "SessionPatch")
        assert "last_updated" in patch
    # PATCH appends periods (§9.2.2.3): together they are the stored list, none repeated.
    appended = [p for patch in patches for p in patch.get("charging_periods", [])]
    assert appended == done["charging_periods"]
    assert [(e.method, e.path) for e in events if e.module == "locations"] == [
        ("PATCH", f"/NL/PLF/{LOCATION_ID}/{AC}"),  # CHARGING
        ("PATCH", f"/NL/PLF/{LOCATION_ID}/{AC}"),  # AVAILABLE
    ]

    (cdr_event,) = [e for e in events if e.module == "cdrs"]
    assert (cdr_event.method, cdr_event.path) == ("POST", "")
    cdr = valid(json.loads(cdr_event.body or "{}"), "CDR")
    assert cdr["session_id"] == session_id
    assert cdr["cdr_token"] == done["cdr_token"]
    assert cdr["cdr_location"]["evse_uid"] == AC
    assert cdr["tariffs"][0]["id"] == TARIFF_ID
    starts = [p["start_date_time"] for p in cdr["charging_periods"]]
    # Split at the tariff's boundaries (rule 56).
    assert starts == ["2026-01-01T00:00:05Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]
    priced = price_cdr(
        cdr["tariffs"][0],
        cdr["charging_periods"],
        start=started,
        end=parse_ocpi_datetime(cdr["end_date_time"]),
        time_zone="Europe/Amsterdam",
    )
    for name, value in priced.items():
        assert cdr[name] == value, name
    assert cdr["total_energy"] == pytest.approx(AC_POWER_KW * 2)
    # 0.50 start fee; 02:00-03:00 local at 0.25/kWh, the remaining 3600 s at 0.35/kWh.
    expected = 0.50 + AC_POWER_KW * 0.35 + AC_POWER_KW * 0.25
    assert cdr["total_cost"]["excl_vat"] == pytest.approx(expected, abs=0.01)


async def test_energy_need_met_then_parking(world: World) -> None:
    await world.store_token(token("RFID1", whitelist="ALLOWED"))
    outcome = await swipe(world, energy_kwh=AC_POWER_KW / 4)  # 15 minutes of charging
    session_id = outcome["session_id"]
    await world.advance(5 + 3600)
    session = await world.session(session_id)
    assert session["kwh"] == pytest.approx(AC_POWER_KW / 4)
    await world.admin("POST", "unplug", {"session_id": session_id})
    (cdr_event,) = await world.events("cdrs")
    cdr = valid(json.loads(cdr_event.body or "{}"), "CDR")
    assert cdr["total_parking_time"] == pytest.approx(0.75, abs=1e-4)
    kinds = [[d["type"] for d in p["dimensions"]] for p in cdr["charging_periods"]]
    assert kinds[-1] == ["PARKING_TIME"]
    assert "total_parking_cost" in cdr


async def test_real_time_authorization_for_never_token(world: World) -> None:
    # rule 70: whitelist NEVER is asked for even when valid=false.
    await world.store_token(token("RFID2", whitelist="NEVER", valid=False))
    world.emsp.authorize = lambda uid, kind: authorization_info(uid)
    outcome = await swipe(world, "RFID2")
    assert outcome["allowed"] == "ALLOWED", outcome
    assert outcome["auth_method"] == "AUTH_REQUEST"
    (call,) = world.emsp.find("POST", "/tokens/RFID2/authorize")
    assert call.query == {"type": "RFID"}
    assert valid(call.body, "LocationReferences") == {"location_id": LOCATION_ID, "evse_uids": [AC]}
    assert call.authorization is not None
    assert call.authorization.startswith("Token ")
    session = await world.session(outcome["session_id"])
    assert session["auth_method"] == "AUTH_REQUEST"
    assert session["authorization_reference"] == "REF-RFID2"  # rule 50


async def test_real_time_authorization_refused_or_unknown(world: World) -> None:
    await world.store_token(token("RFID3", whitelist="NEVER"))
    world.emsp.authorize = lambda uid, kind: authorization_info(uid, "BLOCKED")
    assert (await swipe(world, "RFID3"))["allowed"] == "BLOCKED"
    world.emsp.authorize = lambda uid, kind: None  # 404 / 2004: unknown token
    outcome = await swipe(world, "UNKNOWN", country_code="DE", party_id="EMS")
    assert outcome["allowed"] == "NOT_ALLOWED"
    assert world.emsp.find("POST", "/tokens/UNKNOWN/authorize")
    assert world.backend.live == {}


async def test_evse_status_and_advance_admin(world: World) -> None:
    answer = await world.admin(
        "POST", "status", {"location_id": LOCATION_ID, "evse_uid": AC, "status": "OUTOFORDER"}
    )
    assert answer.status_code == 200, answer.text
    await world.store_token(token("RFID1"))
    assert (await swipe(world))["allowed"] == "EVSE_INOPERATIVE"
    bad = await world.admin(
        "POST", "status", {"location_id": LOCATION_ID, "evse_uid": AC, "status": "BROKEN"}
    )
    assert bad.status_code == 400
    unknown = await world.admin("POST", "unplug", {"session_id": "nope"})
    assert unknown.status_code == 404
    unauthorized = await world.client.post(
        f"{world.cpo.url}/admin/cpo/backend/advance", json={"seconds": 1}
    )
    assert unauthorized.status_code == 401
