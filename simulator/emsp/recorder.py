"""Every OCPI exchange in and out of the eMSP, with credentials tokens redacted.

Inbound requests are recorded by an ASGI wrapper around the app (what the client actually saw,
faults included); outbound ones by httpx event hooks on the platform's client. Findings (a
partner broke the contract) are attached to the exchange they were found in. The store is in
memory, per process: it is a test and debugging aid, queryable through `/admin/emsp/exchanges`
and awaitable with `wait_for`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, ReceiveMessage, Scope, Send

from simulator.platform.clock import Clock, ocpi_datetime

Direction = Literal["in", "out"]
REDACTED = "<redacted>"
_TOKEN_FIELD = re.compile(r'("token"\s*:\s*")(?:[^"\\]|\\.)*(")')
_CREDENTIAL = re.compile(r"\b(Token|Bearer)\s+[A-Za-z0-9+/=_-]+")
MODULES = (
    "credentials", "locations", "sessions", "cdrs", "tariffs", "tokens", "commands",
    "chargingprofiles", "hubclientinfo",
)  # fmt: skip
FINDINGS_KEY = "emsp_findings"
PARTNER_KEY = "emsp_partner_id"
FAULT_KEY = "emsp_faults"
_MAX_BODY = 65_536

#: The partner an outbound call is addressed to, set by the caller around `platform.http` calls.
current_partner: ContextVar[str | None] = ContextVar("emsp_current_partner", default=None)


def module_of(url_or_path: str) -> str:
    """The OCPI module a URL addresses, by its path segments; `versions` when none matches."""
    for segment in urlsplit(url_or_path).path.split("/"):
        if segment in MODULES:
            return segment
    return "versions"


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header names lower-cased; Authorization values replaced (§4.1.2 tokens are secrets)."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else "Token"
            value = f"{scheme} {REDACTED}"
        out[key] = value
    return out


def redact_body(node: Any) -> Any:
    """A copy with every string `token` field (Credentials.token, §7.3.1) replaced."""
    if isinstance(node, dict):
        return {
            k: (REDACTED if k == "token" and isinstance(v, str) else redact_body(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [redact_body(item) for item in node]
    return node


def decode_body(raw: bytes) -> Any:
    """Parsed JSON (redacted), else the text (truncated, redacted as text); None when empty."""
    if not raw:
        return None
    try:
        return redact_body(json.loads(raw))
    except (ValueError, UnicodeDecodeError):
        text = raw[:_MAX_BODY].decode("utf-8", "replace")
        text = _TOKEN_FIELD.sub(rf"\g<1>{REDACTED}\g<2>", text)  # JSON that did not parse
        return _CREDENTIAL.sub(rf"\g<1> {REDACTED}", text)  # an echoed Authorization value


@dataclass
class Finding:
    """A partner broke the contract: what, where (spec section), and in which exchange."""

    id: int
    at: str
    module: str
    section: str
    message: str
    problems: list[str]
    partner_id: str | None = None
    exchange_id: int | None = None

    def view(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Exchange:
    """One HTTP request and its answer, as seen on the wire (tokens redacted)."""

    id: int
    at: datetime
    direction: Direction
    module: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None
    response_headers: dict[str, str]
    response_body: Any
    duration_ms: float
    partner_id: str | None = None
    faults: list[str] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)

    @property
    def ocpi_status(self) -> int | None:
        body = self.response_body
        status = body.get("status_code") if isinstance(body, dict) else None
        return status if isinstance(status, int) else None

    def view(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = ocpi_datetime(self.at)
        data["ocpi_status"] = self.ocpi_status
        return data


class Recorder:
    """Thread-safe (servers run on their own loops in tests): a lock around two bounded deques."""

    def __init__(self, clock: Clock, capacity: int = 10_000) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._exchanges: deque[Exchange] = deque(maxlen=capacity)
        self._findings: deque[Finding] = deque(maxlen=capacity)
        self._next_exchange = 1
        self._next_finding = 1
        self._started: dict[int, float] = {}

    # --- recording -----------------------------------------------------------------------------

    def new_finding(
        self,
        module: str,
        section: str,
        message: str,
        problems: list[str] | None = None,
        partner_id: str | None = None,
    ) -> Finding:
        with self._lock:
            finding = Finding(
                self._next_finding, ocpi_datetime(self._clock.now()), module, section, message,
                list(problems or []), partner_id,
            )  # fmt: skip
            self._next_finding += 1
            self._findings.append(finding)
        return finding

    def add(self, **fields: Any) -> Exchange:
        with self._lock:
            exchange = Exchange(id=self._next_exchange, at=self._clock.now(), **fields)
            self._next_exchange += 1
            self._exchanges.append(exchange)
        return exchange

    def attach(self, exchange: Exchange, findings: Iterable[Finding]) -> None:
        with self._lock:
            for finding in findings:
                finding.exchange_id = exchange.id
                if finding.partner_id is None:
                    finding.partner_id = exchange.partner_id
                exchange.findings.append(finding.id)

    # --- queries ---------------------------------------------------------------------------------

    def exchanges(
        self,
        module: str | None = None,
        since: int | datetime | None = None,
        direction: Direction | None = None,
    ) -> list[Exchange]:
        """Oldest first; `since` is an exchange id (exclusive) or a time (inclusive)."""
        with self._lock:
            items = list(self._exchanges)
        return [
            e
            for e in items
            if (module is None or e.module == module)
            and (direction is None or e.direction == direction)
            and (since is None or (e.id > since if isinstance(since, int) else e.at >= since))
        ]

    def findings(self, module: str | None = None) -> list[Finding]:
        with self._lock:
            items = list(self._findings)
        return [f for f in items if module is None or f.module == module]

    async def wait_for(
        self,
        predicate: Callable[[Exchange], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> Exchange:
        """The first exchange (already recorded or yet to come) matching; TimeoutError if none."""
        deadline = time.monotonic() + timeout
        while True:
            for exchange in self.exchanges():
                if predicate(exchange):
                    return exchange
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no matching exchange within {timeout}s")
            await asyncio.sleep(0.02)

    # --- inbound: an ASGI wrapper -----------------------------------------------------------------

    def inbound(self, app: ASGIApp) -> ASGIApp:
        """Wrap the app: record every request under /ocpi/ and its answer."""

        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP or not scope["path"].startswith("/ocpi/"):
                await app(scope, receive, send)
                return
            http_scope: HTTPScope = scope
            request_chunks: list[bytes] = []
            response_chunks: list[bytes] = []
            started: dict[str, Any] = {}

            async def receive_and_keep() -> ReceiveMessage:
                message = await receive()
                if message["type"] == "http.request":
                    request_chunks.append(message.get("body", b""))
                return message

            async def send_and_keep(message: Message) -> None:
                if message["type"] == "http.response.start":
                    started["status"] = message["status"]
                    started["headers"] = [
                        (k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in message.get("headers", [])
                    ]
                elif message["type"] == "http.response.body":
                    response_chunks.append(message.get("body", b""))
                await send(message)

            begun = time.monotonic()
            try:
                await app(scope, receive_and_keep, send_and_keep)
            finally:
                state = scope.get("state", {})
                query = scope.get("query_string", b"").decode("latin-1")
                path = scope["path"] + (f"?{query}" if query else "")
                headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
                exchange = self.add(
                    direction="in",
                    module=module_of(scope["path"]),
                    method=http_scope["method"],
                    url=path,
                    request_headers=redact_headers(headers),
                    request_body=decode_body(b"".join(request_chunks)),
                    status=started.get("status"),
                    response_headers=redact_headers(started.get("headers", [])),
                    response_body=decode_body(b"".join(response_chunks)),
                    duration_ms=round((time.monotonic() - begun) * 1000, 3),
                    partner_id=state.get(PARTNER_KEY),
                    faults=list(state.get(FAULT_KEY, [])),
                )
                self.attach(exchange, state.get(FINDINGS_KEY, []))

        return wrapped

    # --- outbound: httpx event hooks --------------------------------------------------------------

    def install(self, client: httpx.AsyncClient) -> None:
        """Record every request sent with `client` (the platform's) and its response."""
        hooks = client.event_hooks
        client.event_hooks = {
            "request": [*hooks.get("request", []), self._on_request],
            "response": [*hooks.get("response", []), self._on_response],
        }

    async def _on_request(self, request: httpx.Request) -> None:
        with self._lock:
            self._started[id(request)] = time.monotonic()

    async def _on_response(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        with self._lock:
            begun = self._started.pop(id(request), time.monotonic())
        try:
            sent = request.content
        except httpx.RequestNotRead:
            sent = b""
        self.add(
            direction="out",
            module=module_of(str(request.url)),
            method=request.method,
            url=str(request.url),
            request_headers=redact_headers(request.headers.items()),
            request_body=decode_body(sent),
            status=response.status_code,
            response_headers=redact_headers(response.headers.items()),
            response_body=decode_body(response.content),
            duration_ms=round((time.monotonic() - begun) * 1000, 3),
            partner_id=current_partner.get(),
        )
