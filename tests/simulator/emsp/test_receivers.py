"""Receiver interfaces of the eMSP: Locations, Sessions, CDRs, Tariffs, HubClientInfo."""

from __future__ import annotations

from typing import Any

import pytest

from tests.simulator.emsp.conftest import (
    T0,
    EmspUnderTest,
    add_partner,
    cdr,
    connector,
    evse,
    location,
    period,
    session,
    tariff,
)

LOC = "/locations/NL/PLF/LOC1"


def assert_ok(response: Any, http: int = 200) -> dict[str, Any]:
    assert response.status_code == http, response.text
    body: dict[str, Any] = response.json()
    assert body["status_code"] == 1000, body
    return body


def assert_2001_with_finding(env: EmspUnderTest, response: Any, module: str) -> None:
    """§5: 2001 in HTTP 200, the envelope; and a finding attached to the recorded exchange."""
    assert response.status_code == 200, response.text
    assert response.json()["status_code"] == 2001
    findings = env.emsp.recorder.findings(module)
    assert findings, "no finding recorded"
    exchange = next(
        e for e in env.emsp.recorder.exchanges(module) if e.id == findings[-1].exchange_id
    )
    assert exchange.ocpi_status == 2001
    assert exchange.partner_id == env.partner_id
    assert findings[-1].id in exchange.findings


# --- Locations ---------------------------------------------------------------------------------


async def test_location_put_creates_201_then_replaces_200_and_get(env: EmspUnderTest) -> None:
    assert_ok(await env.send("PUT", LOC, location()), 201)
    changed = {**location(), "name": "Centraal"}
    assert_ok(await env.send("PUT", LOC, changed), 200)
    got = assert_ok(await env.send("GET", LOC))
    assert got["data"]["name"] == "Centraal"
    assert assert_ok(await env.send("GET", f"{LOC}/E1"))["data"]["uid"] == "E1"
    assert assert_ok(await env.send("GET", f"{LOC}/E1/1"))["data"]["id"] == "1"
    # CiString ids compare case-insensitively (§16.1)
    assert assert_ok(await env.send("GET", "/locations/nl/plf/loc1/e1"))["data"]["uid"] == "E1"


async def test_unknown_objects_are_404(env: EmspUnderTest) -> None:
    assert (await env.send("GET", LOC)).status_code == 404
    assert_ok(await env.send("PUT", LOC, location()), 201)
    assert (await env.send("GET", f"{LOC}/NOPE")).status_code == 404
    assert (await env.send("GET", f"{LOC}/E1/9")).status_code == 404
    assert (await env.send("PUT", "/locations/NL/PLF/OTHER/E1", evse())).status_code == 404


async def test_invalid_location_is_2001_and_a_finding(env: EmspUnderTest) -> None:
    body = location()
    del body["coordinates"]
    assert_2001_with_finding(env, await env.send("PUT", LOC, body), "locations")
    assert (await env.send("GET", LOC)).status_code == 404  # not stored


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [(LOC, "country_code", "BE"), (LOC, "party_id", "XXX"), (LOC, "id", "LOC2")],
)
async def test_url_must_match_body_2001(
    env: EmspUnderTest, path: str, field: str, value: str
) -> None:
    """§8.2.2.2 / §4.1.5.1: cc/pid/id in the URL equal the object's."""
    await add_partner(
        env.platform,
        "multi",
        [
            {
                "role": "CPO",
                "country_code": "BE",
                "party_id": "XXX",
                "business_details": {"name": "x"},
            }
        ],
    )
    body = {**location(), field: value}
    assert_2001_with_finding(env, await env.send("PUT", path, body), "locations")


async def test_foreign_country_party_is_404(env: EmspUnderTest) -> None:
    """§4.1.5.1: objects under a cc/pid that is not one of the caller's roles."""
    response = await env.send("PUT", "/locations/BE/BEC/LOC1", location("LOC1", "BE", "BEC"))
    assert response.status_code == 404
    assert response.json()["status_code"] == 2000


async def test_evse_put_adds_and_cascades_last_updated(env: EmspUnderTest) -> None:
    assert_ok(await env.send("PUT", LOC, location()), 201)
    later = "2026-01-02T10:00:00Z"
    assert_ok(await env.send("PUT", f"{LOC}/E2", evse("E2", later)), 201)
    stored = assert_ok(await env.send("GET", LOC))["data"]
    assert [e["uid"] for e in stored["evses"]] == ["E1", "E2"]
    assert stored["last_updated"] == later  # §8.2.2.2
    assert_ok(await env.send("PUT", f"{LOC}/E2", evse("E2", later)), 200)


async def test_connector_put_and_patch_cascade_to_evse_and_location(env: EmspUnderTest) -> None:
    assert_ok(await env.send("PUT", LOC, location()), 201)
    t1 = "2026-01-03T00:00:00Z"
    assert_ok(await env.send("PUT", f"{LOC}/E1/2", connector("2", t1)), 201)
    stored = assert_ok(await env.send("GET", LOC))["data"]
    assert stored["last_updated"] == stored["evses"][0]["last_updated"] == t1
    t2 = "2026-01-04T00:00:00Z"
    patch = {"tariff_ids": ["T1"], "last_updated": t2}
    assert_ok(await env.send("PATCH", f"{LOC}/E1/2", patch))
    stored = assert_ok(await env.send("GET", LOC))["data"]
    assert stored["evses"][0]["connectors"][1]["tariff_ids"] == ["T1"]
    assert stored["evses"][0]["connectors"][1]["max_voltage"] == 230  # merged, not replaced
    assert stored["last_updated"] == stored["evses"][0]["last_updated"] == t2  # §8.2.2.3


async def test_evse_and_location_patch_merge(env: EmspUnderTest) -> None:
    assert_ok(await env.send("PUT", LOC, location()), 201)
    t1 = "2026-01-05T00:00:00Z"
    assert_ok(await env.send("PATCH", f"{LOC}/E1", {"status": "REMOVED", "last_updated": t1}))
    assert_ok(await env.send("PATCH", LOC, {"name": "Renamed", "last_updated": t1}))
    stored = assert_ok(await env.send("GET", LOC))["data"]
    assert stored["evses"][0]["status"] == "REMOVED"
    assert stored["evses"][0]["connectors"] == [connector()]
    assert stored["name"] == "Renamed"
    assert stored["address"] == "Stationsplein 1"
    assert stored["last_updated"] == t1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (LOC, {"name": "no last_updated"}),
        (f"{LOC}/E1", {"status": "BROKEN", "last_updated": "2026-01-05T00:00:00Z"}),
        (f"{LOC}/E1/1", {"max_voltage": "230V", "last_updated": "2026-01-05T00:00:00Z"}),
    ],
)
async def test_invalid_patches_are_2001_and_findings(
    env: EmspUnderTest, path: str, body: dict[str, Any]
) -> None:
    """§8.2.2.3: PATCH bodies against LocationPatch, EVSEPatch, ConnectorPatch."""
    assert_ok(await env.send("PUT", LOC, location()), 201)
    assert_2001_with_finding(env, await env.send("PATCH", path, body), "locations")


async def test_patch_of_unknown_location_is_404(env: EmspUnderTest) -> None:
    response = await env.send("PATCH", LOC, {"name": "x", "last_updated": "2026-01-05T00:00:00Z"})
    assert response.status_code == 404


async def test_invalid_json_is_400(env: EmspUnderTest) -> None:
    response = await env.client.put(f"/ocpi/emsp/2.2.1{LOC}", content=b"{nope", headers=env.auth)
    assert response.status_code == 400


async def test_receivers_need_a_registered_partner(env: EmspUnderTest) -> None:
    response = await env.client.get(f"/ocpi/emsp/2.2.1{LOC}")
    assert response.status_code == 401


# --- Sessions -----------------------------------------------------------------------------------


SES = "/sessions/NL/PLF/S1"


async def test_session_patch_appends_and_put_replaces_charging_periods(env: EmspUnderTest) -> None:
    p1, p2, p3 = (period(f"2026-01-01T0{n}:00:00Z", float(n)) for n in (1, 2, 3))
    assert_ok(await env.send("PUT", SES, session(periods=[p1])), 201)
    assert_ok(
        await env.send(
            "PATCH",
            SES,
            {"charging_periods": [p2], "kwh": 2.0, "last_updated": "2026-01-01T02:00:00Z"},
        )
    )
    stored = assert_ok(await env.send("GET", SES))["data"]
    assert stored["charging_periods"] == [p1, p2]  # §9.2.2.3: appended
    assert stored["kwh"] == 2.0
    assert_ok(
        await env.send(
            "PATCH", SES, {"charging_periods": [], "last_updated": "2026-01-01T02:30:00Z"}
        )
    )
    assert assert_ok(await env.send("GET", SES))["data"]["charging_periods"] == [p1, p2]
    assert_ok(await env.send("PUT", SES, session(periods=[p3])), 200)
    assert assert_ok(await env.send("GET", SES))["data"]["charging_periods"] == [p3]  # replaced
    assert_ok(await env.send("PUT", SES, session()), 200)
    assert "charging_periods" not in assert_ok(await env.send("GET", SES))["data"]  # cleared


async def test_session_invalid_put_and_patch(env: EmspUnderTest) -> None:
    body = session()
    body["status"] = "RESERVED"  # digest errata 7: the enum says RESERVATION
    assert_2001_with_finding(env, await env.send("PUT", SES, body), "sessions")
    assert_ok(await env.send("PUT", SES, session()), 201)
    assert_2001_with_finding(env, await env.send("PATCH", SES, {"kwh": 3.0}), "sessions")
    assert_2001_with_finding(
        env, await env.send("PUT", "/sessions/NL/PLF/S2", session()), "sessions"
    )
    response = await env.send("PATCH", "/sessions/NL/PLF/S9", {"last_updated": T0_LATER})
    assert response.status_code == 404


T0_LATER = "2026-01-01T05:00:00Z"


# --- CDRs -----------------------------------------------------------------------------------------


async def test_cdr_post_201_with_location_header_then_get(env: EmspUnderTest) -> None:
    response = await env.send("POST", "/cdrs", cdr())
    assert_ok(response, 201)
    location_url = response.headers["location"]
    assert location_url.startswith("http://emsp.test/ocpi/emsp/2.2.1/cdrs/")
    got = await env.client.get(location_url.removeprefix("http://emsp.test"), headers=env.auth)
    assert assert_ok(got)["data"] == cdr()
    again = await env.send("POST", "/cdrs", cdr())  # the same CDR again: idempotent
    assert_ok(again, 201)
    assert again.headers["location"] == location_url
    changed = {**cdr(), "total_energy": 12.0}
    assert_2001_with_finding(env, await env.send("POST", "/cdrs", changed), "cdrs")
    assert (await env.send("GET", "/cdrs/bm90LWEtcmVm")).status_code == 404


async def test_invalid_cdr_2001(env: EmspUnderTest) -> None:
    body = cdr()
    body["charging_periods"] = []  # `+`: at least one (§10.3.1)
    assert_2001_with_finding(env, await env.send("POST", "/cdrs", body), "cdrs")
    foreign = {**cdr(), "country_code": "BE", "party_id": "BEC"}
    assert_2001_with_finding(env, await env.send("POST", "/cdrs", foreign), "cdrs")


# --- Tariffs --------------------------------------------------------------------------------------


async def test_tariffs_put_get_delete(env: EmspUnderTest) -> None:
    path = "/tariffs/NL/PLF/T1"
    assert_ok(await env.send("PUT", path, tariff()), 201)
    assert assert_ok(await env.send("GET", path))["data"] == tariff()
    assert_ok(await env.send("DELETE", path))
    assert (await env.send("GET", path)).status_code == 404
    assert (await env.send("DELETE", path)).status_code == 404
    bad = {**tariff(), "elements": []}
    assert_2001_with_finding(env, await env.send("PUT", path, bad), "tariffs")
    response = await env.send("PATCH", path, {"last_updated": T0_LATER})
    assert response.status_code == 405  # no PATCH for Tariffs (§11.2.2)


# --- HubClientInfo --------------------------------------------------------------------------------


async def test_hubclientinfo_put_get(env: EmspUnderTest) -> None:
    info = {
        "country_code": "DE",
        "party_id": "ABC",
        "role": "CPO",
        "status": "CONNECTED",
        "last_updated": T0,
    }
    assert_ok(await env.send("PUT", "/hubclientinfo/DE/ABC", info), 201)
    assert assert_ok(await env.send("GET", "/hubclientinfo/DE/ABC"))["data"] == info
    assert (await env.send("GET", "/hubclientinfo/DE/XYZ")).status_code == 404
    assert_2001_with_finding(
        env, await env.send("PUT", "/hubclientinfo/DE/XYZ", info), "hubclientinfo"
    )
    assert_2001_with_finding(
        env,
        await env.send("PUT", "/hubclientinfo/DE/ABC", {**info, "status": "GONE"}),
        "hubclientinfo",
    )
