"""Paginated list GETs (§4.1.4.1): query parameters in, X-Total-Count, X-Limit and Link out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response

from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.documents import Page
from simulator.platform.errors import InvalidParameters
from simulator.platform.planted import planted
from simulator.platform.transport import envelope, platform_of

DEFAULT_MAX_LIMIT = 100


@dataclass(frozen=True)
class PageRequest:
    offset: int
    limit: int
    date_from: datetime | None
    date_to: datetime | None
    raw_date_from: str | None
    raw_date_to: str | None


def _int(request: Request[Any, Any, Any], name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise InvalidParameters(f"{name} must be a non-negative integer, not {value!r}")
    return int(value)


def _datetime(request: Request[Any, Any, Any], name: str) -> tuple[datetime | None, str | None]:
    value = request.query_params.get(name)
    if value is None or value == "":
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
    limit = min(_int(request, "limit", max_limit), max_limit)
    if planted(platform_of(request), "limit_not_capped"):
        limit = _int(request, "limit", max_limit)
    date_from, raw_from = _datetime(request, "date_from")
    date_to, raw_to = _datetime(request, "date_to")
    return PageRequest(offset, limit, date_from, date_to, raw_from, raw_to)


def paged_response(
    request: Request[Any, Any, Any],
    page: Page,
    wanted: PageRequest,
    max_limit: int = DEFAULT_MAX_LIMIT,
) -> Response[dict[str, Any]]:
    """The envelope with the page, X-Total-Count, X-Limit and, unless last, Link rel="next"."""
    platform = platform_of(request)
    headers = {"X-Total-Count": str(page.total), "X-Limit": str(max_limit)}
    if planted(platform, "total_count_is_page_size"):
        headers["X-Total-Count"] = str(len(page.items))
    next_offset = page.offset + len(page.items)
    if page.items and next_offset < page.total and not planted(platform, "no_link_header"):
        query: dict[str, str | int] = {}
        if wanted.raw_date_from is not None:
            query["date_from"] = wanted.raw_date_from
        if wanted.raw_date_to is not None:
            query["date_to"] = wanted.raw_date_to
        query["offset"] = next_offset
        if planted(platform, "link_drops_date_filters"):
            query = {"offset": next_offset}
        query["limit"] = wanted.limit
        url = platform.url(request.url.path) + "?" + urlencode(query)
        headers["Link"] = f'<{url}>; rel="next"'
    return Response(envelope(platform, page.items), headers=headers)
