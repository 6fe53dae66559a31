"""A world for backend tests: the CPO on loopback with a FakeClock, a seeded Location and
Tariff, and an eMSP double (registered as a partner) that records every call it gets: command
results, charging-profile results and updates, real-time authorization requests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, route
from litestar.params import FromPath
from sqlalchemy import select

from simulator.cpo.backend import Backend
from simulator.cpo.catalog import Catalog
from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import Key
from simulator.platform.tables import OutboxEvent, Partner
from simulator.platform.tokens_codec import hash_token
from specs import contract
from tests.simulator.conftest import (
    ADMIN_TOKEN,
    HMAC_SECRET,
    LoopbackServer,
    RunningCpo,
    StartCpo,
    auth,
    free_port,
)

BASE = "/ocpi/cpo/2.2.1"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LOCATION_ID = "LOC1"
AC = "EVSE-AC"  # REMOTE_START_STOP_CAPABLE, RESERVABLE, UNLOCK_CAPABLE; 3 x 230 V x 16 A
DC = "EVSE-DC"  # START_SESSION_CONNECTOR_REQUIRED; 50 kW
PLAIN = "EVSE-PLAIN"  # no capabilities
AC_POWER_KW = 3 * 230 * 16 / 1000
TARIFF_ID = "T1"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None


@dataclass
class EmspDouble:
    """Answers everything with an OCPI envelope and records it; `authorize` scripts the
    answer to real-time authorization (None: 404 with 2004, unknown token)."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    authorize: Callable[[str, str], dict[str, Any] | None] | None = None

    def find(self, method: str, path_suffix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.endswith(path_suffix)]

    async def wait(
        self, method: str, path_suffix: str, count: int = 1, within: float = 10
    ) -> list[Call]:
        deadline = asyncio.get_running_loop().time() + within
        while len(self.find(method, path_suffix)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {method} *{path_suffix}; got {self.calls}")
            await asyncio.sleep(0.02)
        return self.find(method, path_suffix)


def emsp_app(double: EmspDouble) -> Litestar:
    @route("/{path:path}", http_method=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def anything(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[Any]:
        raw = await request.body()
        body = await request.json() if raw else None
        call = Call(
            request.method,
            request.url.path,
            dict(request.query_params),
            body,
            request.headers.get("authorization"),
        )
        double.calls.append(call)
        envelope: dict[str, Any] = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}
        if path.endswith("/authorize") and double.authorize is not None:
            uid = path.rsplit("/", 2)[-2]
            info = double.authorize(uid, call.query.get("type", "RFID"))
            if info is None:
                return Response({**envelope, "status_code": 2004}, status_code=404)
            envelope["data"] = info
        return Response(envelope, status_code=200)

    return Litestar([anything])


def token(uid: str = "RFID1", whitelist: str = "ALWAYS", valid: bool = True) -> dict[str, Any]:
    return {
        "country_code": "DE",
        "party_id": "EMS",
        "uid": uid,
        "type": "RFID",
        "contract_id": f"DE-EMS-C{uid}",
        "issuer": "Test eMSP",
        "valid": valid,
        "whitelist": whitelist,
        "last_updated": "2025-12-01T00:00:00Z",
    }


def connector(cid: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": cid,
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 16,
        "tariff_ids": [TARIFF_ID],
        "last_updated": "2025-12-01T00:00:00Z",
    }
    return {**base, **extra}


def evse(uid: str, capabilities: list[str], conn: dict[str, Any]) -> dict[str, Any]:
    return {
        "uid": uid,
        "evse_id": f"NL*PLF*E{uid.replace('-', '')}",
        "status": "AVAILABLE",
        "capabilities": capabilities,
        "connectors": [conn],
        "last_updated": "2025-12-01T00:00:00Z",
    }


def location() -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "PLF",
        "id": LOCATION_ID,
        "publish": True,
        "name": "Plugfest test site",
        "address": "Stationsplein 1",
        "city": "Utrecht",
        "postal_code": "3511ED",
        "country": "NLD",
        "coordinates": {"latitude": "52.089444", "longitude": "5.110278"},
        "time_zone": "Europe/Amsterdam",
        "evses": [
            evse(AC, ["REMOTE_START_STOP_CAPABLE", "RESERVABLE", "UNLOCK_CAPABLE"], connector("1")),
            evse(
                DC,
                ["REMOTE_START_STOP_CAPABLE", "START_SESSION_CONNECTOR_REQUIRED"],
                connector(
                    "1",
                    standard="IEC_62196_T2_COMBO",
                    format="CABLE",
                    power_type="DC",
                    max_voltage=500,
                    max_amperage=100,
                    max_electric_power=50000,
                ),
            ),
            evse(PLAIN, [], connector("1")),
        ],
        "last_updated": "2025-12-01T00:00:00Z",
    }


def tariff() -> dict[str, Any]:
    """Cheaper energy from 02:00 to 03:00 local time; otherwise energy, time and a start fee."""
    return {
        "country_code": "NL",
        "party_id": "PLF",
        "id": TARIFF_ID,
        "currency": "EUR",
        "elements": [
            {
                "price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}],
                "restrictions": {"start_time": "02:00", "end_time": "03:00"},
            },
            {
                "price_components": [
                    {"type": "FLAT", "price": 0.50, "step_size": 1},
                    {"type": "ENERGY", "price": 0.35, "step_size": 1},
                    {"type": "PARKING_TIME", "price": 2.00, "step_size": 60},
                ]
            },
        ],
        "last_updated": "2025-12-01T00:00:00Z",
    }


@dataclass
class World:
    cpo: RunningCpo
    emsp: EmspDouble
    client: httpx.AsyncClient
    token: str
    partner_id: str

    @property
    def backend(self) -> Backend:
        backend: Backend = self.cpo.app.state.backend
        return backend

    def response_url(self, name: str) -> str:
        return f"{self.emsp.url}/results/{name}/{uuid.uuid4().hex[:8]}"

    async def command(self, command: str, body: Any, token: str | None = None) -> dict[str, Any]:
        response = await self.client.post(
            f"{self.cpo.url}{BASE}/commands/{command}", headers=auth(token or self.token), json=body
        )
        assert response.status_code == 200, response.text
        envelope: dict[str, Any] = response.json()
        return envelope

    async def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.client.request(
            method, f"{self.cpo.url}/admin/cpo/backend/{path}", headers=ADMIN, json=body
        )

    async def advance(self, seconds: float) -> None:
        response = await self.admin("POST", "advance", {"seconds": seconds})
        assert response.status_code == 200, response.text

    async def session(self, session_id: str) -> dict[str, Any]:
        found = await self.cpo.call(self.backend.session(session_id))
        assert found is not None
        return found

    async def events(self, module: str | None = None) -> list[OutboxEvent]:
        async def read() -> list[OutboxEvent]:
            async with self.cpo.platform.database.transaction() as session:
                query = select(OutboxEvent).order_by(OutboxEvent.id)
                if module is not None:
                    query = query.where(OutboxEvent.module == module)
                return list((await session.scalars(query)).all())

        return await self.cpo.call(read())

    async def store_token(self, body: dict[str, Any]) -> None:
        key = Key(
            "token",
            self.partner_id,
            body["country_code"],
            body["party_id"],
            body["uid"],
            body["type"],
        )
        await self.cpo.call(self.cpo.platform.documents.put(key, body))


async def register_partner(
    cpo: RunningCpo, emsp: EmspDouble, country_code: str = "DE", party_id: str = "EMS"
) -> tuple[str, str]:
    """A registered eMSP partner whose endpoints point at the double: (partner id, token C)."""
    token_c = f"token-c-{uuid.uuid4().hex}"
    modules = [
        ("tokens", "SENDER"),
        ("commands", "SENDER"),
        ("chargingprofiles", "SENDER"),
        ("sessions", "RECEIVER"),
        ("cdrs", "RECEIVER"),
        ("locations", "RECEIVER"),
    ]
    now = cpo.clock.now()
    partner = Partner(
        id=str(uuid.uuid4()),
        status="registered",
        initiated_by="partner",
        versions_url=f"{emsp.url}/versions",
        version="2.2.1",
        endpoints=[
            {"identifier": m, "role": r, "url": f"{emsp.url}/{party_id}/2.2.1/{m}"}
            for m, r in modules
        ],
        roles=[
            {
                "role": "EMSP",
                "business_details": {"name": "Test eMSP"},
                "country_code": country_code,
                "party_id": party_id,
            }
        ],
        inbound_token_hash=hash_token(HMAC_SECRET.encode(), token_c),
        outbound_token=f"token-b-{uuid.uuid4().hex}",
        created_at=now,
        updated_at=now,
    )

    async def add() -> None:
        async with cpo.platform.database.transaction() as session:
            session.add(partner)

    await cpo.call(add())
    return partner.id, token_c


async def make_world(
    start_cpo: StartCpo, database_url: str, client: httpx.AsyncClient, servers: list[LoopbackServer]
) -> World:
    port = free_port()
    double = EmspDouble(url=f"http://127.0.0.1:{port}")
    server = LoopbackServer(emsp_app(double), port)
    server.start()
    servers.append(server)
    cpo = start_cpo(
        database_url,
        outbox_worker_enabled=False,
        backend_charge_point_delay_seconds=0.01,
    )
    catalog = Catalog(cpo.platform)
    await cpo.call(catalog.put_tariff(tariff()))
    await cpo.call(catalog.put_location(location()))
    partner_id, token_c = await register_partner(cpo, double)
    return World(cpo, double, client, token_c, partner_id)


def valid(body: Any, schema: str) -> Any:
    problems = contract.errors(body, schema)
    assert problems == [], problems
    return body


def start_body(world: World, **extra: Any) -> dict[str, Any]:
    body = {
        "response_url": world.response_url("START_SESSION"),
        "token": token("APP1"),
        "location_id": LOCATION_ID,
        "evse_uid": AC,
        "authorization_reference": "AUTHREF-1",
    }
    body.update(extra)
    return body


def stamp(world: World) -> str:
    return ocpi_datetime(world.cpo.clock.now())


@pytest.fixture(name="world")
async def world_fixture(
    start_cpo: StartCpo, database_url: str, client: httpx.AsyncClient
) -> AsyncIterator[World]:
    """The CPO with a seeded Location and a registered eMSP double, over each database."""
    servers: list[LoopbackServer] = []
    try:
        yield await make_world(start_cpo, database_url, client, servers)
    finally:
        for server in servers:
            server.stop()
