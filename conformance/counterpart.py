"""The counterpart: our opposite party, run for targets that must call back.

This module is the judge's only door into `simulator` (import-linter enforces it). It starts our
eMSP simulator against a CPO target, our reference CPO against an eMSP target, on loopback or a
given host and port, and records every request the target makes to it. Verdicts are never taken
from the counterpart's own code: it only serves, and the judge checks what it recorded.

Interface (for anyone swapping in another counterpart):
  `versions_url`, `role`; `start()`, `stop()`;
  `expect_registration(target_versions_url) -> (handle, token_b)` makes token B valid on our side;
  `activate(handle, token_c, roles)` completes it once the target answered;
  `credentials(token_b) -> dict` is the Credentials body the judge POSTs;
  `inbound() -> list[Exchange]` is what the target sent us, `received_at(exchange)` when;
  `module_url(module)` where our party serves a module (to tell the recorded requests apart);
  `expect_command_result(handle, command)` and `expect_profile_result(handle, method,
  session_id)` give a response_url for a command or ChargingProfiles request the judge sends
  a CPO target (our eMSP then answers the callback there as it does for its own requests).
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from conformance.client import Recorder
from conformance.exchange import Exchange
from simulator.cpo.app import CpoSettings
from simulator.cpo.app import create_app as create_cpo
from simulator.cpo.catalog import Catalog
from simulator.emsp.app import EmspSettings
from simulator.emsp.app import create_app as create_emsp
from simulator.emsp.services import BASE as EMSP_BASE
from simulator.emsp.services import Emsp
from simulator.platform.audit import RequestContext
from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import OWN, Key
from simulator.platform.loopback import BackgroundServer, free_port
from simulator.platform.partner_client import Discovery
from simulator.platform.settings import PartySettings
from specs import contract
from specs.client_rules import Credential, Finding, judge_request

_JUDGE_CONTEXT = RequestContext(client_address="judge", request_id=None)


def _opposite_app(target_role: str, settings: PartySettings) -> Litestar:
    """Our eMSP simulator opposite a CPO target, our reference CPO opposite an eMSP target."""
    if target_role == "cpo":
        return create_emsp(EmspSettings(**settings.model_dump()))
    return create_cpo(CpoSettings(**settings.model_dump()))


class InboundRecorder:
    """ASGI wrapper recording what the target sends to the counterpart (secrets redacted)."""

    def __init__(self, app: ASGIApp, recorder: Recorder, public_url: str) -> None:
        self.app = app
        self.recorder = recorder
        self.public_url = public_url.rstrip("/")
        self.exchanges: list[Exchange] = []
        self.arrivals: dict[int, float] = {}  # exchange id -> time.monotonic() of its arrival
        #: exchange id -> the client-side rules judged on the raw request (before redaction),
        #: and the credential it carried (its label and form; the token itself dropped).
        self.judged: dict[int, tuple[list[Finding], Credential | None]] = {}
        self._request_ids: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        arrived = time.monotonic()
        started = time.perf_counter()
        chunks: list[bytes] = []
        response: dict[str, Any] = {"status": None, "headers": {}, "body": b""}

        async def receive_recorded() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def send_recorded(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = {
                    k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
                }
            elif message["type"] == "http.response.body":
                response["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive_recorded, send_recorded)
        finally:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            query = scope.get("query_string", b"").decode("latin-1")
            raw_body = b"".join(chunks)
            body = raw_body.decode("utf-8", "replace") or None
            findings, credential = judge_request(
                method, headers, raw_body, tokens=self.recorder.labels,
                request_ids_seen=self._request_ids,
            )  # fmt: skip
            exchange = Exchange(
                id=self.recorder.next_id(),
                method=method,
                url=self.public_url + scope["path"] + (f"?{query}" if query else ""),
                request_headers={k: self.recorder.header(k, v) for k, v in headers.items()},
                request_body=self.recorder.redact(body),
                status=response["status"],
                response_headers={
                    k: self.recorder.header(k, v) for k, v in response["headers"].items()
                },
                response_body=self.recorder.redact(response["body"].decode("utf-8", "replace")),
                elapsed_ms=(time.perf_counter() - started) * 1000,
                direction="in",
            )
            self.arrivals[exchange.id] = arrived
            kept = dataclasses.replace(credential, token=None) if credential else None
            self.judged[exchange.id] = (findings, kept)
            self.exchanges.append(exchange)
            self.recorder.add(exchange)


CREDENTIALS_ONLY = "/plugfest/credentials-only"


class _CredentialsOnly:
    """ASGI: our versions and version details again under CREDENTIALS_ONLY (the same tokens
    open them), the versions pointing at the variant details, the details listing only the
    credentials endpoint."""

    def __init__(self, app: ASGIApp, public_url: str) -> None:
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")) if scope["type"] == ScopeType.HTTP else ""
        if not path.startswith(CREDENTIALS_ONLY + "/"):
            await self.app(scope, receive, send)
            return
        real = "/ocpi" + path[len(CREDENTIALS_ONLY) :]
        start: dict[str, Any] = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        inner = {**scope, "path": real, "raw_path": real.encode()}
        await self.app(inner, receive, capture)  # type: ignore[arg-type]
        out = bytes(body)
        try:
            envelope = json.loads(out)
        except ValueError:
            envelope = None
        data = envelope.get("data") if isinstance(envelope, dict) else None
        if isinstance(data, list):
            for version in data:
                if isinstance(version, dict):
                    version["url"] = f"{self.public_url}{CREDENTIALS_ONLY}/{version.get('version')}"
        elif isinstance(data, dict) and isinstance(data.get("endpoints"), list):
            kept = [e for e in data["endpoints"] if isinstance(e, dict)]
            data["endpoints"] = [e for e in kept if e.get("identifier") == "credentials"]
        if data is not None:
            out = json.dumps(envelope).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        length = (b"content-length", str(len(out)).encode())
        await send({"type": "http.response.start", "status": int(start.get("status", 500)),
                    "headers": [*headers, length]})  # fmt: skip
        await send({"type": "http.response.body", "body": out, "more_body": False})


class Counterpart:
    """Our party opposite the target, served in a background thread."""

    def __init__(
        self,
        target_role: str,
        recorder: Recorder,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        public_url: str | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.role = "EMSP" if target_role == "cpo" else "CPO"
        port = port or free_port(host)
        self.public_url = (public_url or f"http://{host}:{port}").rstrip("/")
        directory = data_dir or Path(tempfile.mkdtemp(prefix="plugfest-counterpart-"))
        settings = PartySettings(
            plugfest_mode="development",
            ocpi_base_url=self.public_url,
            ocpi_country_code="NL",
            ocpi_party_id="PFJ",
            # Lenient, and said under TRANS-005 (test_client_requests.py): a target that sends
            # its token verbatim is still served, so that the rest of what it sends is judged.
            ocpi_accept_raw_tokens=True,
            ocpi_business_name=f"Plugfest judge's counterpart ({self.role})",
            data_dir=directory,
            database_url=f"sqlite+aiosqlite:///{directory / 'counterpart.db'}",
            token_hmac_secret=secrets.token_urlsafe(32),
            admin_token=secrets.token_urlsafe(32),
        )
        self.app = _opposite_app(target_role, settings)
        self._inbound = InboundRecorder(self.app, recorder, self.public_url)
        self._server = BackgroundServer(self._inbound, port, host)

    @property
    def versions_url(self) -> str:
        return f"{self.public_url}/ocpi/versions"

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def credentials(self, token_b: str, *, complete: bool = False) -> dict[str, Any]:
        """Our Credentials with token B: the minimal valid object, or with `complete` every
        optional field present (business_details.website and logo, §7.4.1, §8.4.15)."""
        credentials: dict[str, Any] = self.app.state.platform.registration.identity.credentials(
            token_b
        )
        if complete:
            for role in credentials["roles"]:
                role["business_details"] = {
                    **role["business_details"],
                    "website": f"{self.public_url}/",
                    "logo": {"url": f"{self.public_url}/logo.png", "category": "OPERATOR",
                             "type": "png", "width": 512, "height": 512},
                }  # fmt: skip
        return credentials

    def expect_registration(self, target_versions_url: str) -> tuple[str, str]:
        registration = self.app.state.platform.registration
        handle, token_b = self._server.run(registration.expect(target_versions_url))
        return handle, token_b

    def activate(
        self,
        handle: str,
        token_c: str,
        roles: list[dict[str, Any]],
        target: tuple[str, list[dict[str, str]]],
    ) -> None:
        """Our side of the registration done: the target's token C, roles, and its versions URL
        and endpoints as the judge read them (so our party needs no discovery of its own)."""
        registration = self.app.state.platform.registration
        known = Discovery(target[0], "2.2.1", target[1])
        self._server.run(registration.activate(handle, token_c, roles, _JUDGE_CONTEXT, known))

    def inbound(self) -> list[Exchange]:
        return list(self._inbound.exchanges)

    def judged(self, exchange: Exchange) -> tuple[list[Finding], str | None]:
        """The client-side rules judged on an inbound request as it arrived, and the label of
        the token it carried (None: none we know; specs/client_rules.py)."""
        findings, credential = self._inbound.judged.get(exchange.id, ([], None))
        return findings, credential.label if credential else None

    def credential(self, exchange: Exchange) -> Credential | None:
        """The `Token` credential an inbound request carried (None: none), without the token."""
        return self._inbound.judged.get(exchange.id, ([], None))[1]

    # --- for targets made to act (emsp/test_callbacks.py), registrations refused (CRED-014) -----

    def charge_point(self) -> dict[str, str]:
        """A new Location of our CPO with one AVAILABLE EVSE that takes remote start/stop and
        charging profiles (§8.4.5), for an eMSP target's commands: its location_id, evse_uid and
        connector_id. Published like any of ours (pushed to the target's Locations Receiver)."""
        platform = self.app.state.platform
        identity = platform.registration.identity
        suffix = secrets.token_hex(4).upper()
        stamp = "2026-01-01T00:00:00Z"  # the catalogue stamps its own last_updated
        location_id, evse_uid = f"PFJ-ACT-{suffix}", f"PFJ-ACT-{suffix}-1"
        connector = {
            "id": "1", "standard": "IEC_62196_T2", "format": "SOCKET",
            "power_type": "AC_3_PHASE", "max_voltage": 230, "max_amperage": 32,
            "max_electric_power": 22080, "last_updated": stamp,
        }  # fmt: skip
        evse = {
            "uid": evse_uid, "evse_id": f"NL*PFJ*E{suffix}", "status": "AVAILABLE",
            "capabilities": ["REMOTE_START_STOP_CAPABLE", "CHARGING_PROFILE_CAPABLE",
                             "UNLOCK_CAPABLE", "RESERVABLE"],
            "connectors": [connector], "last_updated": stamp,
        }  # fmt: skip
        location = {
            "country_code": identity.country_code.upper(), "party_id": identity.party_id.upper(),
            "id": location_id, "publish": True, "name": "Plugfest judge's charge point",
            "address": "Judgestraat 1", "city": "Arnhem", "postal_code": "6811",
            "country": "NLD", "coordinates": {"latitude": "51.980000", "longitude": "5.910000"},
            "evses": [evse], "time_zone": "Europe/Amsterdam", "last_updated": stamp,
        }  # fmt: skip
        self._server.run(Catalog(platform).put_location(location))
        return {"location_id": location_id, "evse_uid": evse_uid, "connector_id": "1"}

    def sessions(self) -> list[dict[str, Any]]:
        """Our CPO's own Sessions (those the target's commands started among them)."""
        documents = self.app.state.platform.documents
        page = self._server.run(documents.page("session", [OWN], offset=0, limit=1000))
        return list(page.items)

    def credentials_only(self, token_b: str, *, complete: bool = False) -> dict[str, Any]:
        """Credentials (with token B) whose versions URL leads to 2.2.1 details that list only
        the credentials module: a client with no functional module to exchange (§7.1.6)."""
        if not isinstance(self._inbound.app, _CredentialsOnly):
            self._inbound.app = _CredentialsOnly(self._inbound.app, self.public_url)
        body = self.credentials(token_b, complete=complete)
        body["url"] = f"{self.public_url}{CREDENTIALS_ONLY}/versions"
        return body

    def received_at(self, exchange: Exchange) -> float | None:
        """When the target's request began to arrive (time.monotonic()), for deadlines."""
        return self._inbound.arrivals.get(exchange.id)

    # --- callbacks a CPO target owes us (§13.2.2, §14.4.2) ---------------------------------------

    def _emsp(self) -> Emsp:
        emsp = getattr(self.app.state, "emsp", None)
        if not isinstance(emsp, Emsp):
            raise RuntimeError("only the eMSP counterpart (opposite a CPO target) takes results")
        return emsp

    def _expect(self, key: Key, record: dict[str, Any]) -> None:
        emsp = self._emsp()
        record["last_updated"] = ocpi_datetime(emsp.platform.clock.now())
        self._server.run(emsp.platform.documents.put(key, record))

    def expect_command_result(self, handle: str, command: str) -> str:
        """A response_url for a command the judge POSTs to the target (§13.2.1). Our eMSP keeps
        the record its own command sending keeps, so that it answers the CommandResult POST;
        the judge's verdict comes from the recorded exchange, never from that answer."""
        emsp, ref = self._emsp(), str(uuid.uuid4())
        key = Key("command", handle, emsp.country_code, emsp.party_id, ref)
        self._expect(key, {"id": ref, "command": command, "partner_id": handle, "request": None,
                           "result": None, "results": []})  # fmt: skip
        return f"{self.public_url}{EMSP_BASE}/commands/{command}/{ref}"

    def expect_profile_result(self, handle: str, method: str, session_id: str) -> str:
        """A response_url for a ChargingProfiles GET, PUT or DELETE the judge sends the target
        (§14.4.1); the record tells our eMSP which result object to take there (§14.4.2)."""
        emsp, ref = self._emsp(), str(uuid.uuid4())
        key = Key("cprequest", handle, emsp.country_code, emsp.party_id, ref)
        self._expect(key, {"id": ref, "method": method, "session_id": session_id,
                           "partner_id": handle, "request": None, "params": {},
                           "result": None})  # fmt: skip
        return f"{self.public_url}{EMSP_BASE}/chargingprofiles/results/{ref}"

    def module_url(self, module: str) -> str:
        """Where our party serves `module` as its version details announce it (our eMSP's
        interfaces opposite a CPO target, our CPO's opposite an eMSP target), so the judge can
        tell which recorded requests were pushes or callbacks to which module."""
        for endpoint in self.app.state.platform.modules:
            if endpoint.identifier == module:
                return f"{self.public_url}{endpoint.path}"
        raise KeyError(f"our {self.role} announces no {module} module")

    def hold(self, handle: str, module: str, objects: list[dict[str, Any]]) -> int:
        """Store objects the judge pulled from the target as our eMSP's pull stores them (§4.4:
        a Receiver re-syncs by pulling), so that the target's later PATCHes find their object;
        invalid ones are left out (the Sender suites judge them). Returns how many were kept."""
        emsp = self._emsp()
        kinds = {"locations": ("location", "Location"), "sessions": ("session", "Session"),
                 "cdrs": ("cdr", "CDR"), "tariffs": ("tariff", "Tariff")}  # fmt: skip
        kind, schema = kinds[module]
        kept = [o for o in objects if not contract.errors(o, schema)]

        async def store() -> None:
            async with emsp.platform.database.transaction() as session:
                for obj in kept:
                    key = Key(kind, handle, obj["country_code"], obj["party_id"], obj["id"])
                    await emsp.platform.documents.put(key, obj, session)

        self._server.run(store())
        return len(kept)
