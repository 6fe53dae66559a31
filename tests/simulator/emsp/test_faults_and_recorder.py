"""Fault modes (each observable, OCPI routes only) and the recorder (redaction, queries,
wait_for)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from simulator.emsp.app import create_app
from simulator.emsp.faults import UnknownFault, parse_modes
from simulator.emsp.recorder import (
    REDACTED,
    decode_body,
    module_of,
    redact_body,
    redact_headers,
)
from tests.simulator.emsp.conftest import ADMIN, EmspUnderTest, emsp_settings, location, ocpi

LOC = "/locations/NL/PLF/LOC1"


async def set_faults(env: EmspUnderTest, **modes: bool) -> None:
    response = await env.client.put("/admin/emsp/faults", json=modes, headers=ADMIN)
    assert response.status_code == 200, response.text


async def test_5xx_only_on_ocpi_routes(env: EmspUnderTest) -> None:
    await set_faults(env, **{"5xx": True})
    response = await env.send("PUT", LOC, location())
    assert response.status_code == 503
    assert response.json()["status_code"] == 3000
    assert response.headers["x-request-id"]
    admin = await env.client.get("/admin/emsp/faults", headers=ADMIN)
    assert admin.status_code == 200  # never on /admin
    assert admin.json()["5xx"] is True
    assert (await env.client.get("/health")).status_code == 200
    await set_faults(env, **{"5xx": False})
    assert (await env.send("GET", LOC)).status_code == 404  # not processed while faulty
    (faulty,) = [e for e in env.emsp.recorder.exchanges("locations") if "5xx" in e.faults]
    assert faulty.status == 503


async def test_malformed_body_with_http_200(env: EmspUnderTest) -> None:
    await set_faults(env, malformed=True)
    response = await env.send("PUT", LOC, location())
    assert response.status_code == 200
    with pytest.raises(ValueError):  # noqa: PT011
        response.json()
    await set_faults(env, malformed=False)
    assert (await env.send("GET", LOC)).status_code == 200  # processed nevertheless


async def test_wrong_status_codes(env: EmspUnderTest) -> None:
    await set_faults(env, wrong_status=True)
    ok = await env.send("PUT", LOC, location())
    assert (ok.status_code, ok.json()["status_code"]) == (200, 2000)
    missing = await env.send("GET", "/locations/NL/PLF/NOPE")
    assert (missing.status_code, missing.json()["status_code"]) == (403, 1000)


async def test_slow_and_timeout_delay_the_answer(env: EmspUnderTest) -> None:
    await set_faults(env, slow=True)
    began = time.monotonic()
    assert (await env.send("PUT", LOC, location())).status_code == 201
    assert time.monotonic() - began >= 0.3
    await set_faults(env, slow=False, timeout=True)
    began = time.monotonic()
    assert (await env.send("GET", LOC)).status_code == 200  # in process there is no timeout
    assert time.monotonic() - began >= 1.0
    assert [e.faults for e in env.emsp.recorder.exchanges("locations")] == [["slow"], ["timeout"]]


async def test_dropped_callbacks_are_neither_recorded_nor_answered_in_time(
    env: EmspUnderTest,
) -> None:
    env.cpo.routes[("POST", "/ocpi/cpo/2.2.1/commands/STOP_SESSION")] = lambda r: ocpi(
        {"result": "ACCEPTED", "timeout": 30}
    )
    sent = await env.client.post(
        "/admin/emsp/commands/STOP_SESSION",
        params={"partner": env.partner_id},
        json={"session_id": "S1"},
        headers=ADMIN,
    )
    ref = sent.json()["id"]
    await set_faults(env, drop_callbacks=True)
    began = time.monotonic()
    answer = await env.send("POST", f"/commands/STOP_SESSION/{ref}", {"result": "ACCEPTED"})
    assert time.monotonic() - began >= 1.0
    assert answer.status_code == 503
    record = (await env.client.get(f"/admin/emsp/commands/{ref}", headers=ADMIN)).json()
    assert record["result"] is None
    # other OCPI routes are untouched by this mode
    assert (await env.send("PUT", LOC, location())).status_code == 201


async def test_faults_from_settings_and_unknown_modes(tmp_path: Path) -> None:
    assert parse_modes(" slow, 5XX ") == {"slow", "5xx"}
    with pytest.raises(UnknownFault):
        parse_modes("slow,explode")
    app = create_app(emsp_settings(tmp_path, faults="5xx", outbox_worker_enabled=False))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/admin/emsp/faults", headers=ADMIN)).json()["5xx"] is True
        assert (await client.get("/ocpi/versions")).status_code == 503
        bad = await client.put("/admin/emsp/faults", json={"explode": True}, headers=ADMIN)
        assert bad.status_code == 400


# --- recorder -------------------------------------------------------------------------------------


def test_redaction_and_module_names() -> None:
    headers = redact_headers([("Authorization", "Token c2VjcmV0"), ("X-Request-ID", "1")])
    assert headers == {"authorization": f"Token {REDACTED}", "x-request-id": "1"}
    body = {
        "data": {"token": "secret", "url": "u", "roles": []},
        "start": {"token": {"uid": "TOK1"}},
    }
    assert redact_body(body) == {
        "data": {"token": REDACTED, "url": "u", "roles": []},
        "start": {"token": {"uid": "TOK1"}},
    }
    # A body that is not JSON is redacted as text: a token field, an echoed credential.
    text = decode_body(b'{"token": "s3cret\\"x", oops} refused: Token c2VjcmV0dG9rZW4=')
    assert "s3cret" not in text
    assert "c2VjcmV0dG9rZW4" not in text
    assert text.endswith(f"refused: Token {REDACTED}")
    assert module_of("/ocpi/emsp/2.2.1/locations/NL/PLF/1") == "locations"
    assert module_of("http://x/ocpi/2.2.1/credentials") == "credentials"
    assert module_of("/ocpi/versions") == "versions"


async def test_exchanges_in_and_out_queryable_and_redacted(env: EmspUnderTest) -> None:
    assert (await env.send("PUT", LOC, location())).status_code == 201
    env.cpo.routes[("POST", "/ocpi/cpo/2.2.1/commands/STOP_SESSION")] = lambda r: ocpi(
        {"result": "ACCEPTED", "timeout": 30}
    )
    await env.client.post(
        "/admin/emsp/commands/STOP_SESSION",
        params={"partner": env.partner_id},
        json={"session_id": "S1"},
        headers=ADMIN,
    )
    listed = (await env.client.get("/admin/emsp/exchanges", headers=ADMIN)).json()
    assert [(e["direction"], e["module"], e["method"]) for e in listed] == [
        ("in", "locations", "PUT"),
        ("out", "commands", "POST"),
    ]
    inbound, outbound = listed
    assert inbound["request_headers"]["authorization"] == f"Token {REDACTED}"
    assert inbound["request_body"]["id"] == "LOC1"
    assert inbound["status"] == 201
    assert inbound["partner_id"] == env.partner_id
    assert outbound["request_headers"]["authorization"] == f"Token {REDACTED}"
    assert outbound["response_body"]["data"]["result"] == "ACCEPTED"
    assert outbound["partner_id"] == env.partner_id
    assert "token-for-cpo" not in str(listed)
    assert "cpo-token" not in str(listed)
    only = await env.client.get(
        "/admin/emsp/exchanges", params={"module": "commands"}, headers=ADMIN
    )
    assert [e["id"] for e in only.json()] == [outbound["id"]]
    since = await env.client.get(
        "/admin/emsp/exchanges", params={"since": inbound["id"]}, headers=ADMIN
    )
    assert [e["id"] for e in since.json()] == [outbound["id"]]
    by_time = await env.client.get(
        "/admin/emsp/exchanges", params={"since": "2026-01-01T00:00:00Z"}, headers=ADMIN
    )
    assert len(by_time.json()) == 2
    assert (
        await env.client.get("/admin/emsp/exchanges", params={"since": "x"}, headers=ADMIN)
    ).status_code == 400


async def test_wait_for_future_exchange(env: EmspUnderTest) -> None:
    recorder = env.emsp.recorder

    async def later() -> None:
        await asyncio.sleep(0.1)
        await env.send("PUT", LOC, location())

    task = asyncio.create_task(later())
    found = await recorder.wait_for(lambda e: e.module == "locations" and e.method == "PUT", 5)
    await task
    assert found.status == 201
    with pytest.raises(TimeoutError):
        await recorder.wait_for(lambda e: e.module == "cdrs", 0.1)


async def test_credentials_bodies_are_redacted(env: EmspUnderTest) -> None:
    """An inbound credentials call: the token in its answer never reaches the recorder."""
    response = await env.client.get("/ocpi/2.2.1/credentials", headers=env.auth)
    assert response.json()["data"]["token"] == "cpo-token"
    (exchange,) = env.emsp.recorder.exchanges("credentials")
    assert exchange.response_body["data"]["token"] == REDACTED
