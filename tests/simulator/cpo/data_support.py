"""Shared helpers of the data-module tests: a CPO under AsyncTestClient with a partner registered
through the real credentials handshake (the partner's versions served by a mock transport), and
a pagination crawler that checks §4.1.4.1 on every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.clock import FakeClock
from simulator.platform.services import Platform
from simulator.platform.tables import OutboxEvent
from simulator.platform.tokens_codec import encode_header
from specs import contract

ADMIN = {"Authorization": "Bearer admin-secret"}
PARTNER_URL = "http://partner.test"
EMSP_ROLE = {"role": "EMSP", "business_details": {"name": "Test eMSP"},
             "party_id": "EMS", "country_code": "DE"}  # fmt: skip


def token_header(token: str) -> dict[str, str]:
    return {"Authorization": encode_header(token)}


Handler = Callable[[httpx.Request], httpx.Response]


def partner_transport(
    receives: list[str], sends: dict[str, Handler] | None = None
) -> httpx.MockTransport:
    """A partner that answers versions and version details (§6), publishing `receives` (as it is
    at the time of the call) as RECEIVER modules and `sends` as SENDER modules, each served by
    its handler; any other call gets an empty success."""
    senders = sends or {}

    def handle(request: httpx.Request) -> httpx.Response:
        envelope: dict[str, Any] = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}
        module = request.url.path.removeprefix("/2.2.1/").split("/")[0]
        if module in senders:
            return senders[module](request)
        if request.url.path == "/versions":
            envelope["data"] = [{"version": "2.2.1", "url": f"{PARTNER_URL}/2.2.1"}]
        elif request.url.path == "/2.2.1":
            # hubclientinfo: never pushed to by a CPO, but a partner with nothing besides
            # credentials has no module in common with us and gets 3003 (§7.1.1, §5).
            modules = ["credentials", "hubclientinfo", *receives]
            envelope["data"] = {
                "version": "2.2.1",
                "endpoints": [
                    {"identifier": m, "role": "SENDER" if m == "credentials" else "RECEIVER",
                     "url": f"{PARTNER_URL}/2.2.1/{m}"}
                    for m in modules
                ] + [{"identifier": m, "role": "SENDER", "url": f"{PARTNER_URL}/2.2.1/{m}"}
                     for m in senders],
            }  # fmt: skip
        return httpx.Response(200, json=envelope)

    return httpx.MockTransport(handle)


@dataclass
class Cpo:
    """The app under a test client; `platform` is a second set of the CPO's services on the
    test's event loop (the app runs on its own), sharing the database and the clock."""

    client: AsyncTestClient[Any]
    platform: Platform
    clock: FakeClock
    receives: list[str]

    async def register(
        self, receives: tuple[str, ...] = (), roles: list[dict[str, Any]] | None = None
    ) -> dict[str, str]:
        """Register a partner receiving `receives` through POST credentials with a fresh
        TOKEN_A; its auth header."""
        self.receives[:] = receives
        minted = await self.client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)
        assert minted.status_code == 201, minted.text
        body = {"token": "partner-token-b", "url": f"{PARTNER_URL}/versions",
                "roles": roles or [EMSP_ROLE]}  # fmt: skip
        answer = await self.client.post(
            "/ocpi/2.2.1/credentials", json=body, headers=token_header(minted.json()["token"])
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status_code"] == 1000, answer.text
        return token_header(answer.json()["data"]["token"])

    async def outbox(self) -> list[OutboxEvent]:
        async with self.platform.database.transaction() as session:
            return list((await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all())


@asynccontextmanager
async def running_cpo(
    tmp_path: Path, database_url: str, faults: str = "", sends: dict[str, Handler] | None = None
) -> AsyncIterator[Cpo]:
    """The CPO app (outbox worker off, so queued pushes stay visible) over `database_url`, with
    the planted `faults` (simulator/platform/planted.py), if any, and a partner serving the
    Sender modules `sends` (`partner_transport`). `Cpo.platform` calls that partner too."""
    settings = CpoSettings(
        data_dir=tmp_path,
        database_url=database_url,
        admin_token="admin-secret",  # type: ignore[arg-type]
        token_hmac_secret="hmac-secret",  # type: ignore[arg-type]
        outbox_worker_enabled=False,
        plugfest_faults=faults,  # type: ignore[arg-type]
    )
    clock = FakeClock()
    receives: list[str] = []
    http = httpx.AsyncClient(transport=partner_transport(receives, sends))
    app = create_app(settings, clock=clock, http=http)
    local = Platform.build(
        settings.with_generated_secrets(), "CPO", [], clock=clock,
        http=httpx.AsyncClient(transport=partner_transport(receives, sends)),
    )  # fmt: skip
    try:
        async with AsyncTestClient(app=app) as client:
            yield Cpo(client, local, clock, receives)
    finally:
        await local.close()


@dataclass(frozen=True)
class Crawl:
    items: list[dict[str, Any]]
    pages: int
    totals: set[int]


def _path_of(link: str) -> str:
    url = link.split(";")[0].strip().removeprefix("<").removesuffix(">")
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def crawl(
    client: Any, path: str, headers: dict[str, str], schema: str, **params: str | int
) -> Crawl:
    """Follow Link rel="next" from `path`; checks every page (§4.1.4.1): envelope per the YAML
    (`schema` is the list envelope, e.g. LocationListResponse), X-Limit 100, X-Total-Count, Link
    on all but the last page, carrying the original date filters."""
    url: str | None = path + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )
    items: list[dict[str, Any]] = []
    pages = 0
    totals: set[int] = set()
    while url is not None:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status_code"] == 1000, body
        assert contract.errors(body, schema) == []
        assert response.headers["X-Limit"] == "100"
        totals.add(int(response.headers["X-Total-Count"]))
        items.extend(body["data"])
        pages += 1
        link = response.headers.get("Link")
        if link is None:
            url = None
        else:
            assert link.endswith('; rel="next"'), link
            assert body["data"], "a Link after an empty page"
            url = _path_of(link)
            query = parse_qs(urlsplit(url).query)
            for name in ("date_from", "date_to"):
                if name in params:
                    assert query[name] == [str(params[name])], (name, link)
        assert pages < 1000
    return Crawl(items, pages, totals)
