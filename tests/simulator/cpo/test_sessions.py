"""Sessions Sender (§9.2.1): paginated list (date_from optional, DIGEST 8.6) and charging
preferences (§9.4.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from simulator.cpo.catalog import Catalog
from simulator.cpo.seed import TARIFF_AC_CHEAP, TARIFF_AC_ENERGY, generate_tariffs
from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import OWN, key_of
from specs import contract
from tests.simulator.cpo.data_support import Cpo, crawl, running_cpo

SESSIONS = "/ocpi/cpo/2.2.1/sessions"


def session(n: int, moment: str, status: str = "ACTIVE", evse: str = "E1") -> dict[str, Any]:
    return {
        "country_code": "NL", "party_id": "PLF", "id": f"S{n}", "start_date_time": moment,
        "kwh": 1.5, "cdr_token": {"country_code": "DE", "party_id": "EMS", "uid": "AB12",
                                  "type": "RFID", "contract_id": "DE-EMS-C1"},
        "auth_method": "WHITELIST", "location_id": "LOC1", "evse_uid": evse,
        "connector_id": "1", "currency": "EUR", "status": status, "last_updated": moment,
    }  # fmt: skip


def location(t: str) -> dict[str, Any]:
    def evse(uid: str, capabilities: list[str]) -> dict[str, Any]:
        return {"uid": uid, "status": "CHARGING", "capabilities": capabilities, "last_updated": t,
                "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET",
                                "power_type": "AC_3_PHASE", "max_voltage": 230, "max_amperage": 32,
                                "tariff_ids": [TARIFF_AC_ENERGY, TARIFF_AC_CHEAP],
                                "last_updated": t}]}  # fmt: skip

    return {
        "country_code": "NL", "party_id": "PLF", "id": "LOC1", "publish": True,
        "address": "Coolsingel 40", "city": "Rotterdam", "country": "NLD",
        "coordinates": {"latitude": "51.922500", "longitude": "4.479170"},
        "time_zone": "Europe/Amsterdam", "last_updated": t,
        "evses": [evse("E1", ["CHARGING_PREFERENCES_CAPABLE", "CHARGING_PROFILE_CAPABLE"]),
                  evse("E2", ["REMOTE_START_STOP_CAPABLE"])],
    }  # fmt: skip


@pytest.fixture
async def sessions(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[Cpo, dict[str, str], list[dict[str, Any]]]]:
    """25 Sessions a minute apart, a Location with a capable (E1) and an incapable EVSE (E2)."""
    async with running_cpo(tmp_path, database_url) as cpo:
        headers = await cpo.register()
        start = cpo.clock.now() - timedelta(hours=1)
        catalog = Catalog(cpo.platform)
        for tariff in generate_tariffs("NL", "PLF", cpo.clock.now()):
            await catalog.put_tariff(tariff)
        await catalog.put_location(location(ocpi_datetime(start)))
        stored = []
        for n in range(25):
            status = "COMPLETED" if n == 3 else "ACTIVE"
            item = session(n, ocpi_datetime(start + timedelta(minutes=n)), status,
                           "E2" if n == 4 else "E1")  # fmt: skip
            assert contract.errors(item, "Session") == []
            await cpo.platform.documents.put(key_of("session", OWN, item), item)
            stored.append(item)
        yield cpo, headers, stored


async def test_list_without_date_from_pages_over_everything(
    sessions: tuple[Cpo, dict[str, str], list[dict[str, Any]]],
) -> None:
    cpo, headers, stored = sessions
    result = await crawl(cpo.client, SESSIONS, headers, "SessionListResponse", limit=4)
    assert [s["id"] for s in result.items] == [s["id"] for s in stored]
    assert result.pages == 7
    assert result.totals == {25}


async def test_date_window_is_inclusive_exclusive(
    sessions: tuple[Cpo, dict[str, str], list[dict[str, Any]]],
) -> None:
    cpo, headers, stored = sessions
    low, high = stored[5]["last_updated"], stored[15]["last_updated"]
    result = await crawl(cpo.client, SESSIONS, headers, "SessionListResponse",
                         date_from=low, date_to=high, limit=3)  # fmt: skip
    assert [s["id"] for s in result.items] == [f"S{n}" for n in range(5, 15)]
    assert result.totals == {10}


async def put_preferences(cpo: Cpo, headers: dict[str, str], session_id: str, body: Any) -> Any:
    return await cpo.client.put(
        f"{SESSIONS}/{session_id}/charging_preferences", json=body, headers=headers
    )


@pytest.mark.parametrize(
    ("session_id", "body", "answer"),
    [
        ("S1", {"profile_type": "REGULAR"}, "ACCEPTED"),
        ("s1", {"profile_type": "FAST", "energy_need": 20}, "PROFILE_TYPE_NOT_SUPPORTED"),
        ("S1", {"profile_type": "CHEAP"}, "DEPARTURE_REQUIRED"),
        ("S1", {"profile_type": "CHEAP", "departure_time": "2026-01-01T08:00:00Z"}, "ACCEPTED"),
        ("S1", {"profile_type": "REGULAR", "departure_time": "2025-01-01T08:00:00Z"},
         "NOT_POSSIBLE"),
        ("S3", {"profile_type": "REGULAR"}, "NOT_POSSIBLE"),
    ],
)  # fmt: skip
async def test_charging_preferences_answers(
    sessions: tuple[Cpo, dict[str, str], list[dict[str, Any]]],
    session_id: str,
    body: dict[str, Any],
    answer: str,
) -> None:
    cpo, headers, _ = sessions
    response = await put_preferences(cpo, headers, session_id, body)
    assert response.status_code == 200
    envelope = response.json()
    assert contract.errors(envelope, "ChargingPreferencesResponseEnvelope") == []
    assert envelope["data"] == answer


async def test_charging_preferences_errors(
    sessions: tuple[Cpo, dict[str, str], list[dict[str, Any]]],
) -> None:
    cpo, headers, _ = sessions
    incapable = await put_preferences(cpo, headers, "S4", {"profile_type": "REGULAR"})
    assert (incapable.status_code, incapable.json()["status_code"]) == (404, 2001)
    unknown = await put_preferences(cpo, headers, "S99", {"profile_type": "REGULAR"})
    assert (unknown.status_code, unknown.json()["status_code"]) == (404, 2000)
    for bad in ({}, {"profile_type": "SLOW"}, {"profile_type": "FAST", "energy_need": "lots"},
                {"profile_type": "FAST", "colour": "red"}, []):  # fmt: skip
        invalid = await put_preferences(cpo, headers, "S1", bad)
        assert (invalid.status_code, invalid.json()["status_code"]) == (200, 2001), bad
    not_json = await cpo.client.put(f"{SESSIONS}/S1/charging_preferences", content=b"{nope",
                                    headers=headers)  # fmt: skip
    assert not_json.status_code == 400
