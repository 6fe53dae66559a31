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
  `inbound() -> list[Exchange]` is what the target sent us.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from conformance.client import Recorder
from conformance.exchange import Exchange
from simulator.cpo.app import CpoSettings
from simulator.cpo.app import create_app as create_cpo
from simulator.emsp.app import EmspSettings
from simulator.emsp.app import create_app as create_emsp
from simulator.platform.audit import RequestContext
from simulator.platform.loopback import BackgroundServer, free_port
from simulator.platform.settings import PartySettings

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
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
            body = b"".join(chunks).decode("utf-8", "replace") or None
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
            self.exchanges.append(exchange)
            self.recorder.add(exchange)


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

    def credentials(self, token_b: str) -> dict[str, Any]:
        credentials: dict[str, Any] = self.app.state.platform.registration.identity.credentials(
            token_b
        )
        return credentials

    def expect_registration(self, target_versions_url: str) -> tuple[str, str]:
        registration = self.app.state.platform.registration
        handle, token_b = self._server.run(registration.expect(target_versions_url))
        return handle, token_b

    def activate(self, handle: str, token_c: str, roles: list[dict[str, Any]]) -> None:
        registration = self.app.state.platform.registration
        self._server.run(registration.activate(handle, token_c, roles, _JUDGE_CONTEXT))

    def inbound(self) -> list[Exchange]:
        return list(self._inbound.exchanges)
