"""Fault modes, switchable per run (`EMSP_FAULTS=slow,5xx`) and at run time
(`PUT /admin/emsp/faults {"slow": true}`), applied to the OCPI routes (`/ocpi/...`) only, never
to `/admin`, `/health` or `/metrics`.

- `slow`: every answer delayed by `EMSP_FAULT_SLOW_SECONDS`, then answered normally.
- `5xx`: HTTP 503 with OCPI 3000; the request is not processed.
- `timeout`: no answer for `EMSP_FAULT_TIMEOUT_SECONDS` (past the client's timeout), then the
  real one.
- `drop_callbacks`: asynchronous results (CommandResult, ChargingProfile results,
  ActiveChargingProfile PUTs) are neither recorded nor answered: the request is held for
  `EMSP_FAULT_TIMEOUT_SECONDS`, then answered HTTP 503 / 3000 if the client still waits.
- `malformed`: the request is processed; the answer is HTTP 200 with a body that is not JSON.
- `wrong_status`: the request is processed; a success is answered OCPI 2000 (HTTP 200), an
  error OCPI 1000 in HTTP 403.

`drop_callbacks` means "the eMSP does not answer" (the sender's POST times out, §13.1: OCPI
does not retry), not "answers 200 and forgets": a silent 200 is indistinguishable from success.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterable
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from simulator.platform.clock import Clock, ocpi_datetime

MODES = ("slow", "5xx", "timeout", "drop_callbacks", "malformed", "wrong_status")
CALLBACK_PREFIXES = ("/ocpi/emsp/2.2.1/commands/", "/ocpi/emsp/2.2.1/chargingprofiles/")


class UnknownFault(ValueError):
    """A fault mode that does not exist."""


def parse_modes(value: str | Iterable[str]) -> set[str]:
    """`"slow, 5xx"` or a list; refuses unknown names."""
    names = value.split(",") if isinstance(value, str) else list(value)
    modes = {name.strip().lower() for name in names if name.strip()}
    unknown = modes - set(MODES)
    if unknown:
        raise UnknownFault(f"unknown fault mode(s) {sorted(unknown)}; known: {list(MODES)}")
    return modes


class Faults:
    """The active modes (thread-safe) and the ASGI wrapper that applies them."""

    def __init__(
        self, clock: Clock, modes: set[str], slow_seconds: float, timeout_seconds: float
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._modes = set(modes)
        self.slow_seconds = slow_seconds
        self.timeout_seconds = timeout_seconds

    @property
    def active(self) -> set[str]:
        with self._lock:
            return set(self._modes)

    def state(self) -> dict[str, bool]:
        active = self.active
        return {mode: mode in active for mode in MODES}

    def update(self, changes: dict[str, bool]) -> dict[str, bool]:
        parse_modes(changes)
        with self._lock:
            for mode, on in changes.items():
                (self._modes.add if on else self._modes.discard)(mode.lower())
        return self.state()

    # --- the wrapper ---------------------------------------------------------------------------

    def _envelope(self, status_code: int, message: str) -> bytes:
        body = {
            "status_code": status_code,
            "status_message": message,
            "timestamp": ocpi_datetime(self._clock.now()),
        }
        return json.dumps(body).encode()

    @staticmethod
    def _ids(scope: Scope) -> list[tuple[bytes, bytes]]:
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id") or str(uuid.uuid4()).encode()
        return [
            (b"x-request-id", request_id),
            (b"x-correlation-id", headers.get(b"x-correlation-id") or request_id),
        ]

    async def _answer(self, scope: Scope, send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), *self._ids(scope)]
        await send(cast(Message, {"type": "http.response.start", "status": status,
                                  "headers": headers}))  # fmt: skip
        await send(cast(Message, {"type": "http.response.body", "body": body}))

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            active = self.active
            if scope["type"] != ScopeType.HTTP or not scope["path"].startswith("/ocpi/"):
                await app(scope, receive, send)
                return
            if not active:
                await app(scope, receive, send)
                return
            http_scope: HTTPScope = scope
            applied: list[str] = scope.setdefault("state", {}).setdefault("emsp_faults", [])
            is_callback = http_scope["method"] in {"POST", "PUT"} and scope["path"].startswith(
                CALLBACK_PREFIXES
            )
            if "slow" in active:
                applied.append("slow")
                await asyncio.sleep(self.slow_seconds)
            if "drop_callbacks" in active and is_callback:
                applied.append("drop_callbacks")
                await asyncio.sleep(self.timeout_seconds)
                await self._answer(scope, send, 503, self._envelope(3000, "callback dropped"))
                return
            if "timeout" in active:
                applied.append("timeout")
                await asyncio.sleep(self.timeout_seconds)
            if "5xx" in active:
                applied.append("5xx")
                await self._answer(scope, send, 503, self._envelope(3000, "simulated outage"))
                return
            if "malformed" in active:
                applied.append("malformed")
                await self._rewritten(app, scope, receive, send, malformed=True)
                return
            if "wrong_status" in active:
                applied.append("wrong_status")
                await self._rewritten(app, scope, receive, send, malformed=False)
                return
            await app(scope, receive, send)

        return wrapped

    async def _rewritten(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, *, malformed: bool
    ) -> None:
        """Run the request for real, buffer the answer, send a faulty one instead."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, keep)
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in {b"content-length", b"content-type"}
        ]
        headers.append((b"content-type", b"application/json"))
        if malformed:
            status, body = 200, b'{"status_code": 1000, "data": [{"id": "unterminated'
        else:
            try:
                original = json.loads(b"".join(chunks))
                code = int(original.get("status_code", 1000))
            except (ValueError, AttributeError, TypeError):
                original, code = {}, 1000
            if 1000 <= code < 2000:
                status, code = 200, 2000
            else:
                status, code = 403, 1000
            payload = dict(original) if isinstance(original, dict) else {}
            payload["status_code"] = code
            payload.setdefault("timestamp", ocpi_datetime(self._clock.now()))
            body = json.dumps(payload).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        await send(cast(Message, {"type": "http.response.start", "status": status,
                                  "headers": headers}))  # fmt: skip
        await send(cast(Message, {"type": "http.response.body", "body": body}))
