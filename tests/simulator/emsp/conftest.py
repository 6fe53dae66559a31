"""eMSP fixtures: the simulator in process (AsyncTestClient) with a registered CPO partner whose
outbound calls go to a scriptable CPO double (httpx.MockTransport), and valid OCPI objects."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from simulator.emsp.app import EmspSettings, create_app
from simulator.emsp.services import Emsp
from simulator.platform.clock import FakeClock
from simulator.platform.services import Platform
from simulator.platform.tables import Partner
from simulator.platform.tokens_codec import encode_header, hash_token

ADMIN_TOKEN = "emsp-admin"
HMAC = "emsp-hmac"
CPO_URL = "http://cpo.test"
BASE = "/ocpi/emsp/2.2.1"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
T0 = "2026-01-01T00:00:00Z"


def emsp_settings(tmp_path: Path, **overrides: Any) -> EmspSettings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/emsp.db",
        "admin_token": ADMIN_TOKEN,
        "token_hmac_secret": HMAC,
        "ocpi_base_url": "http://emsp.test",
        **overrides,
    }
    return EmspSettings(**values)


# --- valid objects -------------------------------------------------------------------------------


def connector(cid: str = "1", last_updated: str = T0) -> dict[str, Any]:
    return {
        "id": cid,
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 32,
        "last_updated": last_updated,
    }


def evse(uid: str = "E1", last_updated: str = T0) -> dict[str, Any]:
    return {
        "uid": uid,
        "evse_id": f"NL*PLF*E{uid}",
        "status": "AVAILABLE",
        "connectors": [connector("1", last_updated)],
        "last_updated": last_updated,
    }


def location(lid: str = "LOC1", cc: str = "NL", pid: str = "PLF") -> dict[str, Any]:
    return {
        "country_code": cc,
        "party_id": pid,
        "id": lid,
        "publish": True,
        "address": "Stationsplein 1",
        "city": "Utrecht",
        "country": "NLD",
        "coordinates": {"latitude": "52.08944", "longitude": "5.11000"},
        "evses": [evse("E1")],
        "time_zone": "Europe/Amsterdam",
        "last_updated": T0,
    }


def cdr_token(uid: str = "TOK1") -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "PFE",
        "uid": uid,
        "type": "RFID",
        "contract_id": "NL-PFE-C00001",
    }


def period(start: str, kwh: float) -> dict[str, Any]:
    return {"start_date_time": start, "dimensions": [{"type": "ENERGY", "volume": kwh}]}


def session(sid: str = "S1", periods: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "PLF",
        "id": sid,
        "start_date_time": T0,
        "kwh": 0.0,
        "cdr_token": cdr_token(),
        "auth_method": "COMMAND",
        "location_id": "LOC1",
        "evse_uid": "E1",
        "connector_id": "1",
        "currency": "EUR",
        "status": "ACTIVE",
        "last_updated": T0,
    }
    if periods is not None:
        body["charging_periods"] = periods
    return body


def cdr(cid: str = "CDR1", session_id: str = "S1") -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "PLF",
        "id": cid,
        "session_id": session_id,
        "start_date_time": T0,
        "end_date_time": "2026-01-01T01:00:00Z",
        "cdr_token": cdr_token(),
        "auth_method": "COMMAND",
        "cdr_location": {
            "id": "LOC1",
            "address": "Stationsplein 1",
            "city": "Utrecht",
            "country": "NLD",
            "coordinates": {"latitude": "52.08944", "longitude": "5.11000"},
            "evse_uid": "E1",
            "evse_id": "NL*PLF*EE1",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_3_PHASE",
        },
        "currency": "EUR",
        "charging_periods": [period(T0, 11.0)],
        "total_cost": {"excl_vat": 4.4},
        "total_energy": 11.0,
        "total_time": 1.0,
        "last_updated": "2026-01-01T01:00:00Z",
    }


def tariff(tid: str = "T1") -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "PLF",
        "id": tid,
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.4, "step_size": 1}]}],
        "last_updated": T0,
    }


# --- the CPO double behind MockTransport ----------------------------------------------------------


@dataclass
class CpoDouble:
    """Answers the eMSP's outbound calls; `routes` maps (method, path) to a handler."""

    requests: list[httpx.Request] = field(default_factory=list)
    routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = field(
        default_factory=dict
    )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            return httpx.Response(404, json={"status_code": 2000, "timestamp": T0})
        return handler(request)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


def ocpi(data: Any = None, status_code: int = 1000, **headers: str) -> httpx.Response:
    body: dict[str, Any] = {"status_code": status_code, "timestamp": T0}
    if data is not None:
        body["data"] = data
    return httpx.Response(200, json=body, headers=headers)


CPO_ENDPOINTS = [
    {"identifier": m, "role": role, "url": f"{CPO_URL}/ocpi/cpo/2.2.1/{m}"}
    for m, role in (
        ("credentials", "SENDER"),
        ("locations", "SENDER"),
        ("sessions", "SENDER"),
        ("cdrs", "SENDER"),
        ("tariffs", "SENDER"),
        ("tokens", "RECEIVER"),
        ("commands", "RECEIVER"),
        ("chargingprofiles", "RECEIVER"),
    )
]
CPO_ROLES = [
    {
        "role": "CPO",
        "country_code": "NL",
        "party_id": "PLF",
        "business_details": {"name": "CPO double"},
    }
]


@dataclass
class EmspUnderTest:
    client: AsyncTestClient[Any]
    cpo: CpoDouble
    clock: FakeClock
    partner_id: str
    token: str

    @property
    def platform(self) -> Platform:
        platform: Platform = self.client.app.state.platform
        return platform

    @property
    def emsp(self) -> Emsp:
        emsp: Emsp = self.client.app.state.emsp
        return emsp

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": encode_header(self.token)}

    async def send(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        content = None if body is None else json.dumps(body)
        headers = {**self.auth, "Content-Type": "application/json", **kwargs.pop("headers", {})}
        return await self.client.request(
            method, f"{BASE}{path}", content=content, headers=headers, **kwargs
        )


async def add_partner(
    platform: Platform, token: str, roles: list[dict[str, Any]] | None = None
) -> str:
    """A registered CPO partner calling us with `token`, as if the handshake had run."""
    now = platform.clock.now()
    partner = Partner(
        id=str(uuid.uuid4()),
        status="registered",
        initiated_by="partner",
        versions_url=f"{CPO_URL}/ocpi/versions",
        version="2.2.1",
        endpoints=copy.deepcopy(CPO_ENDPOINTS),
        roles=copy.deepcopy(roles or CPO_ROLES),
        inbound_token_hash=hash_token(HMAC.encode(), token),
        outbound_token="token-for-cpo",
        created_at=now,
        updated_at=now,
    )
    async with platform.database.transaction() as session:
        session.add(partner)
    return partner.id


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[EmspUnderTest]:
    cpo = CpoDouble()
    clock = FakeClock()
    http = httpx.AsyncClient(transport=httpx.MockTransport(cpo.handle))
    settings = emsp_settings(
        tmp_path, fault_slow_seconds=0.3, fault_timeout_seconds=1.0, outbox_worker_enabled=False
    )
    app = create_app(settings, clock=clock, http=http)
    async with AsyncTestClient(app=app, base_url="http://emsp.test") as client:
        platform: Platform = app.state.platform
        partner_id = await add_partner(platform, "cpo-token")
        yield EmspUnderTest(client, cpo, clock, partner_id, "cpo-token")
