"""Outbound OCPI calls to a partner: versions discovery and the credentials calls (§6, §7)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from simulator.platform.errors import (
    NoMatchingEndpoints,
    UnableToUseClientApi,
    UnsupportedVersion,
)
from simulator.platform.tokens_codec import encode_header

OCPI_VERSION = "2.2.1"


@dataclass(frozen=True)
class Discovery:
    """What a partner's versions and version details said."""

    versions_url: str
    version: str
    endpoints: list[dict[str, str]]

    def endpoint(self, identifier: str, role: str | None = None) -> str | None:
        for entry in self.endpoints:
            if entry.get("identifier") == identifier and (
                role is None or entry.get("role") == role
            ):
                return entry.get("url")
        return None


class PartnerCallFailed(Exception):
    """A call to the partner failed; `status` is its OCPI status code and `http_status` its HTTP
    status, where it answered."""

    def __init__(
        self, message: str, status: int | None = None, http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.http_status = http_status

    @property
    def refused_data(self) -> bool:
        """The partner answered and refused what we sent (HTTP 400/422, or OCPI 2000-2002),
        not who we are (401/403, 2004) nor for a reason of its own (5xx, 3xxx)."""
        if self.http_status in (None, 401, 403, 404) or self.http_status >= 500:
            return False  # unanswered, or refused for who we are or where we asked
        return self.http_status in (400, 422) or self.status in (2000, 2001, 2002)


#: Redirects followed in a row: within the partner's own origin only (`partner_http`).
MAX_REDIRECTS = 5
_ORIGIN = "plugfest.origin"  # request extension: the origin the first request went to


class ForeignRedirect(httpx.RequestError):
    """A partner redirected us off its own origin: not followed, our token would go along."""


def partner_http(
    timeout: float, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client every call to a partner goes through. §6.2.2 has us use endpoint URLs as
    given; a partner that still redirects is followed within its own origin (scheme, host and
    port), at most MAX_REDIRECTS times, and never off it."""
    return httpx.AsyncClient(
        timeout=timeout,
        transport=transport,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        event_hooks={"request": [_stay_on_origin]},
    )


async def _stay_on_origin(request: httpx.Request) -> None:
    origin = (request.url.scheme, request.url.host, request.url.port)
    first = request.extensions.setdefault(_ORIGIN, origin)
    if first != origin:
        raise ForeignRedirect(
            f"redirected off the partner's origin, to {request.url.scheme}://{request.url.host}",
            request=request,
        )


def under(endpoint: str, path: str) -> str:
    """The URL of `path` below a partner's endpoint, joined by one slash whether or not the
    endpoint was advertised with a trailing one (§6.2.2: the endpoint URL is used as given)."""
    return f"{endpoint.rstrip('/')}/{path.lstrip('/')}" if path.strip("/") else endpoint


def routing_headers(own: tuple[str, str], roles: list[dict[str, Any]], role: str) -> dict[str, str]:
    """§4.1.8.2 on a functional module: from us (`own`: country code, party id) to the
    partner's `role` among its credentials `roles` (its first role otherwise); all four
    whenever the partner has a role (digest 8.12)."""
    headers = {"OCPI-from-country-code": own[0], "OCPI-from-party-id": own[1]}
    to = next((r for r in roles if r.get("role") == role), roles[0] if roles else None)
    if to:
        headers["OCPI-to-country-code"] = str(to.get("country_code", ""))
        headers["OCPI-to-party-id"] = str(to.get("party_id", ""))
    return headers


def request_headers(token: str) -> dict[str, str]:
    """Headers of every request we send (§4.1.2, §4.2)."""
    request_id = str(uuid.uuid4())
    return {
        "Authorization": encode_header(token),
        "X-Request-ID": request_id,
        "X-Correlation-ID": request_id,
    }


async def _get_data(client: httpx.AsyncClient, url: str, token: str) -> Any:
    try:
        response = await client.get(url, headers=request_headers(token))
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UnableToUseClientApi(f"GET {url} failed: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200 or not isinstance(body, dict) or body.get("status_code") != 1000:
        status = body.get("status_code") if isinstance(body, dict) else None
        raise UnableToUseClientApi(f"GET {url} answered HTTP {response.status_code}, OCPI {status}")
    return body.get("data")


async def discover(
    client: httpx.AsyncClient, versions_url: str, token: str, required: tuple[str, ...]
) -> Discovery:
    """GET versions, pick 2.2.1, GET its details (§7.1.1 step 2 / 4)."""
    versions = await _get_data(client, versions_url, token)
    if not isinstance(versions, list):
        raise UnableToUseClientApi(f"{versions_url}: data is not a list of versions")
    details_url = next(
        (
            v.get("url")
            for v in versions
            if isinstance(v, dict) and v.get("version") == OCPI_VERSION
        ),
        None,
    )
    if not isinstance(details_url, str):
        offered = [v.get("version") for v in versions if isinstance(v, dict)]
        raise UnsupportedVersion(f"no common OCPI version: partner offers {offered}")
    details = await _get_data(client, details_url, token)
    endpoints = details.get("endpoints") if isinstance(details, dict) else None
    if not isinstance(endpoints, list) or not all(isinstance(e, dict) for e in endpoints):
        raise UnableToUseClientApi(f"{details_url}: data has no endpoints list")
    keys = ("identifier", "role", "url")
    unusable = [n for n, e in enumerate(endpoints)
                if not all(isinstance(e.get(key), str) for key in keys)]  # fmt: skip
    if unusable:  # §6.2.2.1: each Endpoint has a string identifier, role and url
        raise UnableToUseClientApi(
            f"{details_url}: endpoints {unusable} lack a string identifier, role or url"
        )
    published = {e.get("identifier") for e in endpoints}
    missing = [module for module in required if module not in published]
    if missing:
        raise NoMatchingEndpoints(f"partner does not publish required modules: {missing}")
    if not published - {"credentials"}:
        # §5 3003 "no matching endpoints": nothing but credentials, so no module in common.
        raise NoMatchingEndpoints("partner publishes no functional module, only credentials")
    return Discovery(versions_url, OCPI_VERSION, endpoints)


async def send_credentials(
    client: httpx.AsyncClient, method: str, url: str, token: str, body: dict[str, Any] | None
) -> dict[str, Any] | None:
    """POST, PUT or DELETE the partner's credentials; their Credentials `data` (None on DELETE)."""
    try:
        response = await client.request(method, url, headers=request_headers(token), json=body)
    except httpx.HTTPError as exc:
        raise PartnerCallFailed(f"{method} {url} failed: {type(exc).__name__}: {exc}") from exc
    try:
        envelope = response.json()
    except ValueError:
        envelope = None  # judged by its HTTP status alone
    status = envelope.get("status_code") if isinstance(envelope, dict) else None
    if response.status_code != 200 or status != 1000:
        raise PartnerCallFailed(
            f"{method} {url} answered HTTP {response.status_code}, OCPI {status}",
            status,
            response.status_code,
        )
    data = envelope.get("data")
    if method == "DELETE":
        return None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        raise PartnerCallFailed(f"{method} {url}: no credentials in the answer")
    return data
