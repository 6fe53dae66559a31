"""The judge's HTTP client: every exchange recorded (secrets redacted) and transport-checked."""

from __future__ import annotations

import base64
import itertools
import json as jsonlib
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from conformance.exchange import Exchange, redact_body, redact_header

CONFIGURATION_MODULES = frozenset({"versions", "credentials", "hubclientinfo"})
#: After this many requests in a row got no answer, the target is taken as gone silent: further
#: requests are not sent (each fails at once, so a hanging target cannot stretch a run) until
#: SILENCE_PAUSE_SECONDS have passed, when one is let through to see whether it is back.
SILENCE_LIMIT = 3
SILENCE_PAUSE_SECONDS = 20.0
NOT_JSON: Any = object()  # a response body that did not parse


def token_header(token: str) -> str:
    """§4.1.2: `Token` + one space + Base64 of the token's UTF-8 bytes."""
    return "Token " + base64.b64encode(token.encode()).decode()


class Recorder:
    """Every exchange of a run, in and out, in order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._exchanges: list[Exchange] = []
        self.labels: dict[str, str] = {}  # secret -> what it is ("TOKEN_A", "token C", ...)

    @property
    def secrets(self) -> set[str]:
        return set(self.labels)

    def secret(self, value: str, label: str) -> str:
        """Remember a credentials token so that it is redacted everywhere and named in headers.
        (Values under 8 characters are no real tokens: redacting them would shred bodies.)"""
        if len(value) >= 8:
            with self._lock:
                self.labels.setdefault(value, label)
        return value

    def header(self, name: str, value: str) -> str:
        return redact_header(name, value, self.labels)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def all(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def redact(self, text: str | None) -> str | None:
        if text is None:
            return None
        return redact_body(text, tuple(sorted(self.secrets, key=len, reverse=True)))


def ocpi_code(body: Any) -> Any:
    """`status_code` of a parsed envelope, leniently: "1000" is read as 1000; None if absent."""
    code = body.get("status_code") if isinstance(body, dict) else None
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return code


TransportCheck = Callable[[Exchange, Any, str], None]


@dataclass(frozen=True)
class Reply:
    """What a request returned: the recorded (redacted) exchange and the real parsed body."""

    exchange: Exchange
    body: Any

    @property
    def status(self) -> int | None:
        return self.exchange.status

    @property
    def is_json(self) -> bool:
        return self.body is not NOT_JSON

    @property
    def ocpi_status(self) -> Any:
        """The envelope's status_code; a string of digits read as the number it spells (the
        envelope check records that deviation, TRANS-012)."""
        return ocpi_code(self.body)

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None


class JudgeClient:
    """Sends requests as the judge; `module` says which module a URL belongs to (routing rules)."""

    def __init__(
        self,
        recorder: Recorder,
        transport_check: TransportCheck | None = None,
        *,
        timeout: float = 15.0,
        routing: Mapping[str, str] | None = None,
    ) -> None:
        self.recorder = recorder
        self._check = transport_check
        self._http = httpx.Client(timeout=timeout)
        self._routing = dict(routing or {})
        self._unanswered = 0  # requests in a row without an answer
        self._silent_since: float | None = None

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        module: str,
        token: str | None = None,
        authorization: str | None = None,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> Reply:
        """One request. `token` is sent Base64-encoded; `authorization` sends a header verbatim."""
        request_id = str(uuid.uuid4())
        sent: dict[str, str] = {"X-Request-ID": request_id, "X-Correlation-ID": str(uuid.uuid4())}
        if token is not None:
            self.recorder.secret(token, "token")
            sent["Authorization"] = token_header(token)
        elif authorization is not None:
            sent["Authorization"] = authorization
        if module not in CONFIGURATION_MODULES:
            sent.update(self._routing)
        body = content
        if json is not None:
            body = jsonlib.dumps(json).encode()
            if isinstance(json, dict) and isinstance(json.get("token"), str):
                self.recorder.secret(json["token"], "credentials token")
        if body is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        started = time.perf_counter()
        parsed: Any = NOT_JSON
        silent = self._gone_silent()
        if silent:
            exchange = self._record(method, url, params, sent, body, None, started, silent)
            return Reply(exchange, parsed)
        try:
            response = self._http.request(method, url, content=body, params=params, headers=sent)
        except httpx.HTTPError as exc:
            self._unanswered += 1
            if self._unanswered >= SILENCE_LIMIT:
                self._silent_since = time.monotonic()
            exchange = self._record(method, url, params, sent, body, None, started, repr(exc))
        else:
            self._unanswered, self._silent_since = 0, None
            exchange = self._record(method, url, params, sent, body, response, started, None)
            try:
                parsed = response.json()
            except ValueError:
                parsed = NOT_JSON
        if check and exchange.status is not None and self._check is not None:
            self._check(exchange, parsed, module)
        return Reply(exchange, parsed)

    def _gone_silent(self) -> str | None:
        """Why a request is not sent (the target stopped answering), or None to send it."""
        since = self._silent_since
        if since is None or time.monotonic() - since >= SILENCE_PAUSE_SECONDS:
            return None
        return (
            f"not sent: the target did not answer {self._unanswered} requests in a row; "
            f"trying again after {SILENCE_PAUSE_SECONDS:.0f} s"
        )

    def _record(
        self,
        method: str,
        url: str,
        params: Mapping[str, str | int] | None,
        sent: dict[str, str],
        body: bytes | None,
        response: httpx.Response | None,
        started: float,
        error: str | None,
    ) -> Exchange:
        full_url = str(httpx.URL(url, params=dict(params)) if params else url)
        text = response.text if response is not None else None
        exchange = Exchange(
            id=self.recorder.next_id(),
            method=method,
            url=full_url,
            request_headers={k: self.recorder.header(k, v) for k, v in sent.items()},
            request_body=self.recorder.redact(body.decode("utf-8", "replace") if body else None),
            status=response.status_code if response is not None else None,
            response_headers=(
                {k: self.recorder.header(k, v) for k, v in response.headers.items()}
                if response
                else {}
            ),
            response_body=self.recorder.redact(text),
            error=error,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )
        self.recorder.add(exchange)
        return exchange
