"""The audit trail: append-only on both databases, and free of secrets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from simulator.cpo.app import create_app
from simulator.platform.audit import RequestContext
from simulator.platform.clock import FakeClock
from simulator.platform.migrate import upgrade_async
from simulator.platform.services import Platform
from simulator.platform.tables import AuditEvent
from tests.simulator.conftest import PartnerDouble, RunningCpo, auth, b64, cpo_settings


@pytest.fixture
async def platform(database_url: str, tmp_path: Path) -> AsyncIterator[Platform]:
    await upgrade_async(database_url)
    app = create_app(cpo_settings(tmp_path, database_url, 9), clock=FakeClock())
    built: Platform = app.state.platform
    yield built
    await built.close()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET event = 'tampered'", "DELETE FROM audit_events"],
)
async def test_audit_trail_refuses_update_and_delete(platform: Platform, statement: str) -> None:
    await platform.bootstrap.create(timedelta(hours=1), RequestContext(request_id="r1"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with platform.database.transaction() as session:
            await session.execute(text(statement))
    async with platform.database.transaction() as session:
        events = (await session.scalars(select(AuditEvent))).all()
        assert [e.event for e in events] == ["token.created"]
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 1


async def test_handshake_is_audited_without_secrets(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    minted = await cpo.mint()
    partner.accepted.add("token-b-audit")
    response = await client.post(
        cpo.credentials_url,
        headers={**auth(minted.token), "X-Request-ID": "req-audit"},
        json=partner.credentials("token-b-audit"),
    )
    token_c = response.json()["data"]["token"]
    await client.get(cpo.versions_url, headers=auth(minted.token))  # spent: rejected
    await client.get(cpo.versions_url)  # missing
    events = await cpo.call(cpo.platform.audit.recent())
    kinds = [(e["event"], e["reason"]) for e in reversed(events)]
    assert kinds == [
        ("token.created", None),
        ("token.redeemed", None),
        ("partner.registered", None),
        ("token.rejected", "spent"),
        ("auth.rejected", "missing"),
    ]
    redeemed = next(e for e in events if e["event"] == "token.redeemed")
    assert redeemed["request_id"] == "req-audit"
    assert redeemed["token_id"] == minted.id
    assert redeemed["client_address"] == "127.0.0.1"
    dump = repr(events)
    for secret in (minted.token, "token-b-audit", token_c):
        assert secret not in dump
        assert b64(secret) not in dump
