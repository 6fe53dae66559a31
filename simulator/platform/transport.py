"""OCPI transport on Litestar (§4, §5): envelope, errors, request ids, authentication.

Every response, errors included, is the OCPI envelope; every response echoes (or generates)
X-Request-ID and X-Correlation-ID (§4.2); no exception escapes as a 500 with a foreign body.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from litestar import Request, Response
from litestar.enums import MediaType, ScopeType
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from simulator.platform import audit
from simulator.platform.audit import RequestContext
from simulator.platform.clock import ocpi_datetime
from simulator.platform.errors import (
    GenericClientError,
    InvalidParameters,
    MethodNotAllowed,
    OcpiError,
    Unauthorized,
)
from simulator.platform.planted import planted
from simulator.platform.tables import BootstrapToken, Partner
from simulator.platform.tokens_codec import header_candidates

if TYPE_CHECKING:
    from simulator.platform.services import Platform

logger = logging.getLogger(__name__)


def platform_of(request: Request[Any, Any, Any]) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def envelope(
    platform: Platform, data: Any = None, status_code: int = 1000, message: str | None = None
) -> dict[str, Any]:
    """§4.1.7: the response format. `data` is left out when there is none."""
    body: dict[str, Any] = {}
    if data is not None:
        body["data"] = data
    body["status_code"] = status_code
    if message:
        body["status_message"] = message
    body["timestamp"] = ocpi_datetime(platform.clock.now())
    if planted(platform, "timestamp_not_utc"):
        local = platform.clock.now().astimezone(timezone(timedelta(hours=1)))
        body["timestamp"] = local.strftime("%Y-%m-%dT%H:%M:%S")  # CET wall clock, no zone
    if planted(platform, "envelope_without_timestamp"):
        del body["timestamp"]
    if planted(platform, "string_status_code"):
        body["status_code"] = str(status_code)
    return body


def ocpi_response(
    request: Request[Any, Any, Any], data: Any = None, http_status: int = 200
) -> Response[dict[str, Any]]:
    return Response(envelope(platform_of(request), data), status_code=http_status)


def stored_response(
    request: Request[Any, Any, Any],
    stored: str | list[str],
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """The envelope around stored JSON text (one object, or a list of them), spliced in as it
    is: never parsed again, and joined in one allocation (a page is ~100 kB)."""
    rest = json.dumps(envelope(platform_of(request)), separators=(",", ":"))  # {"status_code":…
    if isinstance(stored, str):
        parts = ('{"data":', stored, ",", rest[1:])
    else:
        parts = ('{"data":[', ",".join(stored), "],", rest[1:])
    return Response("".join(parts).encode(), media_type=MediaType.JSON, headers=headers)


def context_of(request: Request[Any, Any, Any]) -> RequestContext:
    client = request.client.host if request.client else None
    return RequestContext(
        client_address=client, request_id=request.scope["state"].get("request_id")
    )


async def json_body(request: Request[Any, Any, Any]) -> Any:
    """The parsed body; HTTP 400 when it is not valid JSON (§5 MUST)."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        if planted(platform_of(request), "bad_json_500"):
            raise RuntimeError("body parsing failed") from exc
        raise GenericClientError("the request body is not valid JSON") from exc


def error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """One handler for everything: OCPI errors, Litestar's HTTP errors, and the unexpected."""
    platform = platform_of(request)
    headers: dict[str, str] = {}
    if isinstance(exc, OcpiError):
        status, ocpi, message = exc.http_status, exc.ocpi_status, exc.message
        if isinstance(exc, MethodNotAllowed):
            headers["Allow"] = ", ".join(exc.allow)
    elif isinstance(exc, ValidationException) and request.url.path.startswith("/ocpi/"):
        # An OCPI parameter of the wrong type (`duration=abc`): §5's 2001, like any invalid
        # parameter (the admin API keeps its HTTP 400).
        status, ocpi = InvalidParameters.http_status, InvalidParameters.ocpi_status
        problems = [f"{e.get('key')}: {e.get('message')}" for e in exc.extra or []
                    if isinstance(e, dict)]  # fmt: skip
        message = "invalid parameters: " + ("; ".join(problems) or str(exc.detail))
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        ocpi = 3000 if status >= 500 else 2000
        message = str(exc.detail)
        headers.update(exc.headers or {})  # the router's 405 lists `Allow` (RFC 9110 §15.5.6)
        if "allow" in headers and request.url.path.startswith("/ocpi/"):  # OCPI uses no OPTIONS
            allowed = [m for m in headers.pop("allow").split(", ") if m != "OPTIONS"]
            headers["Allow"] = ", ".join(allowed)
    else:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        status, ocpi, message = 500, 3000, "internal error"
    if status == 401 and planted(platform, "forbidden_instead_of_unauthorized"):
        status = 403
    response = Response(
        envelope(platform, None, ocpi, message), status_code=status, headers=headers
    )
    if planted(platform, "error_without_envelope"):
        response = Response({"error": message}, status_code=status, headers=headers)
    if ocpi == 2001 and planted(platform, "detail_422_errors"):  # the framework's own answer
        response = Response({"detail": message}, status_code=422)
    return response


def _echoable(value: str) -> str:
    """What of a received X-Request-ID or X-Correlation-ID can be sent back: all of it (§4.2
    sets no length; HTTP bounds a header's size), without surrounding whitespace; '' when it
    holds a control character. HTTP/1.1 cannot carry those, and a server that tries closes the
    connection without any answer."""
    value = value.strip(" \t")
    if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
        return ""
    return value


#: The configuration modules' paths (versions, version details, credentials, hubclientinfo):
#: their answers carry no routing headers, even to a request that sent some (§4.1.8.2).
_CONFIGURATION = re.compile(r"^/ocpi/(versions|2\.2\.1(/credentials)?)/?$|/hubclientinfo(/|$)")

#: §4.1.8.2 routing headers: CiString(2) country codes and CiString(3) party ids (§16.1).
_ROUTING = {"country-code": 2, "party-id": 3}


def _routing_problem(headers: Mapping[str, str]) -> str | None:
    """Why a routing header the request carries is not a code of its CiString length (None: all
    fine; an empty header counts as absent)."""
    for direction in ("to", "from"):
        for field, length in _ROUTING.items():
            name = f"ocpi-{direction}-{field}"
            value = headers.get(name)
            if value and not re.fullmatch(rf"[\x21-\x7e]{{1,{length}}}", value):
                return (f"{name} must be 1 to {length} printable ASCII characters (a "
                        f"CiString({length}) code, §4.1.8.2), not {value!r}")  # fmt: skip
    return None


def request_ids(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: X-Request-ID and X-Correlation-ID echoed, or generated (§4.2); routing
    headers addressed back to the requester (§4.1.8.2). It wraps the whole app (see app.py), so
    the router's own 404 and 405 answers carry them too."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and scope["path"].startswith("/ocpi/"):
            # OCPI uses no OPTIONS: a 405 listing what the endpoint serves, like any other
            # method it does not (Litestar's own OPTIONS answer can list too few, issue #16).
            scope = {**scope, "method": "TRACE"}
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = _echoable(headers.get("x-request-id", "")) or str(uuid.uuid4())
        correlation_id = _echoable(headers.get("x-correlation-id", "")) or request_id
        platform = scope["app"].state.platform
        if planted(platform, "correlation_id_not_echoed"):
            correlation_id = request_id
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id

        # §4.1.8.2: a response is addressed back to the requester: TO and FROM swap.
        swap = (("to", "from"), ("from", "to"))
        if planted(platform, "routing_headers_not_swapped"):
            swap = (("to", "to"), ("from", "from"))
        problem = _routing_problem(headers)  # never echoed; refused by authenticate_partner

        def echoed(name: str, length: int) -> str:
            if planted(platform, "strange_header_drops_connection"):
                return headers.get(name, "")[:length]  # cut, never checked: a tab and all
            return "" if problem else headers.get(name, "")

        routing = [
            (f"ocpi-{to}-{field}".encode(), value.encode("latin-1"))
            for to, fro in swap
            for field, length in _ROUTING.items()
            if (value := echoed(f"ocpi-{fro}-{field}", length))
        ]
        if _CONFIGURATION.search(scope["path"]):
            routing = []  # §4.1.8.2: configuration modules use no routing headers
            if planted(platform, "routing_headers_on_configuration"):
                routing = [(b"ocpi-from-party-id", platform.settings.ocpi_party_id.encode())]

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                echoed = (
                    str(uuid.uuid4()) if planted(platform, "request_id_not_echoed") else request_id
                )
                ids = [
                    (b"x-request-id", echoed.encode("latin-1")),
                    (b"x-correlation-id", correlation_id.encode("latin-1")),
                ]
                extra = [*([] if planted(platform, "no_request_ids") else ids), *routing]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await app(scope, receive, send_with_ids)

    return middleware


@dataclass(frozen=True)
class Caller:
    """Who is calling, by the token in the Authorization header."""

    kind: Literal["partner", "bootstrap"]
    token: str
    partner: Partner | None = None
    bootstrap: BootstrapToken | None = None


async def _body_is_json(request: Request[Any, Any, Any]) -> None:
    """The transport layer ends once the body is parsed (§5, DIGEST 1.7): a body that is not
    JSON gets HTTP 400 before any OCPI-level check, whatever else is wrong with the request.
    (An empty body is left to the handler: some bodies are optional.)"""
    if (await request.body()).strip():
        await json_body(request)


async def authenticate(request: Request[Any, Any, Any]) -> Caller:
    """Versions and credentials: who calls (§4.1.2), then the body's syntax (§5)."""
    caller = await _identify(request)
    await _body_is_json(request)
    return caller


async def _identify(request: Request[Any, Any, Any]) -> Caller:
    """§4.1.2: a registered partner's token, or a live TOKEN_A; anything else is 401."""
    platform = platform_of(request)
    context = context_of(request)
    header = request.headers.get("authorization")
    if header and planted(platform, "scheme_word_not_checked"):
        header = "Token " + header.partition(" ")[2]  # any word before the token will do
    candidates = header_candidates(header, platform.settings.ocpi_accept_raw_tokens)
    if not candidates:
        reason = "missing" if header is None else "malformed"
        if reason == "malformed" and planted(platform, "malformed_authorization_500"):
            raise ValueError("cannot split the Authorization header")
        await platform.audit.record(audit.AUTH_REJECTED, context, reason=reason)
        raise Unauthorized("missing or malformed Authorization header", reason)
    for token in candidates:
        partner = await platform.registration.partner_for_token(token)
        if partner is not None:
            return Caller("partner", token, partner=partner)
    also = [s for s, f in (("spent", "token_a_reusable"), ("expired", "expired_token_a_accepted"))
            if planted(platform, f)]  # fmt: skip
    for token in candidates:
        bootstrap = await platform.bootstrap.find_usable(token, also)
        if bootstrap is not None:
            return Caller("bootstrap", token, bootstrap=bootstrap)
    reason, token_id = await platform.bootstrap.why_unusable(candidates[0])
    event = audit.AUTH_REJECTED if token_id is None else audit.TOKEN_REJECTED
    await platform.audit.record(event, context, reason=reason, token_id=token_id)
    raise Unauthorized(f"token not accepted ({reason})", reason)


async def authenticate_partner(request: Request[Any, Any, Any]) -> Caller:
    """Functional modules: a registered partner only; TOKEN_A gets 401 (§4.1.2). Then the
    body's syntax (§5) and the routing headers (§4.1.8.2: an invalid one is 2001)."""
    caller = await _identify(request)
    if caller.kind != "partner" and not planted(platform_of(request), "token_a_opens_modules"):
        platform = platform_of(request)
        token_id = caller.bootstrap.id if caller.bootstrap else None
        await platform.audit.record(
            audit.TOKEN_REJECTED, context_of(request), reason="bootstrap_scope", token_id=token_id
        )
        raise Unauthorized("TOKEN_A is valid on versions and credentials only", "bootstrap_scope")
    if caller.partner is not None and caller.partner.status != "registered":
        # Token B of a handshake we started and that has not ended (§7.1.1): the partner may
        # read our versions with it, no functional module yet.
        await platform_of(request).audit.record(
            audit.TOKEN_REJECTED, context_of(request), reason="pending",
            partner_id=caller.partner.id,
        )  # fmt: skip
        raise Unauthorized("the registration is not complete yet", "pending")
    await _body_is_json(request)
    problem = _routing_problem({k.lower(): v for k, v in request.headers.items()})
    if problem and not planted(platform_of(request), "strange_header_drops_connection"):
        raise InvalidParameters(problem)
    return caller
