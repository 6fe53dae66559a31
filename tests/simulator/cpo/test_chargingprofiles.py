"""ChargingProfiles receiver (§14) end to end, results and updates arriving on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.simulator.conftest import auth
from tests.simulator.cpo.backend.harness import (
    AC_POWER_KW,
    BASE,
    World,
    register_partner,
    start_body,
    valid,
    world_fixture,  # noqa: F401 - the `world` fixture
)


async def active_session(world: World) -> str:
    body = start_body(world)
    await world.command("START_SESSION", body)
    await world.emsp.wait("POST", body["response_url"].removeprefix(world.emsp.url))
    await world.advance(5)
    (session_id,) = [live.id for live in world.backend.live.values()]
    return session_id


async def call(
    world: World, method: str, session_id: str, token: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    response = await world.client.request(
        method,
        f"{world.cpo.url}{BASE}/chargingprofiles/{session_id}",
        headers=auth(token or world.token),
        **kwargs,
    )
    assert response.status_code == 200, response.text
    envelope: dict[str, Any] = response.json()
    if envelope["status_code"] == 1000:
        valid(envelope["data"], "ChargingProfileResponse")
    return envelope


def profile(limit_w: float) -> dict[str, Any]:
    return {
        "charging_rate_unit": "W",
        "charging_profile_period": [{"start_period": 0, "limit": limit_w}],
    }


async def test_get_requires_parameters_and_known_session(world: World) -> None:
    session_id = await active_session(world)
    url = world.response_url("GET")
    assert (await call(world, "GET", session_id, params={"response_url": url}))[
        "status_code"
    ] == 2001
    assert (await call(world, "GET", session_id, params={"duration": 900}))["status_code"] == 2001
    assert (await call(world, "DELETE", session_id))["status_code"] == 2001
    # a parameter of the wrong type is an invalid parameter too (issue #16: it was 400 / 2000)
    wrong = await call(world, "GET", session_id, params={"duration": "abc", "response_url": url})
    assert wrong["status_code"] == 2001
    assert "duration" in wrong["status_message"]
    unknown = await call(world, "GET", "NOPE", params={"duration": 900, "response_url": url})
    assert unknown["data"]["result"] == "UNKNOWN_SESSION"
    _, other = await register_partner(world.cpo, world.emsp, "FR", "OTH")
    rejected = await call(
        world, "GET", session_id, other, params={"duration": 900, "response_url": url}
    )
    assert rejected["data"]["result"] == "REJECTED"


async def test_get_shows_evse_maximum_without_profile(world: World) -> None:
    session_id = await active_session(world)
    url = world.response_url("GET")
    answer = await call(world, "GET", session_id, params={"duration": 900, "response_url": url})
    assert answer["data"]["result"] == "ACCEPTED"
    (result,) = await world.emsp.wait("POST", url.removeprefix(world.emsp.url))
    valid(result.body, "ActiveChargingProfileResult")
    assert result.body["result"] == "ACCEPTED"
    charging_profile = result.body["profile"]["charging_profile"]
    assert charging_profile["duration"] == 900
    assert charging_profile["charging_profile_period"] == [
        {"start_period": 0, "limit": AC_POWER_KW * 1000}  # rule 83
    ]
    # rule 82: no PUT for a session without a successful set.
    assert world.emsp.find("PUT", f"/chargingprofiles/{session_id}") == []


async def test_set_limits_power_then_clear(world: World) -> None:
    session_id = await active_session(world)
    url = world.response_url("SET")
    body = {"charging_profile": profile(3680.0), "response_url": url}
    assert (await call(world, "PUT", session_id, json=body))["data"]["result"] == "ACCEPTED"
    (result,) = await world.emsp.wait("POST", url.removeprefix(world.emsp.url))
    assert valid(result.body, "ChargingProfileResult") == {"result": "ACCEPTED"}
    (update,) = await world.emsp.wait("PUT", f"/EMS/2.2.1/chargingprofiles/{session_id}")
    valid(update.body, "ActiveChargingProfile")  # rule 82
    assert update.body["charging_profile"]["charging_profile_period"][0]["limit"] == 3680.0

    before = (await world.session(session_id))["kwh"]
    await world.advance(3600)
    assert (await world.session(session_id))["kwh"] - before == pytest.approx(3.68)

    clear_url = world.response_url("CLEAR")
    cleared = await call(world, "DELETE", session_id, params={"response_url": clear_url})
    assert cleared["data"]["result"] == "ACCEPTED"
    (result,) = await world.emsp.wait("POST", clear_url.removeprefix(world.emsp.url))
    assert valid(result.body, "ClearProfileResult") == {"result": "ACCEPTED"}
    updates = await world.emsp.wait("PUT", f"/chargingprofiles/{session_id}", count=2)
    maximum = valid(updates[-1].body, "ActiveChargingProfile")["charging_profile"]
    assert maximum["charging_profile_period"] == [{"start_period": 0, "limit": AC_POWER_KW * 1000}]


async def test_set_rejects_invalid_body(world: World) -> None:
    session_id = await active_session(world)
    bad = await call(world, "PUT", session_id, json={"charging_profile": {}})
    assert bad["status_code"] == 2001
