"""Paginated list GETs (§4.1.4.1): query parameters in, X-Total-Count, X-Limit and Link out.

Pages are served from the stored JSON without parsing it, and the Link carries a cursor (`after`,
the last document's position) beside the offset, so following links costs the same on every
page, however deep (see docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response

from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.documents import Page
from simulator.platform.errors import InvalidParameters, NotFound
from simulator.platform.planted import planted
from simulator.platform.transport import platform_of, stored_response

DEFAULT_MAX_LIMIT = 100
CURSOR = "after"


@dataclass(frozen=True)
class PageRequest:
    offset: int
    limit: int
    date_from: datetime | None
    date_to: datetime | None
    raw_date_from: str | None
    raw_date_to: str | None
    after_seq: int | None = None


#: The largest offset a store can page by (a signed 64-bit SQL integer).
LARGEST = 2**63 - 1


def _int(request: Request[Any, Any, Any], name: str, default: int) -> int:
    """A non-negative integer parameter; past 64 bits it is an invalid parameter (OCPI 2001),
    never an overflow deep in the store."""
    value = request.query_params.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() too
        raise InvalidParameters(f"{name} must be a non-negative integer, not {value!r}")
    number = int(value)
    if number > LARGEST and not planted(platform_of(request), "offset_overflow_500"):
        raise InvalidParameters(f"{name} must be at most {LARGEST}, not {value}")
    return number


def _datetime(request: Request[Any, Any, Any], name: str) -> tuple[datetime | None, str | None]:
    value = request.query_params.get(name)
    if value is None:
        return None, None
    try:
        return parse_ocpi_datetime(value), value
    except ValueError as exc:
        raise InvalidParameters(f"{name} must be an OCPI DateTime (§16.2), not {value!r}") from exc


def page_request(
    request: Request[Any, Any, Any], max_limit: int = DEFAULT_MAX_LIMIT
) -> PageRequest:
    """Parse offset, limit, date_from, date_to; a limit above the maximum is capped (§4.1.4.1)."""
    offset = _int(request, "offset", 0)
    # §4.1.4.1: a limit above the maximum is capped (one past 64 bits is out of range: 2001).
    limit = min(_int(request, "limit", max_limit), max_limit)
    if planted(platform_of(request), "limit_not_capped"):
        limit = _int(request, "limit", max_limit)
    date_from, raw_from = _datetime(request, "date_from")
    date_to, raw_to = _datetime(request, "date_to")
    after = _int(request, CURSOR, -1)
    return PageRequest(
        offset, limit, date_from, date_to, raw_from, raw_to, None if after < 0 else after
    )


async def list_response(
    request: Request[Any, Any, Any], kind: str, origins: Sequence[str]
) -> Response[bytes]:
    """One page of the stored documents of `kind` from `origins`, as the request asks."""
    raw_path = bytes(request.scope.get("raw_path") or b"")  # as sent: Litestar strips the slash
    if planted(platform_of(request), "list_only_with_slash") and not raw_path.endswith(b"/"):
        raise NotFound("no such route (did you mean the URL with a trailing slash?)")
    wanted = page_request(request)
    page = await platform_of(request).documents.page(
        kind,
        origins,
        offset=wanted.offset,
        limit=wanted.limit,
        date_from=wanted.date_from,
        date_to=wanted.date_to,
        after_seq=wanted.after_seq,
    )
    return paged_response(request, page, wanted)


def paged_response(
    request: Request[Any, Any, Any],
    page: Page,
    wanted: PageRequest,
    max_limit: int = DEFAULT_MAX_LIMIT,
) -> Response[bytes]:
    """The envelope with the page, X-Total-Count, X-Limit and, unless last, Link rel="next"."""
    platform = platform_of(request)
    headers = {"X-Total-Count": str(page.total), "X-Limit": str(max_limit)}
    if planted(platform, "x_limit_echoes_limit") and "limit" in request.query_params:
        headers["X-Limit"] = request.query_params["limit"]  # the request's, not the maximum
    if planted(platform, "total_count_is_page_size"):
        headers["X-Total-Count"] = str(len(page.bodies))
    next_offset = page.offset + len(page.bodies)
    more = bool(page.bodies)  # an empty page (limit=0) has no next one: it would be itself
    if planted(platform, "limit_zero_loops"):
        more = True
    if more and next_offset < page.total and not planted(platform, "no_link_header"):
        query: dict[str, str | int] = {}
        if wanted.raw_date_from is not None:
            query["date_from"] = wanted.raw_date_from
        if wanted.raw_date_to is not None:
            query["date_to"] = wanted.raw_date_to
        query["offset"] = next_offset
        if planted(platform, "link_drops_date_filters"):
            query = {"offset": next_offset}
        query["limit"] = wanted.limit
        if page.last_seq is not None:
            query[CURSOR] = page.last_seq
        url = platform.url(request.url.path) + "?" + urlencode(query)
        if planted(platform, "link_query_not_returnable"):
            url = platform.url(request.url.path) + "?" + _joined_by_hand(query, wanted)
        if planted(platform, "next_link_wrong_scheme"):
            url = "https" + url.removeprefix("http").removeprefix("s")  # TLS where there is none
        headers["Link"] = f'<{url}>; rel="next"'
    elif planted(platform, "empty_link_on_last_page"):
        headers["Link"] = ""
    return stored_response(request, page.bodies, headers)


def _joined_by_hand(query: dict[str, str | int], wanted: PageRequest) -> str:
    """The next-page query as a hand-rolled join (planted fault `link_query_not_returnable`):
    the dates re-rendered by isoformat(), whose `+00:00` is never percent-encoded, so that a
    server reading the link back decodes the `+` to a space."""
    dates = {"date_from": wanted.date_from, "date_to": wanted.date_to}
    return "&".join(
        f"{name}={moment.isoformat() if (moment := dates.get(name)) else value}"
        for name, value in query.items()
    )
