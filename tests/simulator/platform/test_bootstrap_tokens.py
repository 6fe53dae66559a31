"""Bootstrap tokens (TOKEN_A): entropy, hashed storage, single use under races, expiry, scope."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide
from sqlalchemy import select, text

from simulator.platform.app import create_platform_app
from simulator.platform.audit import RequestContext
from simulator.platform.clock import FakeClock
from simulator.platform.migrate import upgrade_async
from simulator.platform.services import ModuleEndpoint, Platform
from simulator.platform.tables import BootstrapToken
from simulator.platform.tokens_codec import hash_token
from simulator.platform.transport import Caller, authenticate_partner, ocpi_response
from tests.simulator.conftest import (
    HMAC_SECRET,
    LoopbackServer,
    PartnerDouble,
    RunningCpo,
    auth,
    cpo_settings,
    free_port,
    is_envelope,
)


@pytest.fixture
async def platform(database_url: str, tmp_path: Path) -> AsyncIterator[Platform]:
    """The CPO's services on the test's own loop (no server), over each database."""
    from simulator.cpo.app import create_app

    await upgrade_async(database_url)
    app = create_app(cpo_settings(tmp_path, database_url, 9), clock=FakeClock())
    built: Platform = app.state.platform
    yield built
    await built.close()


async def test_minted_token_is_256_bits_and_stored_only_as_hmac(
    platform: Platform, database_url: str, tmp_path: Path
) -> None:
    minted = await platform.bootstrap.create(timedelta(hours=1), RequestContext(), label="x")
    assert len(base64.urlsafe_b64decode(minted.token + "=")) >= 32
    async with platform.database.transaction() as session:
        row = (await session.scalars(select(BootstrapToken))).one()
        dump = [
            tuple(r)
            for table in ("bootstrap_tokens", "partners", "audit_events")
            for r in (await session.execute(text(f"SELECT * FROM {table}"))).all()
        ]
    assert row.token_hash == hash_token(HMAC_SECRET.encode(), minted.token)
    assert minted.token not in repr(dump)
    assert base64.b64encode(minted.token.encode()).decode() not in repr(dump)
    listing = await platform.bootstrap.listing()
    assert minted.token not in repr(listing)
    assert row.token_hash not in repr(listing)
    if database_url.startswith("sqlite"):
        await platform.database.dispose()
        assert _files_containing(tmp_path, minted.token.encode()) == []


def _files_containing(directory: Path, needle: bytes) -> list[Path]:
    files = list(directory.glob("x.db*"))
    assert files, "no SQLite files to inspect"
    return [path for path in files if needle in path.read_bytes()]


async def test_concurrent_redeem_exactly_one_wins(platform: Platform) -> None:
    for _ in range(3):
        minted = await platform.bootstrap.create(timedelta(hours=1), RequestContext())
        results = await asyncio.gather(*(platform.bootstrap.redeem(minted.id) for _ in range(8)))
        assert sorted(results) == [False] * 7 + [True]


async def test_redeem_respects_expiry_and_revocation(platform: Platform) -> None:
    clock = platform.clock
    assert isinstance(clock, FakeClock)
    expiring = await platform.bootstrap.create(timedelta(minutes=10), RequestContext())
    revoked = await platform.bootstrap.create(timedelta(minutes=10), RequestContext())
    assert await platform.bootstrap.revoke(revoked.id, RequestContext())
    assert not await platform.bootstrap.redeem(revoked.id)
    assert await platform.bootstrap.why_unusable(revoked.token) == ("revoked", revoked.id)
    clock.advance(600)
    assert await platform.bootstrap.find_usable(expiring.token) is None
    assert not await platform.bootstrap.redeem(expiring.id)
    assert await platform.bootstrap.why_unusable(expiring.token) == ("expired", expiring.id)


async def test_concurrent_handshakes_over_http_exactly_one_succeeds(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    minted = await cpo.mint()
    partner.accepted.add("token-b")

    async def attempt() -> httpx.Response:
        return await client.post(
            cpo.credentials_url, headers=auth(minted.token), json=partner.credentials("token-b")
        )

    responses = await asyncio.gather(*(attempt() for _ in range(8)))
    outcomes = sorted((r.status_code, is_envelope(r)["status_code"]) for r in responses)
    assert outcomes == [(200, 1000)] + [(401, 2000)] * 7, outcomes
    winners = [is_envelope(r) for r in responses if r.status_code == 200]
    assert isinstance(winners[0]["data"]["token"], str)
    assert len(await cpo.call(cpo.platform.registration.partners())) == 1


async def test_expiry_against_the_fake_clock_over_http(
    cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    minted = await cpo.mint(timedelta(minutes=10))
    cpo.clock.advance(599)
    assert (await client.get(cpo.versions_url, headers=auth(minted.token))).status_code == 200
    cpo.clock.advance(1)
    response = await client.get(cpo.versions_url, headers=auth(minted.token))
    assert response.status_code == 401
    assert "expired" in is_envelope(response)["status_message"]
    events = await cpo.call(cpo.platform.audit.recent(event="token.rejected"))
    assert [(e["reason"], e["token_id"]) for e in events] == [("expired", minted.id)]


async def test_revoked_token_refused_over_http(cpo: RunningCpo, client: httpx.AsyncClient) -> None:
    minted = await cpo.mint()
    assert await cpo.call(cpo.platform.bootstrap.revoke(minted.id, RequestContext()))
    response = await client.get(cpo.versions_url, headers=auth(minted.token))
    assert response.status_code == 401
    is_envelope(response)


@get("/ocpi/2.2.1/locations", dependencies={"caller": Provide(authenticate_partner)})
async def _locations(
    request: Request[Any, Any, Any], caller: NamedDependency[Caller]
) -> Response[Any]:
    return ocpi_response(request, [])


async def test_token_a_is_usable_on_versions_and_credentials_only(
    tmp_path: Path, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    port = free_port()
    settings = cpo_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/scope.db", port)
    app = create_platform_app(
        settings,
        role="CPO",
        title="scope test",
        modules=[ModuleEndpoint("locations", "SENDER", "/ocpi/2.2.1/locations")],
        route_handlers=[_locations],
        clock=FakeClock(),
    )
    server = LoopbackServer(app, port)
    server.start()
    try:
        platform: Platform = app.state.platform
        minted = await server.call(platform.bootstrap.create(timedelta(hours=1), RequestContext()))
        base = server.url
        assert (await client.get(f"{base}/ocpi/versions", headers=auth(minted.token))).is_success
        details = await client.get(f"{base}/ocpi/2.2.1", headers=auth(minted.token))
        identifiers = {e["identifier"] for e in is_envelope(details)["data"]["endpoints"]}
        assert identifiers == {"credentials", "locations"}
        refused = await client.get(f"{base}/ocpi/2.2.1/locations", headers=auth(minted.token))
        assert refused.status_code == 401
        is_envelope(refused)
        partner.accepted.add("token-b")
        answer = await client.post(
            f"{base}/ocpi/2.2.1/credentials",
            headers=auth(minted.token),
            json=partner.credentials("token-b"),
        )
        token_c = is_envelope(answer)["data"]["token"]
        allowed = await client.get(f"{base}/ocpi/2.2.1/locations", headers=auth(token_c))
        assert allowed.status_code == 200
        assert is_envelope(allowed)["data"] == []
        events = await server.call(platform.audit.recent(event="token.rejected"))
        assert [e["reason"] for e in events] == ["bootstrap_scope"]
    finally:
        server.stop()
