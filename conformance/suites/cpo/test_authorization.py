"""Real-time authorization a CPO owes when a Token's whitelist demands it (§12.4.5, TOK-010).

A CPO asks the eMSP only when a driver presents a Token at one of its charge points, which the
judge cannot bring about through OCPI: with the act hook (`--act-command`, README "The act hook")
it asks the target to have a driver `swipe` one. The judge, as the eMSP, first pushes a Token of
its own with whitelist NEVER and valid=false to the CPO's Tokens Receiver (§12.2.1.2): the cached
Token says invalid, but NEVER means always ask, so a POST {tokens}/{uid}/authorize must reach our
counterpart. The uid is new and unknown to our counterpart, which answers it 404 with OCPI 2004
(§12.2.2.2): no session starts, and the EVSE is left as it was for the suites after this one.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest

from conformance.checks.objects import single_object
from conformance.exchange import Exchange
from conformance.session import ActUnsupported, Judge
from conformance.suites.charging import CpoTarget, path_of
from conformance.suites.waiting import wait_until
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("pushes")  # after the charging flows: they keep their EVSEs

NO_HOOK = "pass --act-command so the judge can have a driver swipe a Token at the CPO"
#: How long the authorize request may take once the swipe was done (at most --max-wait).
AUTHORIZE_WAIT_SECONDS = 10.0


def _push(target: CpoTarget, token: dict[str, Any]) -> Exchange:
    """PUT the Token to the target's Tokens Receiver and GET it back (how the PUT was answered is
    TOK-013's business): the PUT, once the GET shows the CPO caches the Token with whitelist
    NEVER and valid false; Blocked when it does not."""
    url = target.url("tokens", "RECEIVER")
    parts = "/".join(quote(str(token[k]), safe="") for k in ("country_code", "party_id", "uid"))
    params = {"type": token["type"]}
    put = target.judge.client.request(
        "PUT", f"{url}/{parts}", module="tokens", token=target.registration.token,
        params=params, json=token,
    )  # fmt: skip
    got = target.judge.client.request(
        "GET", f"{url}/{parts}", module="tokens", token=target.registration.token, params=params
    )
    cached = single_object(target.judge.ledger, "TOK-010", got) if got.status == 200 else None
    if not cached or cached.get("whitelist") != "NEVER" or cached.get("valid") is not False:
        held = {k: cached.get(k) for k in ("whitelist", "valid")} if cached else None
        why = f"the CPO does not hold Token {token['uid']} with whitelist NEVER and valid false"
        raise Blocked(f"{why} (GET: HTTP {got.status}, {held}; TOK-013/014 judge that)",
                      got.exchange)  # fmt: skip
    return put.exchange


@pytest.mark.rule("TOK-010")
def test_never_whitelist_is_asked_even_when_invalid(judge: Judge, cpo_target: CpoTarget) -> None:
    """A driver swipes our Token (whitelist NEVER, valid false in the CPO's cache) at a free EVSE:
    the CPO asks our eMSP in real time (§12.4.5), whatever the cached `valid` says."""
    if not judge.config.act_command:
        pytest.skip(f"needs a driver at the CPO's charge point: {NO_HOOK}")
    spot = cpo_target.spot(prefer={"RFID_READER"})
    if spot is None:
        pytest.skip("the target's Locations have no AVAILABLE EVSE left for a driver's swipe")
    uid = "PFRTA" + uuid.uuid4().hex[:12].upper()  # unknown to our eMSP: refused, no session
    token = {**cpo_target.new_token(), "uid": uid, "type": "RFID", "whitelist": "NEVER",
             "valid": False}  # fmt: skip
    token["contract_id"] = f"{token['country_code']}-{token['party_id']}-{uid}"
    pushed = _push(cpo_target, token)
    where = (f"EVSE {spot.evse['uid']} connector {spot.connector.get('id')} of Location "
             f"{spot.location['id']}")  # fmt: skip
    parameters = {"token_uid": uid, "token_type": "RFID",
                  "country_code": token["country_code"], "party_id": token["party_id"],
                  "location_id": spot.location["id"], "evse_uid": spot.evse["uid"],
                  "connector_id": spot.connector.get("id")}  # fmt: skip
    try:
        swiped = judge.act("swipe", parameters)
    except ActUnsupported as exc:
        pytest.skip(str(exc))
    bound = min(AUTHORIZE_WAIT_SECONDS, judge.config.max_wait)
    asked = wait_until(lambda: cpo_target.authorizations().get(uid.upper(), []), bound, judge)
    expected = (f"POST {{tokens}}/{uid}/authorize at our eMSP after a driver swiped Token {uid} "
                f"(whitelist NEVER, valid false; pushed in exchange #{pushed.id}) at {where} "
                "(§12.4.5)")  # fmt: skip
    if asked:
        judge.ledger.check("TOK-010", True, expected=expected,
                           actual=f"POST {path_of(asked[0].url)}", exchange=asked[0])  # fmt: skip
        return
    judge.ledger.check(
        "TOK-010",
        False,
        expected=expected,
        actual=f"no authorize request arrived in {bound:g} s (the swipe: {swiped})",
        exchange=pushed,
    )
