"""Simulator fixtures: databases (SQLite and PostgreSQL), loopback servers, a partner double.

Every flow runs over real HTTP on 127.0.0.1: the CPO and a small test-double partner (eMSP) are
served by uvicorn in daemon threads, each with its own event loop. Work that must touch the CPO's
engine (minting tokens, calling `Registration` as a client) runs on the server's loop through
`RunningCpo.call`, since database connections belong to the loop that opened them.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from litestar import Litestar, Request, Response, delete, get, post, put

from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.audit import RequestContext
from simulator.platform.bootstrap import MintedToken
from simulator.platform.clock import FakeClock
from simulator.platform.loopback import BackgroundServer, free_port
from simulator.platform.services import Platform

T = TypeVar("T")

DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_TOKEN = "admin-secret"
HMAC_SECRET = "hmac-secret"


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def b64(token: str) -> str:
    return base64.b64encode(token.encode()).decode()


def auth(token: str) -> dict[str, str]:
    """The §4.1.2 header for a token."""
    return {"Authorization": f"Token {b64(token)}"}


# --- databases ---------------------------------------------------------------------------------


def _admin_urls() -> list[str]:
    configured = os.environ.get("PLUGFEST_TEST_POSTGRES_URL")
    if configured:
        return [configured]
    return [DEFAULT_POSTGRES_ADMIN_URL, DEFAULT_POSTGRES_ADMIN_URL.replace("postgres@", "root@")]


async def _admin_connection() -> tuple[Any, str]:
    import asyncpg

    errors = []
    for url in _admin_urls():
        try:
            return await asyncpg.connect(url, timeout=5), url
        except Exception as exc:
            errors.append(f"{url}: {type(exc).__name__}: {exc}")
    raise ConnectionError("; ".join(errors))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a new randomly named PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/x.db"
        return
    try:
        connection, admin_url = await _admin_connection()
    except ConnectionError as exc:
        message = f"PostgreSQL not reachable at {', '.join(_admin_urls())}: {exc}"
        if _truthy("PLUGFEST_REQUIRE_POSTGRES"):
            pytest.fail(message + "; PLUGFEST_REQUIRE_POSTGRES is set, so this is an error")
        pytest.skip(message)
    name = f"plugfest_test_{uuid.uuid4().hex[:16]}"
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        connection, _ = await _admin_connection()
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


# --- loopback servers --------------------------------------------------------------------------


# The package's background server, under the name these tests have always used.
LoopbackServer = BackgroundServer


@dataclass
class RunningCpo:
    """The reference CPO served on loopback, with its fake clock."""

    server: LoopbackServer
    app: Litestar
    clock: FakeClock
    settings: CpoSettings

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def versions_url(self) -> str:
        return f"{self.url}/ocpi/versions"

    @property
    def credentials_url(self) -> str:
        return f"{self.url}/ocpi/2.2.1/credentials"

    @property
    def platform(self) -> Platform:
        platform: Platform = self.app.state.platform
        return platform

    async def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return await self.server.call(coroutine)

    async def mint(self, ttl: timedelta = timedelta(hours=1), **kwargs: Any) -> MintedToken:
        return await self.call(self.platform.bootstrap.create(ttl, RequestContext(), **kwargs))


def cpo_settings(tmp_path: Path, database_url: str, port: int, **overrides: Any) -> CpoSettings:
    return CpoSettings(
        data_dir=tmp_path,
        database_url=database_url,
        ocpi_base_url=f"http://127.0.0.1:{port}",
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        token_hmac_secret=HMAC_SECRET,  # type: ignore[arg-type]
        **overrides,
    )


StartCpo = Callable[..., RunningCpo]


@pytest.fixture
def start_cpo(tmp_path: Path) -> Iterator[StartCpo]:
    """Start a CPO on loopback: `start_cpo(database_url, **settings_overrides)`."""
    servers: list[LoopbackServer] = []

    def start(database_url: str, **overrides: Any) -> RunningCpo:
        port = free_port()
        settings = cpo_settings(tmp_path / f"cpo-{port}", database_url, port, **overrides)
        clock = FakeClock()
        app = create_app(settings, clock=clock)
        server = LoopbackServer(app, port)
        server.start()
        servers.append(server)
        return RunningCpo(server, app, clock, settings)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def cpo(start_cpo: StartCpo, database_url: str) -> RunningCpo:
    """The CPO on loopback over each database."""
    return start_cpo(database_url)


@pytest.fixture
def sqlite_cpo(start_cpo: StartCpo, tmp_path: Path) -> RunningCpo:
    """The CPO on loopback over SQLite only (transport tests that do not depend on the store)."""
    return start_cpo(f"sqlite+aiosqlite:///{tmp_path}/cpo.db")


# --- the partner double (an eMSP) ----------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    authorization: str | None
    body: Any = None


@dataclass
class PartnerDouble:
    """A scriptable eMSP: serves versions, details and credentials, records every request.

    `accepted` holds the tokens it accepts (it issued them, or was handed them); `requires` the
    optional business_details fields it refuses Credentials without (HTTP 422); `versions`
    the versions it offers (["2.1.1"] gives 3002); `publish_credentials=False` leaves the
    credentials module out of its details (3003); `extra_modules` are the other endpoints
    (hubclientinfo: a partner with nothing but credentials gets 3003 too).
    """

    url: str = ""
    accepted: set[str] = field(default_factory=set)
    versions: list[str] = field(default_factory=lambda: ["2.2.1"])
    publish_credentials: bool = True
    extra_modules: list[str] = field(default_factory=lambda: ["hubclientinfo"])
    call_back_versions: bool = True
    # business_details fields it insists are present (as some real parties do: HTTP 422)
    requires: tuple[str, ...] = ()
    odd_endpoints: list[dict[str, Any]] = field(default_factory=list)  # added to its details
    requests: list[Recorded] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    received_tokens: list[str] = field(default_factory=list)
    callback_statuses: list[int] = field(default_factory=list)

    @property
    def versions_url(self) -> str:
        return f"{self.url}/versions"

    def credentials(self, token: str) -> dict[str, Any]:
        return {
            "token": token,
            "url": self.versions_url,
            "roles": [
                {
                    "role": "EMSP",
                    "business_details": {"name": "Test double eMSP"},
                    "party_id": "EMS",
                    "country_code": "DE",
                }
            ],
        }

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]


def _envelope(data: Any = None, status_code: int = 1000, http: int = 200) -> Response[Any]:
    body: dict[str, Any] = {"status_code": status_code, "timestamp": "2026-01-01T00:00:00Z"}
    if data is not None:
        body["data"] = data
    return Response(body, status_code=http)


def partner_app(double: PartnerDouble) -> Litestar:
    async def gate(request: Request[Any, Any, Any]) -> str | None:
        """Record the request; the token it carries if accepted, else None."""
        raw = await request.body()
        try:
            body = await request.json() if raw else None
        except ValueError:
            body = raw
        header = request.headers.get("authorization")
        double.requests.append(Recorded(request.method, request.url.path, header, body))
        if not header or not header.startswith("Token "):
            return None
        try:
            token = base64.b64decode(header[6:], validate=True).decode()
        except ValueError:
            return None
        return token if token in double.accepted else None

    @get("/versions")
    async def versions(request: Request[Any, Any, Any]) -> Response[Any]:
        if await gate(request) is None:
            return _envelope(None, 2000, 401)
        offered = [{"version": v, "url": f"{double.url}/{v}"} for v in double.versions]
        return _envelope(offered)

    @get("/{version:str}")
    async def details(request: Request[Any, Any, Any], version: str) -> Response[Any]:
        if await gate(request) is None:
            return _envelope(None, 2000, 401)
        modules = (["credentials"] if double.publish_credentials else []) + double.extra_modules
        endpoints = [
            {"identifier": m, "role": "RECEIVER", "url": f"{double.url}/{version}/{m}"}
            for m in modules
        ]
        return _envelope({"version": version, "endpoints": endpoints + double.odd_endpoints})

    @get("/2.2.1/credentials")
    async def read(request: Request[Any, Any, Any]) -> Response[Any]:
        token = await gate(request)
        return _envelope(None, 2000, 401) if token is None else _envelope(double.credentials(token))

    async def issue(request: Request[Any, Any, Any], old: str) -> Response[Any]:
        body = double.requests[-1].body
        details = [role.get("business_details", {}) for role in body.get("roles", [])]
        lacking = [f for f in double.requires if any(f not in d for d in details)]
        if lacking:
            return Response({"detail": f"field required: {lacking}"}, status_code=422)
        their_token = body["token"]
        double.received_tokens.append(their_token)
        if double.call_back_versions:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.get(body["url"], headers=auth(their_token))
            double.callback_statuses.append(answer.status_code)
        new = f"partner-c-{uuid.uuid4().hex}"
        double.issued.append(new)
        double.accepted.discard(old)
        double.accepted.add(new)
        return _envelope(double.credentials(new))

    @post("/2.2.1/credentials", status_code=200)
    async def register(request: Request[Any, Any, Any]) -> Response[Any]:
        token = await gate(request)
        return _envelope(None, 2000, 401) if token is None else await issue(request, token)

    @put("/2.2.1/credentials")
    async def update(request: Request[Any, Any, Any]) -> Response[Any]:
        token = await gate(request)
        return _envelope(None, 2000, 401) if token is None else await issue(request, token)

    @delete("/2.2.1/credentials", status_code=200)
    async def unregister(request: Request[Any, Any, Any]) -> Response[Any]:
        token = await gate(request)
        if token is None:
            return _envelope(None, 2000, 401)
        double.accepted.discard(token)
        return _envelope()

    return Litestar([versions, details, read, register, update, unregister])


@pytest.fixture
def partner() -> Iterator[PartnerDouble]:
    """A partner double on loopback."""
    port = free_port()
    double = PartnerDouble(url=f"http://127.0.0.1:{port}")
    server = LoopbackServer(partner_app(double), port)
    server.start()
    yield double
    server.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


def is_envelope(response: httpx.Response) -> dict[str, Any]:
    """The parsed OCPI envelope of a response; fails the test if it is not one."""
    assert response.headers.get("content-type", "").startswith("application/json"), response.text
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("status_code"), int), body
    assert isinstance(body.get("timestamp"), str), body
    assert response.headers.get("x-request-id"), response.headers
    assert response.headers.get("x-correlation-id"), response.headers
    return body
