"""Sender side of the eMSP: Tokens (list, authorize, push), Commands and ChargingProfiles with
their callbacks."""

from __future__ import annotations

import json
from typing import Any

import httpx

from simulator.platform.tables import OutboxEvent
from tests.simulator.emsp.conftest import ADMIN, BASE, T0, EmspUnderTest, ocpi


async def put_token(env: EmspUnderTest, uid: str, **fields: Any) -> dict[str, Any]:
    token_type = fields.pop("type", "RFID")
    response = await env.client.put(
        f"/admin/emsp/tokens/{uid}", json=fields, params={"type": token_type}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- Tokens ---------------------------------------------------------------------------------------


async def test_token_put_queues_a_push_to_the_cpo_receiver(env: EmspUnderTest) -> None:
    made = await put_token(env, "TOK1", contract_id="NL-PFE-C00001")
    assert made["created"] is True
    assert made["queued"] == 1
    token = made["token"]
    assert (token["country_code"], token["party_id"], token["uid"]) == ("NL", "PFE", "TOK1")
    async with env.platform.database.transaction() as session:
        from sqlalchemy import select

        events = (await session.scalars(select(OutboxEvent))).all()
    assert [(e.module, e.method, e.path, e.partner_id) for e in events] == [
        ("tokens", "PUT", "/NL/PFE/TOK1?type=RFID", env.partner_id)
    ]
    assert json.loads(events[0].body or "{}") == token
    bad = await env.client.put(
        "/admin/emsp/tokens/X", json={"whitelist": "SOMETIMES"}, headers=ADMIN
    )
    assert bad.status_code == 400


async def test_tokens_list_is_paginated_with_link(env: EmspUnderTest) -> None:
    for n in range(5):
        await put_token(env, f"TOK{n}")
    first = await env.send("GET", "/tokens", params={"limit": 2})
    assert first.status_code == 200
    assert [t["uid"] for t in first.json()["data"]] == ["TOK0", "TOK1"]
    assert first.headers["x-total-count"] == "5"
    assert first.headers["x-limit"] == "100"
    url = first.links["next"]["url"]
    assert "offset=2" in url
    pages = [first.json()["data"]]
    while url:
        page = await env.client.get(url.removeprefix("http://emsp.test"), headers=env.auth)
        pages.append(page.json()["data"])
        url = page.links.get("next", {}).get("url")
    assert [t["uid"] for p in pages for t in p] == [f"TOK{n}" for n in range(5)]


async def test_authorize_allowed_blocked_not_allowed_and_unknown(env: EmspUnderTest) -> None:
    await put_token(env, "OK1")
    await put_token(env, "OFF", valid=False)
    await put_token(env, "PICKY", denied_evse_uids=["E2", "E3"])
    await put_token(env, "APP", type="APP_USER", location_required=True)

    allowed = await env.send("POST", "/tokens/OK1/authorize")
    info = allowed.json()["data"]
    assert allowed.status_code == 200
    assert info["allowed"] == "ALLOWED"
    assert info["token"]["uid"] == "OK1"
    assert info["authorization_reference"]

    blocked = (await env.send("POST", "/tokens/OFF/authorize")).json()["data"]
    assert blocked["allowed"] == "BLOCKED"

    refs = {"location_id": "LOC1", "evse_uids": ["E1", "E2"]}
    partial = (await env.send("POST", "/tokens/PICKY/authorize", refs)).json()["data"]
    assert partial["allowed"] == "ALLOWED"
    assert partial["location"] == {"location_id": "LOC1", "evse_uids": ["E1"]}
    refused = await env.send(
        "POST", "/tokens/PICKY/authorize", {"location_id": "LOC1", "evse_uids": ["E3"]}
    )
    assert refused.json()["data"]["allowed"] == "NOT_ALLOWED"
    assert "location" not in refused.json()["data"]

    unknown = await env.send("POST", "/tokens/NOPE/authorize")
    assert unknown.status_code == 404  # §12.2.2.2
    assert unknown.json()["status_code"] == 2004
    assert "data" not in unknown.json()
    wrong_type = await env.send("POST", "/tokens/OK1/authorize", params={"type": "APP_USER"})
    assert wrong_type.json()["status_code"] == 2004

    no_info = await env.send("POST", "/tokens/APP/authorize", params={"type": "APP_USER"})
    assert no_info.json()["status_code"] == 2002
    app = await env.send(
        "POST", "/tokens/APP/authorize", {"location_id": "LOC1"}, params={"type": "APP_USER"}
    )
    assert app.json()["data"]["location"] == {"location_id": "LOC1"}

    bad = await env.send("POST", "/tokens/OK1/authorize", {"evse_uids": ["E1"]})
    assert bad.json()["status_code"] == 2001
    assert env.emsp.recorder.findings("tokens")


# --- Commands -------------------------------------------------------------------------------------


def command_receiver(env: EmspUnderTest, result: str = "ACCEPTED") -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return ocpi({"result": result, "timeout": 30})

    for command in (
        "START_SESSION",
        "STOP_SESSION",
        "RESERVE_NOW",
        "CANCEL_RESERVATION",
        "UNLOCK_CONNECTOR",
    ):
        env.cpo.routes[("POST", f"/ocpi/cpo/2.2.1/commands/{command}")] = answer


async def test_start_session_command_and_its_result(env: EmspUnderTest) -> None:
    command_receiver(env)
    await put_token(env, "TOK1")
    sent = await env.client.post(
        "/admin/emsp/commands/START_SESSION",
        params={"partner": env.partner_id},
        json={"token": "TOK1", "location_id": "LOC1", "evse_uid": "E1"},
        headers=ADMIN,
    )
    assert sent.status_code == 200, sent.text
    record = sent.json()
    assert record["response"] == {"result": "ACCEPTED", "timeout": 30}
    ref = record["id"]
    response_url = f"http://emsp.test{BASE}/commands/START_SESSION/{ref}"
    (call,) = env.cpo.calls("POST", "/ocpi/cpo/2.2.1/commands/START_SESSION")
    body = json.loads(call.content)
    assert body["response_url"] == response_url
    assert body["token"]["uid"] == "TOK1"
    assert call.headers["ocpi-from-party-id"] == "PFE"
    assert call.headers["ocpi-to-party-id"] == "PLF"
    assert call.headers["authorization"].startswith("Token ")

    # The CPO posts the CommandResult later (§13.2.2).
    posted = await env.send("POST", f"/commands/START_SESSION/{ref}", {"result": "ACCEPTED"})
    assert posted.status_code == 200
    assert posted.json()["status_code"] == 1000
    stored = (await env.client.get(f"/admin/emsp/commands/{ref}", headers=ADMIN)).json()
    assert stored["result"] == {"result": "ACCEPTED"}

    invalid = await env.send("POST", f"/commands/START_SESSION/{ref}", {"result": "MAYBE"})
    assert invalid.json()["status_code"] == 2001
    assert env.emsp.recorder.findings("commands")
    unknown = await env.send("POST", "/commands/STOP_SESSION/" + ref, {"result": "ACCEPTED"})
    assert unknown.status_code == 404


async def test_other_commands_are_validated_before_sending(env: EmspUnderTest) -> None:
    command_receiver(env, "REJECTED")
    stop = await env.client.post(
        "/admin/emsp/commands/STOP_SESSION",
        params={"partner": env.partner_id},
        json={"session_id": "S1"},
        headers=ADMIN,
    )
    assert stop.json()["response"]["result"] == "REJECTED"
    missing = await env.client.post(
        "/admin/emsp/commands/UNLOCK_CONNECTOR",
        params={"partner": env.partner_id},
        json={"location_id": "LOC1"},
        headers=ADMIN,
    )
    assert missing.status_code == 400
    unknown_token = await env.client.post(
        "/admin/emsp/commands/START_SESSION",
        params={"partner": env.partner_id},
        json={"token": "GHOST", "location_id": "LOC1"},
        headers=ADMIN,
    )
    assert unknown_token.status_code == 404
    assert len(env.cpo.requests) == 1


async def test_invalid_command_response_is_a_finding(env: EmspUnderTest) -> None:
    env.cpo.routes[("POST", "/ocpi/cpo/2.2.1/commands/STOP_SESSION")] = lambda r: ocpi(
        {"result": "OK"}
    )
    await env.client.post(
        "/admin/emsp/commands/STOP_SESSION",
        params={"partner": env.partner_id},
        json={"session_id": "S1"},
        headers=ADMIN,
    )
    (finding,) = env.emsp.recorder.findings("commands")
    assert finding.section == "13.2.1"
    assert finding.exchange_id is not None


# --- ChargingProfiles -----------------------------------------------------------------------------


PROFILE = {
    "charging_rate_unit": "W",
    "charging_profile_period": [{"start_period": 0, "limit": 11000.0}],
}


async def test_charging_profiles_set_get_clear_and_callbacks(env: EmspUnderTest) -> None:
    path = "/ocpi/cpo/2.2.1/chargingprofiles/S1"
    for method in ("PUT", "GET", "DELETE"):
        env.cpo.routes[(method, path)] = lambda r: ocpi({"result": "ACCEPTED", "timeout": 20})
    admin = "/admin/emsp/chargingprofiles/S1"
    put = await env.client.put(
        admin, params={"partner": env.partner_id}, json={"charging_profile": PROFILE}, headers=ADMIN
    )
    got = await env.client.get(
        admin, params={"partner": env.partner_id, "duration": 900}, headers=ADMIN
    )
    cleared = await env.client.delete(admin, params={"partner": env.partner_id}, headers=ADMIN)
    assert [r.status_code for r in (put, got, cleared)] == [200, 200, 200]
    put_call, get_call, delete_call = env.cpo.requests
    assert json.loads(put_call.content)["charging_profile"] == PROFILE
    assert get_call.url.params["duration"] == "900"
    assert get_call.url.params["response_url"].startswith(
        f"http://emsp.test{BASE}/chargingprofiles/results/"
    )
    assert "response_url" in delete_call.url.params

    results = {
        put.json()["id"]: {"result": "ACCEPTED"},
        got.json()["id"]: {
            "result": "ACCEPTED",
            "profile": {"start_date_time": T0, "charging_profile": PROFILE},
        },
        cleared.json()["id"]: {"result": "UNKNOWN"},
    }
    for ref, result in results.items():
        answer = await env.send("POST", f"/chargingprofiles/results/{ref}", result)
        assert answer.status_code == 200
        assert answer.json()["status_code"] == 1000
        assert "data" not in answer.json()  # §14.4.2: data SHALL be omitted
        record = (
            await env.client.get(f"/admin/emsp/chargingprofile-requests/{ref}", headers=ADMIN)
        ).json()
        assert record["result"] == result
    # a ChargingProfileResult where the GET's ActiveChargingProfileResult was due is fine
    # (same shape); a wrong enum is not
    bad = await env.send(
        "POST", f"/chargingprofiles/results/{put.json()['id']}", {"result": "DONE"}
    )
    assert bad.json()["status_code"] == 2001
    assert env.emsp.recorder.findings("chargingprofiles")


async def test_active_charging_profile_put(env: EmspUnderTest) -> None:
    body = {"start_date_time": T0, "charging_profile": PROFILE}
    answer = await env.send("PUT", "/chargingprofiles/S1", body)
    assert answer.status_code == 200
    assert answer.json()["status_code"] == 1000
    assert "data" not in answer.json()
    stored = (await env.client.get("/admin/emsp/objects/activeprofiles", headers=ADMIN)).json()
    assert stored[0]["active_charging_profile"] == body
    bad = await env.send("PUT", "/chargingprofiles/S1", {"charging_profile": PROFILE})
    assert bad.json()["status_code"] == 2001
