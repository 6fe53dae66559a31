"""The eMSP simulator and the reference CPO on loopback (SQLite): registration both ways, a
real timeout, the pull client, and the whole charge flow driven by commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar import Litestar, Request, Response, get
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from simulator.cpo.app import create_app as create_cpo_app
from simulator.emsp.app import create_app
from simulator.emsp.driver import EmspDriver
from simulator.emsp.services import Emsp
from simulator.platform.clock import FakeClock
from tests.simulator.conftest import ADMIN_TOKEN as CPO_ADMIN_TOKEN
from tests.simulator.conftest import (
    LoopbackServer,
    RunningCpo,
    StartCpo,
    cpo_settings,
    free_port,
)
from tests.simulator.emsp.conftest import ADMIN_TOKEN, emsp_settings

CPO_ADMIN = {"Authorization": f"Bearer {CPO_ADMIN_TOKEN}"}


@dataclass
class RunningEmsp:
    server: LoopbackServer
    app: Litestar

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def emsp(self) -> Emsp:
        emsp: Emsp = self.app.state.emsp
        return emsp

    def driver(self) -> EmspDriver:
        return EmspDriver(self.url, ADMIN_TOKEN, poll_interval=0.05)


@pytest.fixture
def start_emsp(tmp_path: Path) -> Iterator[Any]:
    servers: list[LoopbackServer] = []

    def start(**overrides: Any) -> RunningEmsp:
        port = free_port()
        settings = emsp_settings(
            tmp_path / f"emsp-{port}", ocpi_base_url=f"http://127.0.0.1:{port}", **overrides
        )
        app = create_app(settings)
        server = LoopbackServer(app, port)
        server.start()
        servers.append(server)
        return RunningEmsp(server, app)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def cpo(start_cpo: StartCpo, tmp_path: Path) -> RunningCpo:
    return start_cpo(
        f"sqlite+aiosqlite:///{tmp_path}/cpo.db", backend_charge_point_delay_seconds=0.01
    )


async def register_emsp_with_cpo(cpo: RunningCpo, driver: EmspDriver) -> dict[str, Any]:
    minted = await cpo.mint()
    return await driver.register(cpo.versions_url, minted.token)


async def test_registration_both_ways_refresh_and_unregister(
    cpo: RunningCpo, start_emsp: Any
) -> None:
    emsp: RunningEmsp = start_emsp()
    async with emsp.driver() as driver, httpx.AsyncClient(timeout=30) as http:
        # eMSP -> CPO (§7.1.1 with the eMSP as the initiating party)
        partner = await register_emsp_with_cpo(cpo, driver)
        assert partner["status"] == "registered"
        assert partner["roles"][0]["role"] == "CPO"
        at_cpo = (await http.get(f"{cpo.url}/admin/partners", headers=CPO_ADMIN)).json()
        assert [(p["status"], p["roles"][0]["role"]) for p in at_cpo] == [("registered", "EMSP")]
        assert at_cpo[0]["roles"][0]["party_id"] == "PFE"
        refreshed = await driver.refresh(partner["id"])
        assert refreshed["status"] == "registered"
        await driver.unregister(partner["id"])
        assert (await driver.partners())[0]["status"] == "unregistered"

        # CPO -> eMSP: the eMSP's own bootstrap token (admin API, as `token create --role emsp`)
        minted = await http.post(
            f"{emsp.url}/admin/bootstrap-tokens",
            json={},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert minted.status_code == 201, minted.text
        answer = await http.post(
            f"{cpo.url}/admin/partners",
            json={"versions_url": minted.json()["versions_url"], "token": minted.json()["token"]},
            headers=CPO_ADMIN,
        )
        assert answer.status_code == 201, answer.text
        mine = [p for p in await driver.partners() if p["initiated_by"] == "partner"]
        assert [(p["status"], p["roles"][0]["role"]) for p in mine] == [("registered", "CPO")]
        details = {e["identifier"]: e["role"] for e in answer.json()["endpoints"]}
        assert details["locations"] == "RECEIVER"
        assert details["tokens"] == "SENDER"
        assert details["commands"] == "SENDER"


async def test_timeout_fault_makes_the_client_time_out(start_emsp: Any) -> None:
    emsp: RunningEmsp = start_emsp(faults="timeout", fault_timeout_seconds=1.5)
    async with httpx.AsyncClient(timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{emsp.url}/ocpi/versions")
        admin = await http.get(f"{emsp.url}/admin/emsp/faults",
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})  # fmt: skip
        assert admin.json()["timeout"] is True


# --- pull ----------------------------------------------------------------------------


def _location(n: int) -> dict[str, Any]:
    return {
        "country_code": "NL", "party_id": "PLF", "id": f"LOC{n}", "publish": True,
        "address": "Stationsplein 1", "city": "Utrecht", "country": "NLD",
        "coordinates": {"latitude": "52.08944", "longitude": "5.11000"},
        "time_zone": "Europe/Amsterdam", "last_updated": "2026-01-01T00:00:00Z",
    }  # fmt: skip


async def test_pull_follows_link_headers_and_records_invalid_objects(
    cpo: RunningCpo, start_emsp: Any
) -> None:
    """The CPO's Link URLs carry a cursor the client could never build itself (errata 9)."""
    emsp: RunningEmsp = start_emsp()
    async with emsp.driver() as driver, httpx.AsyncClient(timeout=30) as http:
        for n in range(3):
            put = await http.put(f"{cpo.url}/admin/cpo/locations/LOC{n}", json=_location(n),
                                 headers=CPO_ADMIN)  # fmt: skip
            assert put.status_code in (200, 201), put.text
        partner = await register_emsp_with_cpo(cpo, driver)
        (result,) = await driver.pull(partner["id"], "locations")
        assert result["stored"] == 3
        assert result["invalid"] == 0
        assert result["total"] == 3
        stored = await driver.objects("locations", partner["id"])
        assert sorted(loc["id"] for loc in stored) == ["LOC0", "LOC1", "LOC2"]
        everything = await driver.pull(partner["id"])
        assert [r["module"] for r in everything] == ["locations", "sessions", "cdrs", "tariffs"]


def paging_double() -> Litestar:
    pages = {
        "first": ([_location(1), _location(2)], "opaque-cursor-xyz"),
        "opaque-cursor-xyz": ([_location(3), {**_location(4), "coordinates": "here"}], None),
    }

    @get("/locations")
    async def locations(request: Request[Any, Any, Any]) -> Response[Any]:
        cursor = request.query_params.get("cursor", "first")
        items, following = pages[cursor]
        headers = {"X-Total-Count": "4", "X-Limit": "2"}
        if following:
            headers["Link"] = f'<{request.base_url}locations?cursor={following}>; rel="next"'
        return Response({"data": items, "status_code": 1000,
                         "timestamp": "2026-01-01T00:00:00Z"}, headers=headers)  # fmt: skip

    return Litestar([locations])


async def test_pull_against_a_cursor_paging_cpo(start_emsp: Any) -> None:
    port = free_port()
    double = LoopbackServer(paging_double(), port)
    double.start()
    try:
        emsp: RunningEmsp = start_emsp()
        partner_id = await emsp.server.call(_add_partner(emsp, f"http://127.0.0.1:{port}"))
        async with emsp.driver() as driver:
            (result,) = await driver.pull(partner_id, "locations")
            assert (result["pages"], result["stored"], result["invalid"]) == (2, 3, 1)
            assert result["urls"][1].endswith("cursor=opaque-cursor-xyz")
            findings = await driver.findings("locations")
            assert [f["section"] for f in findings] == ["4.1.4"]
            assert findings[0]["exchange_id"] is not None
    finally:
        double.stop()


def moved_double() -> Litestar:
    """A CPO that moved its Locations and redirects the advertised URL (HTTP 307)."""

    @get("/old/locations")
    async def moved(request: Request[Any, Any, Any]) -> Response[Any]:
        return Response(None, status_code=307, headers={"Location": f"{request.base_url}locations"})

    @get("/locations")
    async def locations() -> Response[Any]:
        return Response({"data": [_location(1)], "status_code": 1000,
                         "timestamp": "2026-01-01T00:00:00Z"},
                        headers={"X-Total-Count": "1", "X-Limit": "10"})  # fmt: skip

    return Litestar([moved, locations])


async def test_pull_follows_a_redirect_within_the_partners_origin(start_emsp: Any) -> None:
    """Followed (the partner's own origin), and recorded as the partner's VER-007 deviation."""
    port = free_port()
    double = LoopbackServer(moved_double(), port)
    double.start()
    try:
        emsp: RunningEmsp = start_emsp()
        url = f"http://127.0.0.1:{port}"
        partner_id = await emsp.server.call(_add_partner(emsp, url, "/old/locations"))
        async with emsp.driver() as driver:
            (result,) = await driver.pull(partner_id, "locations")
            assert (result["pages"], result["stored"]) == (1, 1)
            findings = await driver.findings("locations")
            assert [f["section"] for f in findings] == ["6.2.2"]
            assert "VER-007" in findings[0]["message"]
            assert f"{url}/locations" in findings[0]["message"]
    finally:
        double.stop()


async def _add_partner(emsp: RunningEmsp, url: str, path: str = "/locations") -> str:
    from tests.simulator.emsp.conftest import add_partner

    partner_id = await add_partner(emsp.emsp.platform, "double-token")
    from sqlalchemy import update

    from simulator.platform.tables import Partner

    async with emsp.emsp.platform.database.transaction() as session:
        await session.execute(
            update(Partner)
            .where(Partner.id == partner_id)
            .values(
                endpoints=[{"identifier": "locations", "role": "SENDER", "url": f"{url}{path}"}]
            )
        )
    return partner_id


class SlashedCollections:
    """A CPO as some real ones are (an ASGI wrapper of ours): its version details advertise
    every endpoint URL with a trailing slash, and the URL without it is redirected (HTTP 307)."""

    def __init__(self, app: ASGIApp, details_path: str = "/ocpi/2.2.1") -> None:
        self.app, self.details_path = app, details_path
        self.unslashed: set[str] = set()  # endpoint paths as they were before the slash
        self.redirected: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] in self.unslashed:
            self.redirected.append(scope["path"])
            query = scope["query_string"].decode()
            location = scope["path"] + "/" + (f"?{query}" if query else "")
            await send(
                {
                    "type": "http.response.start",
                    "status": 307,
                    "headers": [(b"location", location.encode()), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})  # fmt: skip
        elif scope["path"] == self.details_path:
            await self.app(scope, receive, self._slashing(send))
        else:
            await self.app(scope, receive, send)

    def _slashing(self, send: Send) -> Send:
        start: dict[str, Any] = {}
        body = bytearray()

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            envelope = json.loads(bytes(body))
            for endpoint in envelope["data"]["endpoints"]:
                self.unslashed.add(urlsplit(endpoint["url"]).path)
                endpoint["url"] += "/"
            content = json.dumps(envelope).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(content)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": content})

        return keep


async def test_the_emsp_uses_a_cpos_endpoint_urls_as_advertised(
    start_emsp: Any, tmp_path: Path
) -> None:
    """§6.2.2 (VER-007 as a client): registration and a pull of every module work against a CPO
    that advertises its endpoints with a trailing slash and redirects the URLs without one."""
    port = free_port()
    settings = cpo_settings(tmp_path / "slashed", f"sqlite+aiosqlite:///{tmp_path}/cpo.db", port)
    clock = FakeClock()
    app = create_cpo_app(settings, clock=clock)
    slashed = SlashedCollections(app)
    server = LoopbackServer(slashed, port)
    server.start()
    cpo = RunningCpo(server, app, clock, settings)
    try:
        emsp: RunningEmsp = start_emsp()
        async with emsp.driver() as driver, httpx.AsyncClient(timeout=30) as http:
            put = await http.put(f"{cpo.url}/admin/cpo/locations/LOC1", json=_location(1),
                                 headers=CPO_ADMIN)  # fmt: skip
            assert put.status_code in (200, 201), put.text
            partner = await register_emsp_with_cpo(cpo, driver)
            pulled = await driver.pull(partner["id"])
            assert [r["module"] for r in pulled] == ["locations", "sessions", "cdrs", "tariffs"]
            assert all(r["urls"][0].endswith(f"/{r['module']}/") for r in pulled), pulled
            assert pulled[0]["stored"] == 1
            assert slashed.redirected == []  # never needed: the URLs were used as given
    finally:
        server.stop()


# --- the charge flow -----------------------------------------------------------------------------


SITE = {
    **_location(9),
    "id": "SITE",
    "evses": [
        {
            "uid": "AC1", "evse_id": "NL*PLF*EAC1", "status": "AVAILABLE",
            "capabilities": ["REMOTE_START_STOP_CAPABLE"],
            "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET",
                            "power_type": "AC_3_PHASE", "max_voltage": 230, "max_amperage": 16,
                            "last_updated": "2026-01-01T00:00:00Z"}],
            "last_updated": "2026-01-01T00:00:00Z",
        }
    ],
}  # fmt: skip


async def test_full_charge_flow_by_commands(cpo: RunningCpo, start_emsp: Any) -> None:
    emsp: RunningEmsp = start_emsp()
    async with emsp.driver() as driver, httpx.AsyncClient(timeout=30) as http:
        put = await http.put(f"{cpo.url}/admin/cpo/locations/SITE", json=SITE, headers=CPO_ADMIN)
        assert put.status_code in (200, 201), put.text
        partner = await register_emsp_with_cpo(cpo, driver)
        pushed = await driver.push_token("TOK1", contract_id="NL-PFE-C00001")
        assert pushed["queued"] == 1

        started = await driver.start_session(partner["id"], "SITE", "AC1", token_uid="TOK1")
        assert started["response"]["result"] == "ACCEPTED", started
        assert (await driver.await_command_result(started["id"], 20))["result"] == "ACCEPTED"
        pending = await driver.await_session(lambda s: s.get("status") == "PENDING", 20)
        # The CPO's simulated charge point moves on when its clock does.
        advanced = await http.post(f"{cpo.url}/admin/cpo/backend/advance", json={"seconds": 600},
                                   headers=CPO_ADMIN)  # fmt: skip
        assert advanced.status_code == 200, advanced.text
        session = await driver.await_session(
            lambda s: s["id"] == pending["id"] and s.get("status") == "ACTIVE" and s["kwh"] > 0,
            20,
        )
        assert session["cdr_token"]["uid"] == "TOK1"

        stopped = await driver.stop_session(partner["id"], session["id"])
        assert stopped["response"]["result"] == "ACCEPTED", stopped
        assert (await driver.await_command_result(stopped["id"], 20))["result"] == "ACCEPTED"
        cdr = await driver.await_cdr(session["id"], 20)
        assert cdr["cdr_token"]["uid"] == "TOK1"
        assert cdr["session_id"] == session["id"]
        assert await driver.findings() == []
