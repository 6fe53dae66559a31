"""What the eMSP starts (simulator/emsp/outbound.py): a Token changed after its PUT is pushed as
a PATCH of the changed fields and last_updated (§12.2.1.3), delivered after the PUT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from simulator.emsp.app import create_app
from simulator.platform.clock import FakeClock
from simulator.platform.outbox import DeliveryPolicy, OutboxWorker
from simulator.platform.services import Platform
from simulator.platform.tables import OutboxEvent
from tests.simulator.emsp.conftest import (
    ADMIN,
    CpoDouble,
    EmspUnderTest,
    add_partner,
    emsp_settings,
    ocpi,
)

PATH = "/ocpi/cpo/2.2.1/tokens/NL/PFE/TOK1"
POLICY = DeliveryPolicy(request_timeout_seconds=2, lease_seconds=30)


async def _change(client: AsyncTestClient[Any], method: str, body: dict[str, Any]) -> Any:
    response = await client.request(
        method, "/admin/emsp/tokens/TOK1", json=body, params={"type": "APP_USER"}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _deliver(platform: Platform, clock: FakeClock, cpo: CpoDouble) -> list[Any]:
    """Run the outbox once against the CPO double; the bodies it received, in order."""
    cpo.routes[("PUT", PATH)] = cpo.routes[("PATCH", PATH)] = lambda _: ocpi()
    async with httpx.AsyncClient(transport=httpx.MockTransport(cpo.handle)) as http:
        await OutboxWorker(platform.database, clock, http, POLICY).run_once()
    return [(r.method, r.url.params.get("type"), json.loads(r.content)) for r in cpo.requests]


async def test_a_changed_token_is_pushed_as_a_patch_of_what_changed(env: EmspUnderTest) -> None:
    made = await _change(env.client, "PUT", {"valid": True, "whitelist": "ALLOWED"})
    env.clock.advance(5)
    patched = await _change(env.client, "PATCH", {"valid": False, "whitelist": "ALLOWED"})
    assert patched["changed"] == ["valid"]
    assert patched["queued"] == 1
    token = patched["token"]
    assert token["valid"] is False
    assert token["last_updated"] > made["token"]["last_updated"]
    assert (await env.client.get("/admin/emsp/tokens", headers=ADMIN)).json() == [token]
    pushed = await _deliver(env.platform, env.clock, env.cpo)
    assert pushed == [
        ("PUT", "APP_USER", made["token"]),
        ("PATCH", "APP_USER", {"valid": False, "last_updated": token["last_updated"]}),
    ]
    same = await _change(env.client, "PATCH", {"valid": False})  # nothing changed: no push
    assert same["queued"] == 0
    assert same["token"] == token


async def test_a_patch_cannot_rename_or_invent_a_token(env: EmspUnderTest) -> None:
    await _change(env.client, "PUT", {})
    for body in ({"uid": "OTHER"}, {"whitelist": "SOMETIMES"}):
        response = await env.client.patch(
            "/admin/emsp/tokens/TOK1", json=body, params={"type": "APP_USER"}, headers=ADMIN
        )
        assert response.status_code == 400, body
    unknown = await env.client.patch("/admin/emsp/tokens/NOPE", json={"valid": False},
                                     headers=ADMIN)  # fmt: skip
    assert unknown.status_code == 404
    async with env.platform.database.transaction() as session:
        methods = [e.method for e in await session.scalars(select(OutboxEvent))]
    assert methods == ["PUT"]


async def test_planted_fault_leaves_last_updated_out_of_the_patch(tmp_path: Path) -> None:
    cpo, clock = CpoDouble(), FakeClock()
    settings = emsp_settings(tmp_path, outbox_worker_enabled=False,
                             plugfest_faults="token_patch_without_last_updated")  # fmt: skip
    app = create_app(settings, clock=clock, http=httpx.AsyncClient())
    async with AsyncTestClient(app=app, base_url="http://emsp.test") as client:
        await add_partner(app.state.platform, "cpo-token")
        await _change(client, "PUT", {})
        await _change(client, "PATCH", {"valid": False})
        pushed = await _deliver(app.state.platform, clock, cpo)
    assert pushed[-1] == ("PATCH", "APP_USER", {"valid": False})
