"""The catalogue (§8.1, §8.2.1.1, §11.2.2) through the admin API: stored, stamped, pushed."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from simulator.cpo.catalog import Catalog
from simulator.platform.clock import ocpi_datetime
from specs import contract
from tests.simulator.cpo.data_support import ADMIN, Cpo, running_cpo

T = "2025-06-01T00:00:00Z"


def connector(cid: str) -> dict[str, Any]:
    return {"id": cid, "standard": "IEC_62196_T2", "format": "SOCKET",
            "power_type": "AC_3_PHASE", "max_voltage": 230, "max_amperage": 32,
            "tariff_ids": ["T1"], "last_updated": T}  # fmt: skip


def location(location_id: str = "LOC1") -> dict[str, Any]:
    return {
        "country_code": "NL", "party_id": "PLF", "id": location_id, "publish": True,
        "address": "Keizersgracht 1", "city": "Amsterdam", "country": "NLD",
        "coordinates": {"latitude": "52.370216", "longitude": "4.895168"},
        "time_zone": "Europe/Amsterdam", "last_updated": T,
        "evses": [
            {"uid": "E1", "status": "AVAILABLE", "capabilities": ["REMOTE_START_STOP_CAPABLE"],
             "connectors": [connector("1")], "last_updated": T},
            {"uid": "E2", "status": "AVAILABLE", "connectors": [connector("1")], "last_updated": T},
        ],
    }  # fmt: skip


def tariff(tariff_id: str = "T1") -> dict[str, Any]:
    return {"country_code": "NL", "party_id": "PLF", "id": tariff_id, "currency": "EUR",
            "elements": [{"price_components": [{"type": "ENERGY", "price": 0.3, "step_size": 1}]}],
            "last_updated": T}  # fmt: skip


@pytest.fixture
async def cpo(tmp_path: Path, database_url: str) -> AsyncIterator[Cpo]:
    async with running_cpo(tmp_path, database_url) as running:
        yield running


async def test_location_put_is_stored_stamped_and_pushed(cpo: Cpo) -> None:
    headers = await cpo.register(receives=("locations",))
    partner_id = (await cpo.platform.registration.partners())[0].id
    created = await cpo.client.put("/admin/cpo/locations/LOC1", json=location(), headers=ADMIN)
    assert created.status_code == 201, created.text
    now = ocpi_datetime(cpo.clock.now())
    stored = created.json()
    assert contract.errors(stored, "Location") == []
    assert stored["last_updated"] == stored["evses"][0]["last_updated"] == now
    assert stored["evses"][0]["connectors"][0]["last_updated"] == now
    served = await cpo.client.get("/ocpi/cpo/2.2.1/locations/LOC1", headers=headers)
    assert served.json()["data"] == stored

    events = await cpo.outbox()
    assert [(e.partner_id, e.module, e.method, e.path) for e in events] == [
        (partner_id, "locations", "PUT", "/NL/PLF/LOC1")
    ]
    assert json.loads(events[0].body or "") == stored

    # The same PUT again changes nothing: 200, no new push, timestamps kept.
    cpo.clock.advance(60)
    again = await cpo.client.put("/admin/cpo/locations/LOC1", json=location(), headers=ADMIN)
    assert again.status_code == 200
    assert again.json() == stored
    assert len(await cpo.outbox()) == 1


async def test_evse_status_bumps_parents_and_is_pushed_as_patch(cpo: Cpo) -> None:
    headers = await cpo.register(receives=("locations",))
    await cpo.client.put("/admin/cpo/locations/LOC1", json=location(), headers=ADMIN)
    before = ocpi_datetime(cpo.clock.now())
    cpo.clock.advance(3600)
    later = ocpi_datetime(cpo.clock.now())
    changed = await cpo.client.patch(
        "/admin/cpo/locations/LOC1/evses/e2", json={"status": "CHARGING"}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "CHARGING"
    stored = (await cpo.client.get("/ocpi/cpo/2.2.1/locations/LOC1", headers=headers)).json()
    location_now = stored["data"]
    # §8.2.1.1: the EVSE and its Location carry the new time; the untouched parts keep theirs.
    assert location_now["last_updated"] == later
    assert location_now["evses"][1]["last_updated"] == later
    assert location_now["evses"][1]["connectors"][0]["last_updated"] == before
    assert location_now["evses"][0]["last_updated"] == before
    # ... so a date_from filter at that time finds the Location.
    page = await cpo.client.get("/ocpi/cpo/2.2.1/locations", params={"date_from": later},
                                headers=headers)  # fmt: skip
    assert [loc["id"] for loc in page.json()["data"]] == ["LOC1"]
    patch = (await cpo.outbox())[-1]
    assert (patch.method, patch.path) == ("PATCH", "/NL/PLF/LOC1/E2")
    assert json.loads(patch.body or "") == {"status": "CHARGING", "last_updated": later}
    assert contract.errors(json.loads(patch.body or ""), "EVSEPatch") == []
    assert patch.object_key == (await cpo.outbox())[0].object_key  # one order per Location


async def test_evses_are_removed_never_deleted(cpo: Cpo) -> None:
    await cpo.register(receives=("locations",))
    await cpo.client.put("/admin/cpo/locations/LOC1", json=location(), headers=ADMIN)
    removed = await cpo.client.delete("/admin/cpo/locations/LOC1/evses/E1", headers=ADMIN)
    assert removed.status_code == 200
    assert removed.json()["status"] == "REMOVED"
    stored = await Catalog(cpo.platform).location("LOC1")
    assert stored is not None
    assert [e["status"] for e in stored["evses"]] == ["REMOVED", "AVAILABLE"]
    assert (await cpo.outbox())[-1].body == json.dumps(
        {"status": "REMOVED", "last_updated": stored["last_updated"]}, separators=(",", ":")
    )
    # Dropping an EVSE or a connector from a PUT is refused (§8.1).
    dropped = location()
    dropped["evses"] = dropped["evses"][:1]
    refused = await cpo.client.put("/admin/cpo/locations/LOC1", json=dropped, headers=ADMIN)
    assert (refused.status_code, refused.json()["status_code"]) == (400, 2001)
    unknown = await cpo.client.delete("/admin/cpo/locations/LOC1/evses/E9", headers=ADMIN)
    assert unknown.status_code == 404
    nowhere = await cpo.client.patch("/admin/cpo/locations/NOPE/evses/E1",
                                     json={"status": "AVAILABLE"}, headers=ADMIN)  # fmt: skip
    assert nowhere.status_code == 404


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda loc: loc.pop("city"), "missing required field"),
        (lambda loc: loc["evses"][0].update(status="BROKEN"), "not a Status"),
        (lambda loc: loc["evses"][0].update(connectors=[]), "connectors is +"),
        (lambda loc: loc.update(party_id="XXX"), "not our party"),
        (lambda loc: loc.update(id="LOC2"), "id differs from the URL"),
        (lambda loc: loc.update(colour="red"), "unknown field"),
    ],
)
async def test_invalid_locations_are_refused_and_not_pushed(
    cpo: Cpo, mutate: Any, why: str
) -> None:
    await cpo.register(receives=("locations",))
    bad = location()
    mutate(bad)
    response = await cpo.client.put("/admin/cpo/locations/LOC1", json=bad, headers=ADMIN)
    assert (response.status_code, response.json()["status_code"]) == (400, 2001), why
    assert await Catalog(cpo.platform).location("LOC1") is None
    assert await cpo.outbox() == []


async def test_bad_status_is_refused(cpo: Cpo) -> None:
    await cpo.client.put("/admin/cpo/locations/LOC1", json=location(), headers=ADMIN)
    bad = await cpo.client.patch("/admin/cpo/locations/LOC1/evses/E1",
                                 json={"status": "ON_FIRE"}, headers=ADMIN)  # fmt: skip
    assert (bad.status_code, bad.json()["status_code"]) == (400, 2001)


async def test_connector_and_evse_puts_through_the_service(cpo: Cpo) -> None:
    await cpo.register(receives=("locations",))
    catalog = Catalog(cpo.platform)
    await catalog.put_location(location())
    cpo.clock.advance(10)
    now = ocpi_datetime(cpo.clock.now())
    faster = connector("2") | {"standard": "DOMESTIC_F", "power_type": "AC_1_PHASE"}
    change = await catalog.put_connector("LOC1", "E1", faster)
    assert change.created
    assert change.obj["last_updated"] == now
    stored = await catalog.location("LOC1")
    assert stored is not None
    assert stored["last_updated"] == stored["evses"][0]["last_updated"] == now
    event = (await cpo.outbox())[-1]
    assert (event.method, event.path) == ("PUT", "/NL/PLF/LOC1/E1/2")
    assert contract.errors(json.loads(event.body or ""), "Connector") == []

    cpo.clock.advance(10)
    evse = copy.deepcopy(stored["evses"][1]) | {"uid": "E3"}
    assert (await catalog.put_evse("LOC1", evse)).created
    event = (await cpo.outbox())[-1]
    assert (event.method, event.path) == ("PUT", "/NL/PLF/LOC1/E3")
    assert contract.errors(json.loads(event.body or ""), "EVSE") == []
    stored = await catalog.location("LOC1")
    assert stored is not None
    assert stored["last_updated"] == ocpi_datetime(cpo.clock.now())


async def test_tariffs_put_and_delete_are_pushed(cpo: Cpo) -> None:
    headers = await cpo.register(receives=("tariffs",))
    created = await cpo.client.put("/admin/cpo/tariffs/T1", json=tariff(), headers=ADMIN)
    assert created.status_code == 201, created.text
    listed = await cpo.client.get("/ocpi/cpo/2.2.1/tariffs", headers=headers)
    assert listed.json()["data"] == [created.json()]
    cpo.clock.advance(5)
    cheaper = tariff()
    cheaper["elements"][0]["price_components"][0]["price"] = 0.2
    replaced = await cpo.client.put("/admin/cpo/tariffs/T1", json=cheaper, headers=ADMIN)
    assert replaced.status_code == 200
    assert replaced.json()["last_updated"] == ocpi_datetime(cpo.clock.now())
    deleted = await cpo.client.delete("/admin/cpo/tariffs/t1", headers=ADMIN)
    assert deleted.status_code == 200
    assert (await cpo.client.get("/ocpi/cpo/2.2.1/tariffs", headers=headers)).json()["data"] == []
    again = await cpo.client.delete("/admin/cpo/tariffs/T1", headers=ADMIN)
    assert again.status_code == 404
    assert [(e.module, e.method, e.path, e.body is None) for e in await cpo.outbox()] == [
        ("tariffs", "PUT", "/NL/PLF/T1", False),
        ("tariffs", "PUT", "/NL/PLF/T1", False),
        ("tariffs", "DELETE", "/NL/PLF/T1", True),
    ]
    invalid = await cpo.client.put("/admin/cpo/tariffs/T2", json=tariff("T2") | {"elements": []},
                                   headers=ADMIN)  # fmt: skip
    assert (invalid.status_code, invalid.json()["status_code"]) == (400, 2001)


async def test_no_push_for_partners_not_receiving_the_module(cpo: Cpo) -> None:
    await cpo.register(receives=("tokens",))
    await cpo.client.put("/admin/cpo/locations/LOC1", json=location(), headers=ADMIN)
    await cpo.client.put("/admin/cpo/tariffs/T1", json=tariff(), headers=ADMIN)
    assert await cpo.outbox() == []


async def test_admin_guard_and_listings(cpo: Cpo) -> None:
    for call in (
        cpo.client.put("/admin/cpo/locations/LOC1", json=location()),
        cpo.client.get("/admin/cpo/sessions", headers={"Authorization": "Bearer wrong"}),
        cpo.client.delete("/admin/cpo/tariffs/T1"),
    ):
        response = await call
        assert response.status_code == 401
        assert response.json()["status_code"] == 2000
    sessions = await cpo.client.get("/admin/cpo/sessions", headers=ADMIN)
    cdrs = await cpo.client.get("/admin/cpo/cdrs", headers=ADMIN)
    assert (sessions.status_code, sessions.json()) == (200, [])
    assert (cdrs.status_code, cdrs.json()) == (200, [])
