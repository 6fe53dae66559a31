"""The CPO's Sender interfaces (§8.2.1, §9.2.1, §10.2.1, §11.2.1): lists, pages, objects.

Each published Sender is crawled once in full (following Link headers only); every object is
judged against the YAML and the module's structural rules. Hypothesis then draws offsets, limits
and date windows (taken from the objects' own last_updated values, so that the bounds are hit
exactly) and checks that the pages add up (conformance/suites/pagination.py). Locations are also
fetched one by one: Location, EVSE and Connector, and unknown ids (LOC-010; the other Senders
have no single-object GET in 2.2.1).
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.compare import differences, instant, same
from conformance.checks.objects import check_object, check_status, single_object
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.pagination import (
    PAGINATION_RULES,
    check_union,
    check_zero_limit,
    crawl,
    identity,
    small_pages,
)
from conformance.suites.senders import crawled, everything, sender
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("modules")

OBJECTS = {"locations": "Location", "sessions": "Session", "cdrs": "CDR", "tariffs": "Tariff"}
OBJECT_RULES = {"locations": "LOC-014", "sessions": "SES-014", "cdrs": "CDR-013",
                "tariffs": "TAR-011"}  # fmt: skip
SESSION_ONLY_DIMENSIONS = {"CURRENT", "ENERGY_EXPORT", "ENERGY_IMPORT", "POWER", "STATE_OF_CHARGE"}
_LATITUDE = re.compile(r"-?[0-9]{1,2}\.[0-9]{5,7}")
_LONGITUDE = re.compile(r"-?[0-9]{1,3}\.[0-9]{5,7}")
_QUICK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def _module(module: str, *rules: str) -> Any:
    return pytest.param(module, marks=pytest.mark.rule(*rules), id=module)


@pytest.mark.parametrize(
    "module",
    [
        _module("locations", *PAGINATION_RULES, "LOC-014"),
        _module("sessions", *PAGINATION_RULES, "SES-014", "SES-011"),
        _module("cdrs", *PAGINATION_RULES, "CDR-013"),
        _module("tariffs", *PAGINATION_RULES, "TAR-011"),
    ],
)
def test_full_list(judge: Judge, module: str) -> None:
    """The whole list from offset 0, pages followed by Link; every object valid; the same list
    again in small pages inside a date window."""
    url, token = sender(judge, module)
    result = crawled(judge, module)
    check_union(judge, result, result.objects)
    params = small_pages(result.objects)
    if params:
        check_union(judge, crawl(judge, url, module, token, params), result.objects)
    if not result.objects:
        judge.ledger.skipped(OBJECT_RULES[module], f"the target's {module} list is empty")
    for obj, origin in zip(result.objects, result.origins, strict=True):
        check_object(judge.ledger, OBJECT_RULES[module], obj, OBJECTS[module], origin)


@pytest.mark.parametrize(
    "module",
    [_module(m, "TRANS-032", "TRANS-033") for m in ("locations", "sessions", "cdrs", "tariffs")],
)
def test_a_limit_above_the_maximum_is_capped(judge: Judge, module: str) -> None:
    """Asked for twice X-Limit, the server answers at most X-Limit per page (§4.1.4.1). Always
    asked, not left to a random draw; it shows only when the list is longer than X-Limit."""
    url, token = sender(judge, module)
    full = crawled(judge, module)
    if full.x_limit is None:
        raise Blocked("the target sent no X-Limit to go above (see TRANS-029)")
    if len(full.objects) <= full.x_limit:
        judge.ledger.skipped("TRANS-032", f"the {module} list is not longer than X-Limit")
    crawl(judge, url, module, token, {"limit": 2 * full.x_limit}, server_max=full.x_limit)


@pytest.mark.parametrize(
    "module", [_module(m, "TRANS-030") for m in ("locations", "sessions", "cdrs", "tariffs")]
)
def test_limit_zero_does_not_loop(judge: Judge, module: str) -> None:
    """limit=0, which no Hypothesis draw sends: no next link back to the same page."""
    url, token = sender(judge, module)
    check_zero_limit(judge, url, module, token)


def _windows(stamps: list[str]) -> st.SearchStrategy[tuple[str, str]]:
    bound = st.just("") | st.sampled_from(stamps) if stamps else st.just("")
    return st.tuples(bound, bound)


@pytest.mark.parametrize(
    "module",
    [_module(m, *PAGINATION_RULES) for m in ("locations", "sessions", "cdrs", "tariffs")],
)
@settings(_QUICK, max_examples=min(settings().max_examples, 10))
@given(data=st.data())
def test_pagination_properties(judge: Judge, module: str, data: st.DataObject) -> None:
    """Drawn offset, limit and date window: the pages add up to the window's objects."""
    url, token = sender(judge, module)
    full = crawled(judge, module)
    objects = full.objects
    stamps = sorted({str(o["last_updated"]) for o in objects
                     if isinstance(o, dict) and instant(o.get("last_updated"))})  # fmt: skip
    date_from, date_to = data.draw(_windows(stamps), label="window")
    size = len(objects)
    x_limit = full.x_limit or 100
    limit = data.draw(
        st.none() | st.integers(1, max(2, size // 2)) | st.integers(x_limit + 1, x_limit * 3),
        label="limit",
    )
    offset = data.draw(st.none() | st.integers(0, size + 1), label="offset")
    params: dict[str, str | int] = {}
    if date_from:
        params["date_from"] = date_from
    if date_to:
        params["date_to"] = date_to
    if limit is not None:
        params["limit"] = limit
    if offset is not None:
        params["offset"] = offset
    result = crawl(judge, url, module, token, params)
    reference = crawled(judge, module, date_from, date_to).objects if offset else None
    check_union(judge, result, objects, reference)


# --- Locations: one by one ---------------------------------------------------------------------


def _sample(items: list[Any], count: int) -> list[Any]:
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _get(judge: Judge, url: str, token: str, *parts: str) -> Any:
    path = "/".join(quote(str(p), safe="") for p in parts)
    return judge.client.request("GET", f"{url.rstrip('/')}/{path}", module="locations",
                                token=token)  # fmt: skip


def _same(judge: Judge, reply: Reply, listed: Any, what: str) -> None:
    """LOC-011: the object GET alone means what its copy in the list GET means. Read with
    `single_object` (a one-element list is LOC-014's deviation, said there)."""
    got = single_object(judge.ledger, "LOC-011", reply)
    judge.ledger.check(
        "LOC-011",
        got is not None and same(listed, got),
        expected=f"{what}, equal to its copy in the list GET",
        actual=differences(listed, got) or "no object",
        exchange=reply.exchange,
    )


@pytest.mark.rule("LOC-011", "LOC-010", "LOC-014")
def test_single_location_objects(judge: Judge) -> None:
    url, token = sender(judge, "locations")
    locations = [o for o in everything(judge, "locations") if isinstance(o, dict)]
    if not locations:
        pytest.skip("the target's Locations list is empty")
    for location in _sample(locations, 4):
        reply = _get(judge, url, token, location["id"])
        check_status(judge.ledger, "LOC-011", reply.exchange, http=200, ocpi=1000)
        check_object(judge.ledger, "LOC-014", reply.data, "Location", reply.exchange)
        _same(judge, reply, location, f"Location {location['id']}")
        for evse in _sample(location.get("evses") or [], 2):
            reply = _get(judge, url, token, location["id"], evse["uid"])
            check_status(judge.ledger, "LOC-011", reply.exchange, http=200, ocpi=1000)
            check_object(judge.ledger, "LOC-014", reply.data, "EVSE", reply.exchange)
            _same(judge, reply, evse, f"EVSE {evse['uid']}")
            for connector in _sample(evse.get("connectors") or [], 2):
                reply = _get(judge, url, token, location["id"], evse["uid"], connector["id"])
                check_status(judge.ledger, "LOC-011", reply.exchange, http=200, ocpi=1000)
                check_object(judge.ledger, "LOC-014", reply.data, "Connector", reply.exchange)
                _same(judge, reply, connector, f"Connector {connector['id']}")
    known = next((loc for loc in locations if loc.get("evses")), locations[0])
    evse = (known.get("evses") or [{"uid": "PLUGFEST-NONE"}])[0]
    for parts in (
        ("PLUGFEST-UNKNOWN-LOC",),
        (known["id"], "PLUGFEST-UNKNOWN-EVSE"),
        (known["id"], evse["uid"], "PLUGFEST-UNKNOWN-CONN"),
    ):
        reply = _get(judge, url, token, *parts)
        check_status(judge.ledger, "LOC-010", reply.exchange, http=404)


# --- structural rules over the full lists -------------------------------------------------------


def _objects(judge: Judge, module: str) -> list[dict[str, Any]]:
    objects = [o for o in everything(judge, module) if isinstance(o, dict)]
    if not objects:
        pytest.skip(f"the target's {module} list is empty: nothing to judge")
    return objects


def _unseen(judge: Judge, rule: str, seen: bool, reason: str) -> None:
    """A rule whose subject never occurred in the target's data: skipped, with the reason."""
    if not seen:
        judge.ledger.skipped(rule, reason)


def _evidence(judge: Judge, module: str) -> Any:
    return crawled(judge, module).first.exchange


@pytest.mark.rule("LOC-002", "LOC-008", "LOC-009")
def test_location_structure(judge: Judge) -> None:
    ledger, exchange = judge.ledger, _evidence(judge, "locations")
    locations = _objects(judge, "locations")
    _unseen(judge, "LOC-008", any(loc.get("publish_allowed_to") for loc in locations),
            "no Location of the target has publish_allowed_to entries")  # fmt: skip
    for location in locations:
        name = f"Location {location.get('id')}"
        coordinates = location.get("coordinates") or {}
        ledger.check(
            "LOC-009",
            bool(_LATITUDE.fullmatch(str(coordinates.get("latitude"))))
            and bool(_LONGITUDE.fullmatch(str(coordinates.get("longitude"))))
            and all(isinstance(coordinates.get(k), str) for k in ("latitude", "longitude")),
            expected=f"coordinates matching {_LATITUDE.pattern} / {_LONGITUDE.pattern} (§8.4.13)",
            actual=f"{name}: {coordinates}",
            exchange=exchange,
        )
        for entry in location.get("publish_allowed_to") or []:
            ledger.check(
                "LOC-008",
                any(entry.get(k) for k in ("uid", "visual_number", "group_id"))
                and ("uid" not in entry or "type" in entry)
                and ("visual_number" not in entry or "issuer" in entry),
                expected="uid, visual_number or group_id; uid with type; visual_number with issuer",
                actual=f"{name}: {entry}",
                exchange=exchange,
            )
        hours = location.get("opening_times")
        if isinstance(hours, dict):
            ledger.check(
                "LOC-009",
                bool(hours.get("twentyfourseven")) or bool(hours.get("regular_hours")),
                expected="regular_hours when twentyfourseven is false (§8.4.14)",
                actual=f"{name}: {hours}",
                exchange=exchange,
            )
            for period in hours.get("regular_hours") or []:
                ledger.check(
                    "LOC-009",
                    str(period.get("period_end")) > str(period.get("period_begin")),
                    expected="period_end later than period_begin (§8.4.21)",
                    actual=f"{name}: {period}",
                    exchange=exchange,
                )
        located = instant(location.get("last_updated"))
        for evse in location.get("evses") or []:
            where = f"{name} EVSE {evse.get('uid')}"
            ledger.check(
                "LOC-009",
                bool(evse.get("connectors")),
                expected="at least one Connector per EVSE (§8.3.2)",
                actual=f"{where}: {evse.get('connectors')}",
                exchange=exchange,
            )
            evse_updated = instant(evse.get("last_updated"))
            ledger.check(
                "LOC-002",
                located is not None and evse_updated is not None and located >= evse_updated,
                expected="the Location's last_updated not before its EVSE's",
                actual=f"{where}: {location.get('last_updated')} < {evse.get('last_updated')}",
                exchange=exchange,
            )
            for connector in evse.get("connectors") or []:
                updated = instant(connector.get("last_updated"))
                ledger.check(
                    "LOC-002",
                    evse_updated is not None and updated is not None and evse_updated >= updated,
                    expected="the EVSE's last_updated not before its Connector's",
                    actual=f"{where} Connector {connector.get('id')}: "
                    f"{evse.get('last_updated')} < {connector.get('last_updated')}",
                    exchange=exchange,
                )


@pytest.mark.rule("CDR-006", "CDR-009", "CDR-010")
def test_cdr_structure(judge: Judge) -> None:
    ledger, exchange = judge.ledger, _evidence(judge, "cdrs")
    cdrs = _objects(judge, "cdrs")
    ids = [identity(cdr) for cdr in cdrs]
    ledger.check(
        "CDR-006",
        len(set(ids)) == len(ids),
        expected="no two CDRs of one party with the same id",
        actual=sorted({i for i in ids if ids.count(i) > 1})[:5],
        exchange=exchange,
    )
    for cdr in cdrs:
        name = f"CDR {cdr.get('id')}"
        cap = 39 if cdr.get("credit") is True else 36
        ledger.check(
            "CDR-006",
            len(str(cdr.get("id"))) <= cap,
            expected=f"an id of at most {cap} characters (credit={cdr.get('credit')})",
            actual=f"{name}: {len(str(cdr.get('id')))} characters",
            exchange=exchange,
        )
        periods = cdr.get("charging_periods") or []
        ledger.check(
            "CDR-010",
            bool(periods),
            expected="at least one ChargingPeriod",
            actual=f"{name}: {cdr.get('charging_periods')}",
            exchange=exchange,
        )
        signed = cdr.get("signed_data")
        if isinstance(signed, dict):
            ledger.check(
                "CDR-010",
                bool(signed.get("signed_values")),
                expected="signed_data with at least one SignedValue (§10.4.7)",
                actual=f"{name}: {signed.get('signed_values')}",
                exchange=exchange,
            )
        used = {str(d.get("type")) for p in periods for d in p.get("dimensions") or []}
        ledger.check(
            "CDR-009",
            not used & SESSION_ONLY_DIMENSIONS,
            expected=f"no session-only dimensions ({', '.join(sorted(SESSION_ONLY_DIMENSIONS))})",
            actual=f"{name}: {sorted(used & SESSION_ONLY_DIMENSIONS)}",
            exchange=exchange,
        )


@functools.cache
def _prices_in_text(currency: str) -> re.Pattern[str]:
    """A price in a text: a decimal number (0.39, 0,39), or a whole one next to a currency sign
    or the tariff's currency code (6 EUR, €6); a bare whole number ("the 4th hour") is none."""
    unit = rf"[€$£]|\b{re.escape(currency)}\b" if currency else "[€$£]"
    return re.compile(
        rf"(?:{unit})\s?(\d+(?:[.,]\d+)?)(?![.,]?\d)"  # €6, EUR 0.39
        rf"|(?<![\d.,])(\d+(?:[.,]\d+)?)\s?(?:{unit})"  # 6 EUR, 0,39€
        r"|(?<![\d.,])(\d+[.,]\d+)(?![.,]?\d)"  # 0.39
    )


def quoted_prices(tariff: dict[str, Any]) -> list[str]:
    """TAR-006: the prices of the elements (excl. and incl. VAT) that tariff_alt_text repeats."""
    prices = set()
    for element in tariff.get("elements") or []:
        for component in element.get("price_components") or [] if isinstance(element, dict) else []:
            price = component.get("price") if isinstance(component, dict) else None
            if isinstance(price, int | float) and price > 0:
                vat = component.get("vat")
                with_vat = price * (1 + vat / 100) if isinstance(vat, int | float) else price
                prices |= {round(price, 2), round(with_vat, 2)}
    found = []
    for text in tariff.get("tariff_alt_text") or []:
        words = str(text.get("text", "")) if isinstance(text, dict) else ""
        for match in _prices_in_text(str(tariff.get("currency") or "")).finditer(words):
            number = next(g for g in match.groups() if g)
            if round(float(number.replace(",", ".")), 2) in prices:
                found.append(f"{match.group(0).strip()!r} in {words!r}")
    return found


@pytest.mark.rule("TAR-004", "TAR-005", "TAR-006")
def test_tariff_structure(judge: Judge) -> None:
    ledger, exchange = judge.ledger, _evidence(judge, "tariffs")
    tariffs = _objects(judge, "tariffs")
    _unseen(judge, "TAR-005",
            any((e.get("restrictions") or {}).get("reservation")
                for t in tariffs for e in t.get("elements") or []),
            "no Tariff element of the target is restricted to a reservation")  # fmt: skip
    for tariff in tariffs:
        name = f"Tariff {tariff.get('id')}"
        elements = tariff.get("elements") or []
        if elements and tariff.get("tariff_alt_text"):
            quoted = quoted_prices(tariff)
            ledger.check(
                "TAR-006",
                not quoted,
                # §11.3.1 is normative; its informative example tariff_2_alt_text.json repeats
                # the price all the same, which partners copy: disputed (tariff-alt-text-prices).
                expected="tariff_alt_text that explains, without repeating the elements' prices "
                "(§11.3.1; the spec's own example tariff_2_alt_text.json does repeat it)",
                actual=f"{name}: " + "; ".join(quoted[:3]),
                exchange=exchange,
                dispute="price-summary",
            )
        ledger.check(
            "TAR-004",
            bool(elements) and all(e.get("price_components") for e in elements),
            expected="at least one TariffElement, each with at least one PriceComponent",
            actual=f"{name}: {elements}",
            exchange=exchange,
        )
        for element in elements:
            if (element.get("restrictions") or {}).get("reservation"):
                kinds = {str(c.get("type")) for c in element.get("price_components") or []}
                ledger.check(
                    "TAR-005",
                    kinds <= {"FLAT", "TIME"},
                    expected="only FLAT and TIME components in a reservation element",
                    actual=f"{name}: {sorted(kinds)}",
                    exchange=exchange,
                )
