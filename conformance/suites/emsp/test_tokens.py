"""Tokens Sender of an eMSP (§12.2.2): the paginated list (crawled with
conformance/suites/pagination.py, Link headers only) and real-time authorization.

The judge cannot create Tokens on a foreign eMSP: the authorization tests use Tokens from the
eMSP's own list and skip, saying so, when that list is empty.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.compare import instant
from conformance.checks.objects import check_object, check_status
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.generators import (
    ReceiverUnderTest,
    fresh_id,
    ok,
    plain_location,
    stamp,
)
from conformance.suites.pagination import (
    PAGINATION_RULES,
    check_union,
    check_zero_limit,
    crawl,
    small_pages,
)
from conformance.suites.senders import crawled, sender, token_key
from conformance.verdicts import Blocked, NoAnswer

pytestmark = pytest.mark.phase("modules")

MODULE = "tokens"
_QUICK = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    max_examples=min(settings().max_examples, 8),
)


def known_tokens(judge: Judge) -> list[dict[str, Any]]:
    tokens = [t for t in crawled(judge, MODULE).objects if isinstance(t, dict) and t.get("uid")]
    if not tokens:
        pytest.skip("the eMSP's Token list is empty: no known Token to authorize")
    return tokens


@pytest.mark.rule(*PAGINATION_RULES, "TOK-015", "TOK-011")
def test_full_list(judge: Judge) -> None:
    url, token = sender(judge, MODULE)
    result = crawled(judge, MODULE)
    check_union(judge, result, result.objects, key=token_key)
    params = small_pages(result.objects)
    if params:  # the same list again in small pages inside a date window
        small = crawl(judge, url, MODULE, token, params)
        check_union(judge, small, result.objects, key=token_key)
    for token, origin in zip(result.objects, result.origins, strict=True):
        check_object(judge.ledger, "TOK-015", token, "Token", origin)
    keys = [token_key(t) for t in result.objects]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    judge.ledger.check(
        "TOK-011",
        not duplicates,
        expected="every (uid, type) once in the Token list",
        actual=f"repeated: {duplicates[:5]}",
        exchange=result.first.exchange if result.pages else None,
    )


@pytest.mark.rule("TRANS-032", "TRANS-033")
def test_a_limit_above_the_maximum_is_capped(judge: Judge) -> None:
    """Asked for twice X-Limit, the eMSP still says X-Limit and sends at most that many per page
    (§4.1.4.1); always asked, not left to a random draw."""
    url, token = sender(judge, MODULE)
    full = crawled(judge, MODULE)
    if full.x_limit is None:
        raise Blocked("the target sent no X-Limit to go above (see TRANS-029)")
    crawl(judge, url, MODULE, token, {"limit": 2 * full.x_limit}, server_max=full.x_limit)


@pytest.mark.rule("TRANS-030")
def test_limit_zero_does_not_loop(judge: Judge) -> None:
    """limit=0, which no Hypothesis draw sends: no next link back to the same page."""
    url, token = sender(judge, MODULE)
    check_zero_limit(judge, url, MODULE, token)


@pytest.mark.rule(*PAGINATION_RULES)
@_QUICK
@given(data=st.data())
def test_pagination_properties(judge: Judge, data: st.DataObject) -> None:
    """Drawn offset, limit and date window: the pages add up to the window's Tokens."""
    url, token = sender(judge, MODULE)
    full = crawled(judge, MODULE)
    objects = full.objects
    stamps = sorted({str(o["last_updated"]) for o in objects
                     if isinstance(o, dict) and instant(o.get("last_updated"))})  # fmt: skip
    bound = (st.just("") | st.sampled_from(stamps)) if stamps else st.just("")
    date_from, date_to = data.draw(st.tuples(bound, bound), label="window")
    x_limit = full.x_limit or 100
    limit = data.draw(
        st.none()
        | st.integers(1, max(2, len(objects) // 2))
        | st.integers(x_limit + 1, x_limit * 3),
        label="limit",
    )
    offset = data.draw(st.none() | st.integers(0, len(objects) + 1), label="offset")
    params: dict[str, str | int] = {}
    for name, value in (("date_from", date_from), ("date_to", date_to), ("limit", limit),
                        ("offset", offset)):  # fmt: skip
        if value not in (None, ""):
            params[name] = value
    result = crawl(judge, url, MODULE, token, params, server_max=full.x_limit)
    reference = crawled(judge, MODULE, date_from, date_to).objects if offset else None
    check_union(judge, result, objects, reference, key=token_key)


def _authorize(judge: Judge, uid: str, token_type: str | None, body: Any = None) -> Reply:
    url, token = sender(judge, MODULE)
    params = {"type": token_type} if token_type else None
    return judge.client.request(
        "POST", f"{url.rstrip('/')}/{quote(uid, safe='')}/authorize", module=MODULE, token=token,
        params=params, json=body,
    )  # fmt: skip


@pytest.mark.rule("TOK-005")
def test_unknown_token_is_404_2004(judge: Judge) -> None:
    reply = _authorize(judge, fresh_id("UNKNOWN"), "RFID")
    check_status(judge.ledger, "TOK-005", reply.exchange, http=404, ocpi=2004)
    judge.ledger.check(
        "TOK-005",
        isinstance(reply.body, dict) and "data" not in reply.body,
        expected="no data field in the answer for an unknown Token",
        actual=f"data: {str(reply.data)[:120]}",
        exchange=reply.exchange,
    )


@pytest.mark.rule("TOK-006", "TOK-015")
def test_known_token_gets_authorization_info(judge: Judge) -> None:
    for token in known_tokens(judge)[:3]:
        reply = _authorize(judge, token["uid"], token.get("type"))
        if reply.ocpi_status == 2002:  # needs LocationReferences: allowed (TOK-008, §12.2.2.2)
            judge.ledger.skipped("TOK-006", f"Token {token['uid']} needs LocationReferences (2002)")
            continue
        if not check_status(judge.ledger, "TOK-006", reply.exchange, http=200, ocpi=1000):
            continue  # an error answer carries no AuthorizationInfo to judge: one finding
        check_object(judge.ledger, "TOK-015", reply.data, "AuthorizationInfo", reply.exchange)


@pytest.mark.rule("TOK-007", "TOK-015")
@_QUICK
@given(
    location_id=st.from_regex(r"\A[A-Z0-9-]{1,36}\Z"),
    evse_uids=st.lists(st.from_regex(r"\A[A-Z0-9-]{1,36}\Z"), max_size=3, unique=True),
)
def test_authorize_with_location_references(
    judge: Judge, location_id: str, evse_uids: list[str]
) -> None:
    token = known_tokens(judge)[0]
    references: dict[str, Any] = {"location_id": location_id}
    if evse_uids:
        references["evse_uids"] = evse_uids
    reply = _authorize(judge, token["uid"], token.get("type"), references)
    check_status(judge.ledger, "TOK-007", reply.exchange, http=200, ocpi=(1000, 2002))
    if reply.ocpi_status != 1000:
        return
    info = reply.data if isinstance(reply.data, dict) else {}
    check_object(judge.ledger, "TOK-015", info, "AuthorizationInfo", reply.exchange)
    echoed = info.get("location")
    if info.get("allowed") == "ALLOWED" and isinstance(echoed, dict):
        kept = echoed.get("evse_uids") or []
        judge.ledger.check(
            "TOK-007",
            str(echoed.get("location_id", "")).upper() == location_id.upper()
            and {str(u).upper() for u in kept} <= {u.upper() for u in evse_uids},
            expected=f"location {location_id} and only EVSEs among {evse_uids}",
            actual=echoed,
            exchange=reply.exchange,
        )
    else:
        judge.ledger.check(
            "TOK-007",
            echoed is None or isinstance(echoed, dict),
            expected="an AuthorizationInfo for the given LocationReferences",
            actual=info,
            exchange=reply.exchange,
        )


@pytest.mark.rule("TOK-008")
def test_authorize_without_location_references(judge: Judge) -> None:
    """§12.2.2.2: without LocationReferences the eMSP decides (an AuthorizationInfo) or says it
    needs them (OCPI 2002); any other refusal for the missing information is the violation."""
    for token in known_tokens(judge)[:3]:
        reply = _authorize(judge, token["uid"], token.get("type"))
        if reply.status is None:
            raise NoAnswer(reply.exchange)
        code, data = reply.ocpi_status, reply.data
        decided = ok(reply) and isinstance(data, dict) and "allowed" in data
        judge.ledger.check(
            "TOK-008",
            decided or code == 2002,
            expected="an AuthorizationInfo, or OCPI 2002 when LocationReferences are needed",
            actual=f"HTTP {reply.status}, OCPI {code}, data {str(data)[:120]}",
            exchange=reply.exchange,
        )


class _Locations(ReceiverUnderTest):
    """The eMSP's Locations Receiver, where the judge (as its CPO) pushes Locations."""

    module = "locations"


def _closed_location(party: dict[str, Any]) -> dict[str, Any]:
    """A Location closed now by its opening_times (regular hours on another weekday only, an
    exceptional closing around now, no charging when closed) whose EVSEs are OUTOFORDER and
    INOPERATIVE: what a stale copy at the eMSP may say (§12.1.3)."""
    location = plain_location(party)
    now = datetime.now(UTC)
    location["opening_times"] = {
        "twentyfourseven": False,
        "regular_hours": [{"weekday": (now + timedelta(days=3)).isoweekday(),
                           "period_begin": "01:00", "period_end": "02:00"}],
        "exceptional_closings": [{"period_begin": stamp(now - timedelta(days=1)),
                                  "period_end": stamp(now + timedelta(days=1))}],
    }  # fmt: skip
    location["charging_when_closed"] = False
    first = location["evses"][0]
    first["status"] = "OUTOFORDER"
    second = {**first, "uid": f"{location['id']}-E2", "status": "INOPERATIVE",
              "connectors": [dict(c) for c in first["connectors"]]}  # fmt: skip
    location["evses"] = [first, second]
    return location


def _references(location: dict[str, Any]) -> dict[str, Any]:
    return {"location_id": location["id"], "evse_uids": [e["uid"] for e in location["evses"]]}


def _allowed(reply: Reply) -> Any:
    data = reply.data
    return data.get("allowed") if ok(reply) and isinstance(data, dict) else None


@pytest.mark.rule("TOK-009")
def test_authorization_ignores_opening_hours_and_evse_status(judge: Judge) -> None:
    """§12.1.3, differential: the same Token authorized at an ordinary Location and at one the
    eMSP holds as closed with broken EVSEs (both pushed by the judge as CPO) gets the same
    `allowed`: opening hours and EVSE status, which may be stale, never refuse it."""
    receiver = _Locations(judge)
    tokens = known_tokens(judge)
    ordinary, closed = plain_location(receiver.party), _closed_location(receiver.party)
    for location in (ordinary, closed):
        pushed = receiver.send("PUT", receiver.at(location["id"]), location)
        if not ok(pushed):  # LOC-012 judges the push itself
            raise Blocked(f"the eMSP did not take our Location {location['id']}", pushed.exchange)
    for token in tokens[:5]:
        normal = _authorize(judge, token["uid"], token.get("type"), _references(ordinary))
        if _allowed(normal) == "ALLOWED":
            break
    else:
        pytest.skip("no known Token is ALLOWED at an ordinary Location: nothing to compare")
    reply = _authorize(judge, token["uid"], token.get("type"), _references(closed))
    if reply.status is None:
        raise NoAnswer(reply.exchange)
    judge.ledger.check(
        "TOK-009",
        _allowed(reply) == "ALLOWED",
        expected=f"ALLOWED, as at the ordinary Location {ordinary['id']} (exchange "
        f"{normal.exchange.id}): closed opening_times and OUTOFORDER/INOPERATIVE EVSEs are no "
        "reason to refuse",
        actual=f"HTTP {reply.status}, OCPI {reply.ocpi_status}, data {str(reply.data)[:160]}",
        exchange=reply.exchange,
    )
