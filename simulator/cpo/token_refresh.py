"""Refreshing the token cache from an eMSP: a pull of its Tokens Sender (§12.2.2, issue #14).

The first pull of a partner is full; later ones are incremental, with `date_from` set to the
eMSP's own `timestamp` on the first page of the last pull that completed (its clock, not ours,
so that skew loses nothing). Each page is applied in one transaction of its own; a page that
fails (the eMSP unreachable or refusing, an envelope that is not one, a Link that cannot be
followed) stops the refresh with an error that says which page and why. What earlier pages
stored stays usable, but the pull is not recorded as complete: the next incremental pull starts
again from the last complete one, and pulls the partial pages again (a PUT of a Token is
idempotent).

A Token the YAML refuses, or of a party that is not one of the eMSP's roles (§4.1.5.1), is
counted and reported, never stored. A Token the eMSP no longer lists is kept as pulled: OCPI has
no delete for Tokens (§12), an eMSP invalidates them with `valid: false`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from simulator.cpo.receivers import DEFAULT_TOKEN_TYPE, TOKEN
from simulator.platform import audit
from simulator.platform.audit import RequestContext
from simulator.platform.clock import ocpi_datetime, parse_ocpi_datetime
from simulator.platform.documents import Key
from simulator.platform.errors import InvalidDateTime, NotFound, OcpiError
from simulator.platform.partner_client import Discovery, request_headers, routing_headers
from simulator.platform.services import Platform
from simulator.platform.tables import Partner, TokenPull
from specs import contract

MAX_PAGES = 100_000
PROBLEMS_KEPT = 20  # problems of invalid Tokens reported, the first ones

#: (Tokens received so far, the eMSP's X-Total-Count or None), after each page.
Progress = Callable[[int, int | None], None]


class RefreshFailed(OcpiError):
    """3001 in HTTP 502: a page of the eMSP's Tokens could not be used; nothing is complete."""

    ocpi_status = 3001
    http_status = 502


@dataclass
class RefreshResult:
    partner_id: str
    full: bool
    date_from: str | None  # what the pull asked for; None: everything
    pages: int = 0
    received: int = 0
    stored: int = 0
    invalid: int = 0
    total: int | None = None  # the eMSP's X-Total-Count, as last sent
    problems: list[str] = field(default_factory=list)  # the first PROBLEMS_KEPT
    complete_from: str | None = None  # the date_from of the next incremental pull

    def view(self) -> dict[str, Any]:
        return asdict(self)


async def refresh_tokens(
    platform: Platform,
    partner_id: str,
    context: RequestContext,
    *,
    full: bool = False,
    progress: Progress | None = None,
) -> RefreshResult:
    """Pull every page of the eMSP's Tokens into the cache; audited either way."""
    partner = await _emsp(platform, partner_id)
    date_from = None if full else await _complete_from(platform, partner_id)
    result = RefreshResult(partner_id, date_from is None, date_from)
    try:
        started = await _pull(platform, partner, result, progress)
    except RefreshFailed as failure:
        await platform.audit.record(
            audit.TOKENS_REFRESH_FAILED, context, partner_id=partner_id,
            detail={**_counts(result), "error": failure.message},
        )  # fmt: skip
        raise
    result.complete_from = started
    async with platform.database.transaction() as session:
        await session.merge(
            TokenPull(
                partner_id=partner_id, complete_from=started, completed_at=platform.clock.now()
            )
        )
        platform.audit.add(
            session, audit.TOKENS_REFRESHED, context, partner_id=partner_id,
            detail=_counts(result),
        )  # fmt: skip
    return result


async def _emsp(platform: Platform, partner_id: str) -> Partner:
    partner = await platform.registration.partner(partner_id)
    if partner is None or partner.status != "registered" or partner.outbound_token is None:
        raise NotFound(f"no registered partner {partner_id}")
    return partner


async def _complete_from(platform: Platform, partner_id: str) -> str | None:
    async with platform.database.transaction() as session:
        pull = await session.scalar(select(TokenPull).where(TokenPull.partner_id == partner_id))
    return pull.complete_from if pull is not None else None


async def _pull(
    platform: Platform, partner: Partner, result: RefreshResult, progress: Progress | None
) -> str:
    """Every page, applied one by one; the eMSP's timestamp on the first page."""
    url = Discovery(partner.versions_url, partner.version or "", partner.endpoints).endpoint(
        "tokens", "SENDER"
    )
    if url is None:
        raise RefreshFailed(f"partner {partner.id} publishes no tokens SENDER endpoint")
    params = {"date_from": result.date_from} if result.date_from else None
    seen: set[str] = set()
    started = ocpi_datetime(platform.clock.now())
    while url is not None:
        page = result.pages + 1
        if page > MAX_PAGES or url in seen:
            raise RefreshFailed(f"page {page}: the Link leads back to {url}; pagination never ends")
        seen.add(url)
        response = await _get(platform, partner, url, params, page)
        params = None  # the next link carries the filters itself (§4.1.4.1)
        tokens, timestamp = _page(response, url, page)
        if page == 1 and timestamp is not None:
            started = timestamp
        await _apply(platform, partner, tokens, result)
        result.pages = page
        total = response.headers.get("X-Total-Count", "")
        result.total = int(total) if total.isdigit() else result.total
        if progress is not None:
            progress(result.received, result.total)
        url = _next(response, url, page, result)
    return started


async def _get(
    platform: Platform, partner: Partner, url: str, params: dict[str, str] | None, page: int
) -> httpx.Response:
    assert partner.outbound_token is not None
    identity = platform.registration.identity
    routing = routing_headers((identity.country_code, identity.party_id), partner.roles, "EMSP")
    headers = {**request_headers(partner.outbound_token), **routing}
    try:
        return await platform.http.get(url, params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise RefreshFailed(f"page {page} ({url}): no answer: {type(exc).__name__}") from exc


def _page(response: httpx.Response, url: str, page: int) -> tuple[list[Any], str | None]:
    """The page's Tokens and the envelope's timestamp, or RefreshFailed saying why not."""
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    status = envelope.get("status_code") if isinstance(envelope, dict) else None
    if response.status_code != 200 or status != 1000:
        raise RefreshFailed(f"page {page} ({url}): HTTP {response.status_code}, OCPI {status}")
    assert isinstance(envelope, dict)
    data = envelope.get("data")
    if not isinstance(data, list):
        raise RefreshFailed(f"page {page} ({url}): `data` is not a list of Tokens (§4.1.4)")
    try:
        stamp = ocpi_datetime(parse_ocpi_datetime(str(envelope.get("timestamp"))))
    except InvalidDateTime:
        return data, None  # our clock's start of the pull stands in
    return data, stamp


async def _apply(
    platform: Platform, partner: Partner, tokens: list[Any], result: RefreshResult
) -> None:
    """Store the page's valid Tokens in one transaction; count and report the others."""
    owners = {(str(r.get("country_code", "")).upper(), str(r.get("party_id", "")).upper())
              for r in partner.roles}  # fmt: skip
    async with platform.database.transaction() as session:
        for n, token in enumerate(tokens):
            result.received += 1
            problems = contract.errors(token, "Token")
            if (
                not problems
                and (token["country_code"].upper(), token["party_id"].upper()) not in owners
            ):
                problems = [f"{token['country_code']}/{token['party_id']} is not one of the "
                            "eMSP's credentials roles (§4.1.5.1)"]  # fmt: skip
            if problems:
                result.invalid += 1
                room = PROBLEMS_KEPT - len(result.problems)
                where = f"page {result.pages + 1}, Token {n}"
                result.problems.extend(f"{where}: {p}" for p in problems[: max(room, 0)])
                continue
            key = Key(TOKEN, partner.id, token["country_code"], token["party_id"], token["uid"],
                      token.get("type") or DEFAULT_TOKEN_TYPE)  # fmt: skip
            await platform.documents.put(key, token, session)
            result.stored += 1


def _next(response: httpx.Response, url: str, page: int, result: RefreshResult) -> str | None:
    """The next page's URL (§4.1.4.1: the Link header alone), or None at the end. A next Link
    that cannot be followed, or a list that ends before its X-Total-Count, fails the refresh."""
    link = response.links.get("next", {}).get("url")
    if not link:
        if result.total is not None and result.received < result.total:
            raise RefreshFailed(f"page {page} ({url}): no next Link after {result.received} of "
                                f"the {result.total} Tokens X-Total-Count announces")  # fmt: skip
        return None
    here, following = httpx.URL(url), httpx.URL(url).join(link)
    if (following.scheme, following.host, following.port) != (here.scheme, here.host, here.port):
        raise RefreshFailed(f"page {page} ({url}): its next Link leaves the eMSP, to {link}")
    return str(following)


def _counts(result: RefreshResult) -> dict[str, Any]:
    return {k: v for k, v in result.view().items() if k not in ("partner_id", "problems")}
