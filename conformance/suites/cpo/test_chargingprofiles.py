"""The CPO's ChargingProfiles Receiver (§14.4.1) and the results it owes (§14.4.2).

On a Session the judge started with START_SESSION (as cpo/test_commands.py does, on an EVSE of
its own), it sets a profile (PUT SetChargingProfile), asks for the active one (GET with
duration) and clears it (DELETE), each with a response_url at our counterpart: the
ChargingProfileResponse (CP-002, CP-009), then the matching result object at that URL (CP-007,
CP-009). Once cleared, the ActiveChargingProfile (GET, and the PUT after the clear) shows the
EVSE's maximum capacity (CP-006). Requests missing required query parameters are refused
(CP-001), unknown sessions get UNKNOWN_SESSION (CP-008), and ActiveChargingProfile PUTs come
only for sessions with a successful set (CP-004, CP-005). Last, charging preferences for the
Session (SES-009 or SES-010, by its EVSE's capabilities). The Session is stopped when the
module is done (its CDR feeds cpo/test_pushes.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.checks.callbacks import check_answer, judge_callback, request_json
from conformance.checks.chargingprofiles import capacities, check_capacity_shown
from conformance.checks.objects import check_object, check_status
from conformance.checks.sessions import check_preferences
from conformance.exchange import Exchange
from conformance.session import Judge
from conformance.suites.charging import UNKNOWN, CpoTarget, Sent, path_of
from conformance.suites.waiting import wait_until
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("charging")

PURPOSE = "chargingprofiles"
RESULT_SCHEMAS = {"GET": "ActiveChargingProfileResult", "PUT": "ChargingProfileResult",
                  "DELETE": "ClearProfileResult"}  # fmt: skip
PROFILE = {"charging_rate_unit": "W", "charging_profile_period": [
    {"start_period": 0, "limit": 7400.0}, {"start_period": 1800, "limit": 3700.0}]}  # fmt: skip
#: How long the judge watches for an ActiveChargingProfile PUT after a successful set.
ACTIVE_WAIT_SECONDS = 3.0


@pytest.fixture(scope="module")
def profile_session(cpo_target: CpoTarget) -> Iterator[str]:
    """The id of a Session started for this module (cpo/test_commands.py stops its own), or a
    skip with the reason there is none; stopped once the module is done."""
    cpo_target.start_session(PURPOSE, prefer={"CHARGING_PROFILE_CAPABLE"})
    session_id = str(cpo_target.session_of(PURPOSE)["id"])
    yield session_id
    cpo_target.await_charging(session_id)
    cpo_target.command("STOP_SESSION", {"session_id": session_id})


def check_response(judge: Judge, sent: Sent) -> None:
    """CP-002 and CP-009: data = ChargingProfileResponse (§14.4.1, §14.5.1)."""
    check_answer(judge.ledger, sent.reply, "CP-002", "CP-009", "ChargingProfileResponse")


def send_and_judge(judge: Judge, target: CpoTarget, method: str, session_id: str,
                   **kwargs: Any) -> tuple[Sent, dict[str, Any]]:  # fmt: skip
    """The request, its answer, then the result object at its response_url (CP-007, CP-009)."""
    sent = target.profile(method, session_id, **kwargs)
    check_response(judge, sent)
    if not sent.accepted:
        pytest.skip(f"the target answered {method} with {sent.result}: no result owed")
    awaited = target.await_callback(sent)
    body: dict[str, Any] = judge_callback(
        judge.ledger, awaited, arrived_rule="CP-007", schema_rule="CP-009",
        schema=RESULT_SCHEMAS[method], request=sent.reply.exchange, go_on=True,
    )  # fmt: skip
    return sent, body


def _active_profile_puts(target: CpoTarget, session_id: str | None = None,
                         since: float | None = None) -> list[Exchange]:  # fmt: skip
    """ActiveChargingProfile PUTs the target sent to our `{chargingprofiles}/{session_id}`
    (those that arrived at or after `since`, a time.monotonic()), in order of arrival."""
    base = path_of(target.judge.counterpart.module_url("chargingprofiles"))
    found = []
    for exchange in target.judge.counterpart.inbound():
        rest = path_of(exchange.url).removeprefix(base + "/")
        if exchange.method != "PUT" or rest == path_of(exchange.url) or "/" in rest:
            continue
        if since is not None and (target.judge.counterpart.received_at(exchange) or 0) < since:
            continue
        if session_id is None or rest.upper() == session_id.upper():
            found.append(exchange)
    return found


@pytest.mark.rule("CP-002", "CP-009", "CP-007", "CP-004")
def test_set_profile(judge: Judge, cpo_target: CpoTarget, profile_session: str) -> None:
    """PUT SetChargingProfile; the ChargingProfileResult; then the ActiveChargingProfile PUT a
    successful set makes the CPO send (§14.4.2.4), when one arrives."""
    session_id = profile_session
    # Counted as set until the target says otherwise: a result that never came (CP-007) may
    # hide a set that succeeded, and CP-005 must not blame the PUTs that follow one.
    cpo_target.profiles_set.add(session_id.upper())
    try:
        _, result = send_and_judge(judge, cpo_target, "PUT", session_id, charging_profile=PROFILE)
    except Blocked:
        raise  # no result came: the set may still have succeeded (see above)
    except pytest.skip.Exception:
        cpo_target.profiles_set.discard(session_id.upper())  # the target refused the set
        raise
    if result.get("result") != "ACCEPTED":
        cpo_target.profiles_set.discard(session_id.upper())
        pytest.skip(f"the EVSE did not take the profile (result {result.get('result')})")
    puts = wait_until(lambda: _active_profile_puts(cpo_target, session_id), ACTIVE_WAIT_SECONDS,
                      judge)  # fmt: skip
    if not puts:
        judge.ledger.skipped("CP-004", "no ActiveChargingProfile PUT within "
                             f"{ACTIVE_WAIT_SECONDS:.0f} s of a successful set: no change "
                             "the judge could see required one")  # fmt: skip
        return
    for put in puts:
        check_object(judge.ledger, "CP-004", request_json(put), "ActiveChargingProfile", put)


@pytest.mark.rule("CP-002", "CP-009", "CP-007")
def test_get_active_profile(judge: Judge, cpo_target: CpoTarget, profile_session: str) -> None:
    """GET with duration and response_url; the ActiveChargingProfileResult."""
    session_id = profile_session
    send_and_judge(judge, cpo_target, "GET", session_id, duration=900)


@pytest.mark.rule("CP-002", "CP-009", "CP-007")
def test_clear_profile(judge: Judge, cpo_target: CpoTarget, profile_session: str) -> None:
    """DELETE with response_url; the ClearProfileResult."""
    session_id = profile_session
    sent, result = send_and_judge(judge, cpo_target, "DELETE", session_id)
    if result.get("result") == "ACCEPTED":
        cpo_target.profiles_cleared[session_id.upper()] = sent.sent_at


@pytest.mark.rule("CP-006")
def test_no_profile_shows_capacity(
    judge: Judge, cpo_target: CpoTarget, profile_session: str
) -> None:
    """With no profile active any more (cleared; or never set), the ActiveChargingProfile
    shows the EVSE's maximum capacity (§14.4.2.5): the one a GET returns, and the last one
    the target PUT to us after the clear."""
    session_id = profile_session
    cleared_at = cpo_target.profiles_cleared.get(session_id.upper())
    if cleared_at is None and session_id.upper() in cpo_target.profiles_set:
        pytest.skip(f"the profile set on session {session_id} was not cleared (see "
                    "test_clear_profile): one may still be active")  # fmt: skip
    started = cpo_target.started[PURPOSE]
    spot, evse = started.spot, str(started.spot.evse["uid"])
    capacity = capacities(spot.evse, spot.connector, (started.session or {}).get("connector_id"))
    unjudged: list[str] = []
    sent = cpo_target.profile("GET", session_id, duration=900)
    awaited = cpo_target.await_callback(sent) if sent.accepted else None
    result = request_json(awaited.exchange) if awaited and awaited.exchange else None
    if awaited is None or awaited.exchange is None:
        unjudged.append(f"no ActiveChargingProfileResult for the GET (answered {sent.result}; "
                        "CP-002 and CP-007 judge that)")  # fmt: skip
    elif not isinstance(result, dict) or result.get("result") != "ACCEPTED":
        unjudged.append("the ActiveChargingProfileResult of the GET is not ACCEPTED")
    else:
        what = "the ActiveChargingProfileResult's profile"
        why = check_capacity_shown(judge.ledger, result.get("profile"), capacity, evse, what,
                                   awaited.exchange)  # fmt: skip
        unjudged += [why] if why else []
    sources = 1
    if cleared_at is not None:  # owed after a successful set (§14.4.2.4), and the clear changed it
        sources += 1
        puts = wait_until(lambda: _active_profile_puts(cpo_target, session_id, cleared_at),
                          ACTIVE_WAIT_SECONDS, judge, start=cleared_at)  # fmt: skip
        if not puts:
            unjudged.append("no ActiveChargingProfile PUT arrived after the clear")
        else:  # the last one holds what is active now; earlier ones may predate the clear
            what = "the last ActiveChargingProfile PUT after the clear"
            why = check_capacity_shown(judge.ledger, request_json(puts[-1]), capacity, evse,
                                       what, puts[-1])  # fmt: skip
            unjudged += [why] if why else []
    if len(unjudged) == sources:
        pytest.skip("; ".join(unjudged))
    for why in unjudged:
        judge.ledger.skipped("CP-006", why)


@pytest.mark.rule("CP-001")
def test_missing_query_parameters(
    judge: Judge, cpo_target: CpoTarget, profile_session: str
) -> None:
    """GET without duration or response_url, DELETE without response_url: OCPI 2001."""
    session_id = profile_session
    for method, drop in (("GET", "duration"), ("GET", "response_url"),
                         ("DELETE", "response_url")):  # fmt: skip
        sent = cpo_target.profile(method, session_id, drop={drop})
        check_status(judge.ledger, "CP-001", sent.reply.exchange, http=(200, 400), ocpi=2001)


@pytest.mark.rule("CP-008", "CP-009")
def test_unknown_session(judge: Judge, cpo_target: CpoTarget) -> None:
    """GET, PUT and DELETE for a session the CPO never had: result UNKNOWN_SESSION."""
    missing = f"{UNKNOWN}-{uuid.uuid4().hex[:8]}"
    for method in ("GET", "PUT", "DELETE"):
        sent = cpo_target.profile(method, missing, charging_profile=PROFILE)
        if isinstance(sent.reply.ocpi_status, int) and 1000 <= sent.reply.ocpi_status < 2000:
            check_object(judge.ledger, "CP-009", sent.reply.data, "ChargingProfileResponse",
                         sent.reply.exchange)  # fmt: skip
        judge.ledger.check(
            "CP-008",
            sent.result == "UNKNOWN_SESSION",
            expected=f"{method} for an unknown session: ChargingProfileResponse UNKNOWN_SESSION",
            actual=f"HTTP {sent.reply.status}, OCPI {sent.reply.ocpi_status}, "
            f"data {sent.reply.data}",
            exchange=sent.reply.exchange,
        )


@pytest.mark.rule("CP-005")
def test_no_active_profile_without_a_set(judge: Judge, cpo_target: CpoTarget) -> None:
    """Every ActiveChargingProfile PUT the target sent during the run is for a session on which
    the judge set a profile successfully (§14.4.2.4); the sessions it never set got none."""
    observed = {str(s.session["id"]).upper() for s in cpo_target.started.values() if s.session}
    unset = observed - cpo_target.profiles_set
    puts = _active_profile_puts(cpo_target)
    if not unset and not puts:
        pytest.skip("no session without a successful set was seen, and no PUT arrived")
    for put in puts:
        session_id = path_of(put.url).rsplit("/", 1)[-1].upper()
        judge.ledger.check(
            "CP-005",
            session_id in cpo_target.profiles_set,
            expected="ActiveChargingProfile PUTs only for sessions with a successful "
            f"SetChargingProfile ({sorted(cpo_target.profiles_set)})",
            actual=f"a PUT for session {session_id}",
            exchange=put,
        )
    if unset:
        judge.ledger.passed("CP-005")


@pytest.mark.rule("SES-009", "SES-010")
def test_charging_preferences(judge: Judge, cpo_target: CpoTarget, profile_session: str) -> None:
    """Charging preferences for this module's Session, last (a CPO may shape the charging
    profile after them), while it is still active."""
    reply, spot = cpo_target.preferences_of(PURPOSE)
    check_preferences(judge.ledger, reply, spot.capabilities, str(spot.evse["uid"]))
