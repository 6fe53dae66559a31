"""Paginated list GETs (§4.1.4.1): a crawler that follows Link headers only, and its checks.

`crawl` starts at a URL with the given query parameters, follows `Link: <...>; rel="next"` until
the last page, and judges every page on the way: parameters accepted (TRANS-025), X-Total-Count
and X-Limit present (TRANS-028/029), page sizes within limit and X-Limit (TRANS-033, TRANS-032
for a limit above the server maximum), a next link on every page but the last (TRANS-030) that
keeps the date filters (TRANS-031). `check_union` then judges the pages together against the
expected objects: count = X-Total-Count (TRANS-034), every object once (TRANS-035), and the date
window's bounds (TRANS-026 inclusive date_from, TRANS-027 exclusive date_to). `read` is the same
crawl, lenient fallbacks and all, judging nothing: for a suite that reads a list again.

Reusable by any Sender suite: it knows nothing of the module but its name (for routing headers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, urljoin, urlsplit

from conformance.checks.compare import instant
from conformance.checks.objects import check_status
from conformance.client import JudgeClient, Reply
from conformance.exchange import Exchange
from conformance.session import Judge
from conformance.verdicts import Blocked, Ledger, NoAnswer

PAGINATION_RULES = (
    "TRANS-025",
    "TRANS-026",
    "TRANS-027",
    "TRANS-028",
    "TRANS-029",
    "TRANS-030",
    "TRANS-031",
    "TRANS-032",
    "TRANS-033",
    "TRANS-034",
    "TRANS-035",
)
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
MAX_PAGES = 1000


def next_link(reply: Reply) -> str | None:
    """The rel="next" target of the response's Link header(s), absolute, or None."""
    header = reply.exchange.header("link")
    if not header:
        return None
    for target, params in _LINK.findall(header):
        rels = re.findall(r"rel\s*=\s*\"?([^\";]+)\"?", params)
        if any("next" in rel.lower().split() for rel in rels):
            return urljoin(reply.exchange.url, str(target).strip())
    return None


def _int_header(reply: Reply, name: str) -> int | None:
    value = reply.exchange.header(name)
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def identity(obj: Any) -> str:
    """What names an object in a list: (country_code, party_id, id), upper-cased (CiString)."""
    if not isinstance(obj, dict):
        return json.dumps(obj, sort_keys=True)
    parts = [str(obj.get(key, "")).upper() for key in ("country_code", "party_id", "id")]
    return "/".join(parts)


@dataclass
class Crawl:
    """What a crawl saw: the pages in order and their objects."""

    params: dict[str, str | int]
    pages: list[Reply] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    total: int | None = None  # X-Total-Count of the first page
    x_limit: int | None = None  # X-Limit of the first page
    links: int = 0  # next links the target gave
    origins: list[Exchange] = field(default_factory=list)  # the page each object came on

    @property
    def first(self) -> Reply:
        return self.pages[0]

    def ids(self) -> list[str]:
        return [identity(obj) for obj in self.objects]


class _Reader(Protocol):
    """What a crawl uses of the judge: its client, and the ledger its verdicts go to."""

    @property
    def client(self) -> JudgeClient: ...

    @property
    def ledger(self) -> Ledger: ...


@dataclass
class _Quiet:
    """The judge as a quiet read sees it: its client, and a ledger of its own nobody reads."""

    client: JudgeClient
    ledger: Ledger


def read(
    judge: Judge,
    url: str,
    module: str,
    token: str,
    params: dict[str, str | int] | None = None,
    *,
    max_pages: int = MAX_PAGES,
) -> Crawl:
    """The list read as `crawl` reads it (Link headers followed, the same lenient fallbacks to
    offset paging), at most `max_pages` pages, with no verdict and no reading recorded: for
    re-reads, so that a pagination deviation is found by the pagination tests alone.
    `Blocked` when the first page is refused."""
    return crawl(judge, url, module, token, params, quiet=True, max_pages=max_pages)


def crawl(
    judge: Judge,
    url: str,
    module: str,
    token: str,
    params: dict[str, str | int] | None = None,
    *,
    first_rule: str = "TRANS-025",
    server_max: int | None = None,
    quiet: bool = False,
    max_pages: int = MAX_PAGES,
) -> Crawl:
    """GET `url` with `params`, then follow rel="next" links; every page judged.
    `first_rule` grades the first page's acceptance (e.g. SES-011 for a Sessions list without
    date_from); later pages are graded TRANS-025/TRANS-030. `server_max`, the X-Limit of an
    unlimited GET of the same list, is what X-Limit must still say for a larger limit
    (TRANS-032).

    Lenient readings, each said under TRANS-030: a next link that cannot be followed as it is
    (it loses the filters or the offset, or writes a filter that does not read back as sent,
    TRANS-031; or its page is refused) is replaced by
    offset paging with the original parameters; and after a page without a next link, one GET
    at the next offset checks that nothing is left (objects there convict the missing link, and
    paging goes on by offset). `Blocked` when the first page gives nothing to judge.

    `quiet` (see `read`): the verdicts go to a ledger nobody reads, and a last page is taken
    as the last when X-Total-Count says so (no GET at the next offset to check it)."""
    reader: _Reader = judge
    if quiet:
        reader = _Quiet(judge.client, Ledger(judge.catalogue, strict=False))
    ledger = reader.ledger
    params = dict(params or {})
    result = Crawl(params)
    offset = int(params.get("offset", 0))
    limit = int(params["limit"]) if "limit" in params else None

    def at(next_offset: int) -> Reply:
        return reader.client.request(
            "GET", url, module=module, token=token, params={**params, "offset": next_offset}
        )

    reply = reader.client.request("GET", url, module=module, token=token, params=params or None)
    rule = first_rule
    while True:
        exchange = reply.exchange
        usable = check_status(ledger, rule, exchange, http=200, ocpi=1000) or (
            reply.status == 200 and isinstance(reply.data, list)
        )
        if not usable:
            if not result.pages:
                raise Blocked(
                    f"the {module} list was refused: HTTP {reply.status}, OCPI {reply.ocpi_status}",
                    exchange,
                )
            return result  # a later page refused even by offset: judged on what was read
        result.pages.append(reply)
        items = _judge_page(reader, result, reply, limit, server_max)
        result.objects.extend(items)
        result.origins.extend([exchange] * len(items))
        link = next_link(reply)
        seen = offset + len(result.objects)
        more = result.total is not None and seen < result.total
        if more:
            ledger.check(
                "TRANS-030",
                link is not None,
                expected=f'a Link rel="next": {seen} of X-Total-Count {result.total} seen',
                actual="no Link header",
                exchange=exchange,
            )
        # A next link although X-Total-Count says this is the last page: one of the two is
        # wrong; following the link decides (an empty page convicts the link, further objects
        # the count, TRANS-034 in check_union).
        if len(result.pages) >= max_pages or (link is not None and not items):
            ledger.check(
                "TRANS-030",
                False,
                expected="pages that advance towards the last page",
                actual=f"a next link after {len(items)} objects on page {len(result.pages)}",
                exchange=exchange,
            )
            return result
        if link is None:
            if quiet and result.total is not None and not more:
                return result
            if len(result.pages) > 1 and not result.links:
                ledger.blocked(
                    "TRANS-031",
                    "no next link to judge: the target sent none (TRANS-030)",
                    exchange,
                )
            probe = at(seen)
            left = probe.data if probe.status == 200 and isinstance(probe.data, list) else []
            if not left:
                if not more:
                    ledger.passed("TRANS-030")
                return result
            if not more:
                ledger.check(
                    "TRANS-030",
                    False,
                    expected='a Link rel="next" on every page but the last',
                    actual=f"no Link header, yet a GET at offset={seen} returned "
                    f"{len(left)} more objects",
                    exchange=exchange,
                )
            ledger.reading("TRANS-030", "no next link: the rest read by offset paging", exchange)
            reply, rule = probe, "TRANS-030"
            continue
        result.links += 1
        unfollowable = _check_link(reader, reply, link, params, result.x_limit, seen)
        if unfollowable is None:
            reply = reader.client.request("GET", link, module=module, token=token)
            if reply.status == 200 and isinstance(reply.data, list):
                rule = "TRANS-030"
                continue
            ledger.check(
                "TRANS-030",
                False,
                expected="a next link that leads to the next page",
                actual=f"HTTP {reply.status}"
                + (f" ({reply.exchange.error})" if reply.exchange.error else ""),
                exchange=reply.exchange,
            )
            ledger.reading(
                "TRANS-030", "a next link that could not be followed: offset paging used",
                reply.exchange,
            )  # fmt: skip
        else:
            ledger.reading(
                "TRANS-030",
                f"a next link that {unfollowable} is not followed: offset paging with the "
                "original parameters used",
                exchange,
            )
        reply, rule = at(seen), "TRANS-030"


def _judge_page(
    judge: _Reader, result: Crawl, reply: Reply, limit: int | None, server_max: int | None
) -> list[Any]:
    """One page's own rules (TRANS-025/028/029/032/033); its objects."""
    ledger, exchange, data = judge.ledger, reply.exchange, reply.data
    ledger.check(
        "TRANS-025",
        isinstance(data, list),
        expected="data: a list of objects on a paginated GET",
        actual=type(data).__name__,
        exchange=exchange,
    )
    items = data if isinstance(data, list) else []
    total = _int_header(reply, "X-Total-Count")
    x_limit = _int_header(reply, "X-Limit")
    ledger.check(
        "TRANS-028",
        total is not None,
        expected="an X-Total-Count header with a non-negative integer",
        actual=exchange.header("X-Total-Count") or "absent",
        exchange=exchange,
    )
    ledger.check(
        "TRANS-029",
        x_limit is not None and x_limit > 0,
        expected="an X-Limit header with a positive integer",
        actual=exchange.header("X-Limit") or "absent",
        exchange=exchange,
    )
    if len(result.pages) == 1:
        result.total, result.x_limit = total, x_limit
    # A limit above X-Limit not capped is TRANS-032's deviation (below); TRANS-033 then holds
    # the page to the requested limit alone, so one deviation is one finding.
    above = limit is not None and x_limit is not None and limit > x_limit
    caps = [c for c in ((limit,) if above else (limit, x_limit)) if c is not None]
    ledger.check(
        "TRANS-033",
        all(len(items) <= c for c in caps),
        expected=f"at most {min(caps) if caps else '?'} objects (limit {limit}, X-Limit {x_limit})",
        actual=f"{len(items)} objects",
        exchange=exchange,
    )
    if server_max is not None and limit is not None and limit > server_max:
        ledger.check(
            "TRANS-032",
            x_limit == server_max,
            expected=f"X-Limit {server_max}, the server maximum, also when limit={limit} is asked",
            actual=f"X-Limit {exchange.header('X-Limit')}",
            exchange=exchange,
        )
    if limit is not None and x_limit is not None and limit > x_limit:
        ledger.check(
            "TRANS-032",
            len(items) <= x_limit,
            expected=f"limit={limit} above X-Limit {x_limit} capped to {x_limit} objects",
            actual=f"{len(items)} objects",
            exchange=exchange,
        )
    return items


def _check_link(
    judge: _Reader,
    reply: Reply,
    link: str,
    params: dict[str, str | int],
    x_limit: int | None,
    next_offset: int,
) -> str | None:
    """TRANS-031 (date filters kept, the next offset) and TRANS-032 (limit capped in the link);
    None when the link can be followed as it is (TRANS-031 held, and it is an http(s) URL), else
    what is wrong with it (for the reading). Values are read as a server reads the link back
    (`parse_qs`): a filter written with an unencoded `+` (an offset like `+00:00`) comes back
    with a space in its place, not as the filter that was sent."""
    query = parse_qs(urlsplit(link).query)
    ledger = judge.ledger

    def one(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values else None

    problems = [] if urlsplit(link).scheme in ("http", "https") else ["is no http(s) URL"]
    for name in ("date_from", "date_to"):
        sent = params.get(name)
        got = one(name)
        kept = (got is None) if sent is None else (
            got is not None and (got == sent or instant(got) == instant(sent))
        )  # fmt: skip
        written = _written(link, name)
        mangled = not kept and got is not None and written is not None and "+" in written
        actual = link
        if mangled:
            actual = (f"{name} written {written!r} reads back as {got!r} (an unencoded '+' "
                      f"decodes to a space): {link}")  # fmt: skip
        if not ledger.check(
            "TRANS-031",
            kept,
            expected=f"{name}={sent} repeated in the next link" if sent else f"no {name}",
            actual=actual,
            exchange=reply.exchange,
        ):
            problems.append(
                "writes a date filter that does not read back as sent (an unencoded '+')"
                if mangled
                else "loses the filters"
            )
    got_offset = one("offset")
    if not ledger.check(
        "TRANS-031",
        got_offset is not None and got_offset.isdigit() and int(got_offset) == next_offset,
        expected=f"offset={next_offset} (the next page) in the next link",
        actual=link,
        exchange=reply.exchange,
    ):
        problems.append("loses the offset")
    got_limit = one("limit")
    if got_limit is not None and got_limit.isdigit() and x_limit is not None:
        ledger.check(
            "TRANS-032",
            int(got_limit) <= x_limit,
            expected=f"a next link whose limit is at most X-Limit {x_limit}",
            actual=link,
            exchange=reply.exchange,
        )
    return " and ".join(dict.fromkeys(problems)) or None


def _written(link: str, name: str) -> str | None:
    """The value of query parameter `name` as the link writes it, before any decoding."""
    for pair in urlsplit(link).query.split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            return value
    return None


def small_pages(objects: Sequence[Any]) -> dict[str, str | int] | None:
    """Parameters that spread `objects` over three pages inside a date window holding them all:
    a case that always needs next links keeping the filters (TRANS-030/031), whatever a
    Hypothesis draw picked. None for fewer than three dated objects."""
    dated = [o for o in objects if isinstance(o, dict) and instant(o.get("last_updated"))]
    stamps = sorted((instant(o["last_updated"]), str(o["last_updated"])) for o in dated)
    if len(stamps) < 3:
        return None
    return {"date_from": stamps[0][1], "limit": -(-len(objects) // 3)}


def check_zero_limit(judge: Judge, url: str, module: str, token: str) -> None:
    """TRANS-030 for `limit=0`, which §4.1.4.1 leaves open (a server may refuse it, answer an
    empty page, or read it as no limit): a next link must still lead forward. An empty page
    whose next link points at the offset just read (0; an omitted offset is 0, TRANS-025)
    sends a client that follows links round in circles for ever. Only that loop is judged."""
    reply = judge.client.request("GET", url, module=module, token=token, params={"limit": 0})
    if reply.status is None:
        raise NoAnswer(reply.exchange)
    if reply.status != 200 or not isinstance(reply.data, list):
        judge.ledger.skipped(
            "TRANS-030", f"limit=0 answered HTTP {reply.status}, OCPI {reply.ocpi_status}: no page"
        )
        return
    link = next_link(reply)
    if reply.data:
        return  # the server read limit=0 as no limit (or as its own): no loop to see
    query = parse_qs(urlsplit(link).query) if link else {}
    offset = query.get("offset", ["0"])[0].strip()
    limit = query.get("limit", [""])[0].strip()
    loops = link is not None and offset == "0" and limit == "0"  # the same request again
    judge.ledger.check(
        "TRANS-030",
        not loops,
        expected="with limit=0, no next link back to the page just read (it would never end)",
        actual=f"an empty page whose next link {link} asks for it again (offset 0, limit 0)",
        exchange=reply.exchange,
    )


def in_window(obj: Any, date_from: datetime | None, date_to: datetime | None) -> bool:
    updated = instant(obj.get("last_updated")) if isinstance(obj, dict) else None
    if updated is None:
        return False
    return (date_from is None or updated >= date_from) and (date_to is None or updated < date_to)


def check_union(
    judge: Judge,
    result: Crawl,
    everything: Sequence[Any],
    reference: Sequence[Any] | None = None,
    *,
    key: Callable[[Any], str] = identity,
) -> None:
    """The crawl against `everything` (the whole unfiltered list, in server order): no duplicates
    and every matching object (TRANS-035), count = X-Total-Count (TRANS-034), date bounds
    (TRANS-026/027). With an offset, the expected objects are those after the first `offset` of
    `reference`: the same window crawled from offset 0 (the server's order)."""
    if not result.pages or result.first.status != 200:
        return
    ledger = judge.ledger
    exchange = result.first.exchange
    raw_from, raw_to = result.params.get("date_from"), result.params.get("date_to")
    date_from = instant(raw_from) if raw_from is not None else None
    date_to = instant(raw_to) if raw_to is not None else None
    matching = [obj for obj in everything if in_window(obj, date_from, date_to)]
    offset = int(result.params.get("offset", 0))
    wanted = [key(obj) for obj in (matching if reference is None else reference)[offset:]]
    got = [key(obj) for obj in result.objects]
    duplicates = sorted({k for k in got if got.count(k) > 1})
    ledger.check(
        "TRANS-035",
        not duplicates,
        expected="every object on one page only",
        actual=f"on two pages: {duplicates[:5]}",
        exchange=exchange,
    )
    missing = sorted(set(wanted) - set(got))
    extra = sorted(set(got) - set(wanted))
    window = f"date_from={raw_from} date_to={raw_to} offset={offset}"
    if raw_from is not None:
        stray = [key(o) for o in result.objects if (u := instant(o.get("last_updated")))
                 and date_from and u < date_from]  # fmt: skip
        edge = [key(o) for o in matching if instant(o.get("last_updated")) == date_from]
        ledger.check(
            "TRANS-026",
            not stray and not (set(edge) & set(wanted)) - set(got),
            expected=f"exactly the objects with last_updated >= {raw_from} ({window})",
            actual=f"earlier ones returned: {stray[:5]}; ones at the bound missing: "
            f"{sorted((set(edge) & set(wanted)) - set(got))[:5]}",
            exchange=exchange,
        )
    if raw_to is not None:
        late = [key(o) for o in result.objects if (u := instant(o.get("last_updated")))
                and date_to and u >= date_to]  # fmt: skip
        ledger.check(
            "TRANS-027",
            not late,
            expected=f"only objects with last_updated < {raw_to} ({window})",
            actual=f"at or after the bound: {late[:5]}",
            exchange=exchange,
        )
    ledger.check(
        "TRANS-035",
        not missing and not extra,
        expected=f"the {len(wanted)} matching objects ({window})",
        actual=f"{len(got)} objects; missing {missing[:5]}; unexpected {extra[:5]}",
        exchange=exchange,
    )
    # TRANS-034 (the pages hold what the header announced) is judged only against a right
    # header: a wrong one is TRANS-028's deviation, and would fail both by construction.
    if result.total is not None and ledger.check(
        "TRANS-028",
        result.total == len(matching),
        expected=f"X-Total-Count {len(matching)}: the objects matching {window}, "
        "ignoring offset and limit",
        actual=result.total,
        exchange=exchange,
    ):
        ledger.check(
            "TRANS-034",
            len(got) == max(0, result.total - offset),
            expected=f"X-Total-Count {result.total} minus offset {offset} objects over all pages",
            actual=f"{len(got)} objects",
            exchange=exchange,
        )
