"""The CPO's Commands Receiver (§13.2.1) and the CommandResults it owes (§13.2.2).

The judge sends each of the five commands as the eMSP would, with a response_url at our
counterpart, and judges the synchronous CommandResponse (§13.3.2) and, for an ACCEPTED command,
the CommandResult that must reach that URL (§13.1), within the timeout the target announced.
START_SESSION uses a Token of the judge's the target was never pushed, which it must not
refuse for that (CMD-005; declined, the same request with the Token the judge pushed follows,
and only a REJECTED one that then starts is a refusal for the Token);
while its Session runs, charging preferences are sent for it (SES-009 or SES-010); STOP_SESSION
stops it; no real-time authorization of a command's Token reaches our eMSP meanwhile (CMD-006).
CANCEL_RESERVATION cancels what RESERVE_NOW reserved. A flow whose first step did not happen is
skipped with the reason, never passed. Unknown Locations, EVSEs, Connectors and
Sessions, and StartSession bodies that break the connector_id/evse_uid requirements, are refused.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from conformance.checks.callbacks import Awaited, check_answer, judge_callback, request_json
from conformance.checks.objects import check_object, refused
from conformance.checks.sessions import PREFERENCES_CAPABLE, check_preferences
from conformance.session import Judge
from conformance.suites.charging import (
    SESSION_WAIT_SECONDS,
    UNKNOWN,
    CpoTarget,
    Sent,
    Started,
    ocpi_now,
    path_of,
)
from conformance.suites.waiting import READ_POLL_SECONDS, wait_until
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("charging")

PURPOSE = "commands"
#: How long a CDR may take to be served or pushed once its Session was stopped.
CDR_WAIT_SECONDS = 5.0
CDR_TOKEN_FIELDS = ("country_code", "party_id", "uid", "type", "contract_id")


def check_response(judge: Judge, sent: Sent) -> None:
    """CMD-001 and CMD-015: a valid command gets data = CommandResponse (§13.2.1, §13.3.2)."""
    check_answer(judge.ledger, sent.reply, "CMD-001", "CMD-015", "CommandResponse")


def check_result(judge: Judge, sent: Sent, awaited: Awaited) -> dict[str, Any]:
    """CMD-003 (a CommandResult came), CMD-004 (within the timeout), CMD-015 (it is one)."""
    body: dict[str, Any] = judge_callback(
        judge.ledger, awaited, arrived_rule="CMD-003", timely_rule="CMD-004",
        schema_rule="CMD-015", schema="CommandResult", request=sent.reply.exchange, go_on=True,
    )  # fmt: skip
    return body


def send_and_judge(judge: Judge, target: CpoTarget, command: str, body: dict[str, Any]) -> Any:
    """A command that should be ACCEPTED: its answer, then its CommandResult."""
    sent = target.command(command, body)
    check_response(judge, sent)
    if not sent.accepted:
        pytest.skip(f"the target answered {command} with {sent.result}: no CommandResult owed")
    return check_result(judge, sent, target.await_callback(sent))


def _same_token(judge: Judge, rule: str, token: dict[str, Any], obj: dict[str, Any],
                what: str, exchange: Any) -> None:  # fmt: skip
    cdr_token = obj.get("cdr_token")
    cdr_token = cdr_token if isinstance(cdr_token, dict) else {}
    differ = {k: cdr_token.get(k) for k in CDR_TOKEN_FIELDS
              if str(cdr_token.get(k, "")).upper() != str(token[k]).upper()}  # fmt: skip
    judge.ledger.check(
        rule,
        not differ,
        expected=f"the StartSession Token {token['uid']} in the {what}'s cdr_token (§13.3.5)",
        actual=f"cdr_token fields that differ: {differ}",
        exchange=exchange,
    )


def _reference(judge: Judge, rule: str, started_body: Any, obj: dict[str, Any], what: str,
               exchange: Any) -> None:  # fmt: skip
    wanted = started_body.get("authorization_reference") if isinstance(started_body, dict) else None
    judge.ledger.check(
        rule,
        str(obj.get("authorization_reference", "")).upper() == str(wanted).upper(),
        expected=f"the StartSession's authorization_reference {wanted} in the {what}",
        actual=obj.get("authorization_reference"),
        exchange=exchange,
    )


# --- START_SESSION and STOP_SESSION ------------------------------------------------------------


def _unpushed_token(judge: Judge, started: Started) -> None:
    """CMD-005: the CPO does not validate the Token of a START_SESSION (§13.3.5). One with a
    Token it was never pushed is accepted, or, declined, proved refused for its Token: REJECTED
    (the CommandResponse or the CommandResult), while the same request with our pushed Token,
    at the same EVSE right after, was started. Declined otherwise (TIMEOUT, FAILED,
    EVSE_OCCUPIED, an error...), the reason was not the Token as far as the judge can tell."""
    first = started.refused
    if first is None:  # the START_SESSION with the unpushed Token is the one that counts
        judge.ledger.check(
            "CMD-005",
            started.sent.accepted,
            expected="START_SESSION with a Token never pushed to the CPO: OCPI 1000, ACCEPTED",
            actual=f"OCPI {started.sent.reply.ocpi_status}, data {started.sent.reply.data}",
            exchange=started.sent.reply.exchange,
        )
        return
    if first.sent.accepted and first.awaited and first.awaited.exchange:
        actual, evidence = f"CommandResult {first.command_result}", first.awaited.exchange
    else:
        actual = f"OCPI {first.sent.reply.ocpi_status}, data {first.sent.reply.data}"
        evidence = first.sent.reply.exchange
    if started.declined:
        judge.ledger.blocked(
            "CMD-005",
            f"START_SESSION at EVSE {started.spot.evse['uid']} was declined with our pushed "
            "Token too: no telling whether the unpushed Token was the reason",
            evidence,
        )
    elif not first.rejected:
        judge.ledger.blocked(
            "CMD-005",
            f"START_SESSION with a Token never pushed to the CPO was declined ({actual}), not "
            "REJECTED: a reason other than the Token's validity, as far as the judge can tell",
            evidence,
        )
    else:
        judge.ledger.check(
            "CMD-005",
            False,
            expected="START_SESSION with a Token never pushed to the CPO taken as the same "
            f"request with our pushed Token {started.token['uid']} was (exchange "
            f"#{started.sent.reply.exchange.id}): ACCEPTED, started",
            actual=f"REJECTED: {actual}",
            exchange=evidence,
        )


@pytest.mark.rule("CMD-001", "CMD-015", "CMD-003", "CMD-004", "CMD-005", "CMD-009", "SES-008")
def test_start_session(judge: Judge, cpo_target: CpoTarget) -> None:
    """START_SESSION with a Token of ours the CPO was never pushed (CMD-005; refused, our
    pushed Token at the same EVSE) on a free EVSE: the answer, the CommandResult, and the
    Session it made carrying that Token (CMD-009) and authorization_reference (SES-008). The
    EVSE is one with CHARGING_PREFERENCES_CAPABLE unless the ChargingProfiles module's Session
    already has one, so that SES-009 and SES-010 both get a Session (test_charging_preferences)."""
    covered = any(PREFERENCES_CAPABLE in s.spot.capabilities for s in cpo_target.started.values()
                  if s.session is not None)  # fmt: skip
    steer = {"shun" if covered else "prefer": {PREFERENCES_CAPABLE}}
    started = cpo_target.start_session(PURPOSE, unpushed=True, **steer)
    _unpushed_token(judge, started)
    check_response(judge, started.sent)
    if not started.sent.accepted:
        pytest.skip(f"{started.reason}: no CommandResult owed, no session started")
    assert started.awaited is not None
    check_result(judge, started.sent, started.awaited)
    if started.session is None:
        raise Blocked(f"no Session to check: {started.reason}", started.sent.reply.exchange)
    evidence = started.sent.reply.exchange
    _same_token(judge, "CMD-009", started.token, started.session, "Session", evidence)
    sent_body = request_json(evidence)
    _reference(judge, "SES-008", sent_body, started.session, "Session", evidence)


@pytest.mark.rule("SES-009", "SES-010")
def test_charging_preferences(judge: Judge, cpo_target: CpoTarget) -> None:
    """Charging preferences for the Session START_SESSION made, before STOP_SESSION ends it."""
    reply, spot = cpo_target.preferences_of(PURPOSE)
    check_preferences(judge.ledger, reply, spot.capabilities, str(spot.evse["uid"]))


@pytest.mark.rule("CMD-001", "CMD-015", "CMD-003", "CMD-004", "CMD-009", "CDR-011")
def test_stop_session(judge: Judge, cpo_target: CpoTarget) -> None:
    """STOP_SESSION of the Session START_SESSION made; then its CDR carries our Token."""
    session = cpo_target.session_of(PURPOSE)
    session_id = str(session["id"])
    cpo_target.await_charging(session_id)
    send_and_judge(judge, cpo_target, "STOP_SESSION", {"session_id": session_id})
    ended = cpo_target.find_session(
        lambda s: (
            str(s.get("id")).upper() == session_id.upper()
            and s.get("status") in {"COMPLETED", "INVALID"}
        ),
        SESSION_WAIT_SECONDS,
    )
    reason = None
    if ended is None:
        reason = f"session {session_id} was not served COMPLETED or INVALID after its stop"
    elif ended.get("status") == "INVALID":
        reason = f"session {session_id} ended INVALID: nothing to bill, no CDR (§9.4.3)"
    cdr = None if reason else _await_cdr(cpo_target, session_id)
    if cdr is None:
        reason = reason or f"no CDR of session {session_id} within {CDR_WAIT_SECONDS:.0f} s"
        judge.ledger.blocked("CMD-009", reason)
        judge.ledger.blocked("CDR-011", reason)
        return
    started = cpo_target.started[PURPOSE]
    evidence = started.sent.reply.exchange
    _same_token(judge, "CMD-009", started.token, cdr, "CDR", evidence)
    _reference(judge, "CDR-011", request_json(evidence), cdr, "CDR", evidence)


def _await_cdr(target: CpoTarget, session_id: str) -> dict[str, Any] | None:
    """The CDR of `session_id` the target serves or pushed, once there (CDR_WAIT_SECONDS)."""

    def of_session() -> list[dict[str, Any]]:
        wanted = session_id.upper()
        return [s.obj for s in target.cdrs() if str(s.obj.get("session_id")).upper() == wanted]

    found = wait_until(of_session, CDR_WAIT_SECONDS, target.judge, poll=READ_POLL_SECONDS)
    return found[0] if found else None


@pytest.mark.rule("CMD-006")
def test_no_authorization_of_command_tokens(judge: Judge, cpo_target: CpoTarget) -> None:
    """No real-time authorization of the APP_USER Token of an accepted START_SESSION, over the
    whole life of the Sessions the judge started and stopped (§13.3.5)."""
    accepted: dict[str, list[Started]] = {}  # by upper-case uid: flows may share our Token
    for started in cpo_target.started.values():
        if started.sent.accepted:
            accepted.setdefault(str(started.token["uid"]).upper(), []).append(started)
    if not accepted:
        pytest.skip("no START_SESSION was accepted: no command Token to watch")
    asked = cpo_target.authorizations()
    observed = False
    for uid, flows in accepted.items():
        sent = ", ".join(f"#{s.sent.reply.exchange.id}" for s in flows)
        token = flows[0].token
        for exchange in asked.get(uid, []):
            judge.ledger.check(
                "CMD-006",
                False,
                expected=f"no real-time authorization of {token['type']} Token {token['uid']}, "
                f"sent with START_SESSION (exchange {sent}), by the CPO (§13.3.5)",
                actual=f"POST {path_of(exchange.url)}",
                exchange=exchange,
            )
        if uid not in asked and any(s.session is not None for s in flows):
            observed = True
            judge.ledger.passed("CMD-006")
    if not observed and not asked.keys() & accepted.keys():
        pytest.skip("no Session made by an accepted START_SESSION was observed")


@pytest.mark.rule("CMD-013", "CMD-015")
def test_stop_unknown_session(judge: Judge, cpo_target: CpoTarget) -> None:
    """STOP_SESSION of a session the CPO never had: result UNKNOWN_SESSION (§13.4.1)."""
    sent = cpo_target.command("STOP_SESSION", {"session_id": f"{UNKNOWN}-{uuid.uuid4().hex[:8]}"})
    if isinstance(sent.reply.ocpi_status, int) and 1000 <= sent.reply.ocpi_status < 2000:
        check_object(judge.ledger, "CMD-015", sent.reply.data, "CommandResponse",
                     sent.reply.exchange)  # fmt: skip
    judge.ledger.check(
        "CMD-013",
        sent.result == "UNKNOWN_SESSION",
        expected="CommandResponse result UNKNOWN_SESSION",
        actual=f"HTTP {sent.reply.status}, OCPI {sent.reply.ocpi_status}, data {sent.reply.data}",
        exchange=sent.reply.exchange,
    )


# --- refusals ------------------------------------------------------------------------------------


def _bodies(target: CpoTarget, location_id: str, evse_uid: str, connector_id: str
            ) -> dict[str, dict[str, Any]]:  # fmt: skip
    return {
        "START_SESSION": {"token": target.token, "location_id": location_id,
                          "evse_uid": evse_uid, "connector_id": connector_id},
        "RESERVE_NOW": {"token": target.token, "expiry_date": ocpi_now(timedelta(minutes=15)),
                        "reservation_id": "PF" + uuid.uuid4().hex[:12].upper(),
                        "location_id": location_id, "evse_uid": evse_uid},
        "UNLOCK_CONNECTOR": {"location_id": location_id, "evse_uid": evse_uid,
                             "connector_id": connector_id},
    }  # fmt: skip


@pytest.mark.rule("CMD-012")
def test_unknown_location(judge: Judge, cpo_target: CpoTarget) -> None:
    """A command for a Location the CPO does not know: OCPI 2003 with result REJECTED (§13.1)."""
    missing = f"{UNKNOWN}-{uuid.uuid4().hex[:8]}"
    for command, body in _bodies(cpo_target, missing, missing, "1").items():
        sent = cpo_target.command(command, body)
        judge.ledger.check(
            "CMD-012",
            sent.reply.ocpi_status == 2003 and sent.result == "REJECTED",
            expected=f"{command} for an unknown Location: OCPI 2003, data.result REJECTED",
            actual=f"OCPI {sent.reply.ocpi_status}, data {sent.reply.data}",
            exchange=sent.reply.exchange,
        )


@pytest.mark.rule("CMD-016")
def test_unknown_evse_or_connector(judge: Judge, cpo_target: CpoTarget) -> None:
    """UNLOCK_CONNECTOR and START_SESSION at a known Location but an unknown EVSE or Connector:
    result REJECTED, never ACCEPTED."""
    if not cpo_target.spots:
        pytest.skip("the target's Locations list no EVSE with a connector")
    spot = cpo_target.spots[0]
    location, evse = spot.location["id"], spot.evse["uid"]
    missing = f"{UNKNOWN}-{uuid.uuid4().hex[:8]}"
    cases = [
        ("UNLOCK_CONNECTOR", _bodies(cpo_target, location, missing, "1")["UNLOCK_CONNECTOR"]),
        ("UNLOCK_CONNECTOR", _bodies(cpo_target, location, evse, missing)["UNLOCK_CONNECTOR"]),
        ("START_SESSION", _bodies(cpo_target, location, missing, "1")["START_SESSION"]),
    ]
    for command, body in cases:
        sent = cpo_target.command(command, body)
        judge.ledger.check(
            "CMD-016",
            sent.result == "REJECTED",
            expected=f"{command} for EVSE {body['evse_uid']} connector {body['connector_id']} "
            f"at Location {location}: result REJECTED",
            actual=f"OCPI {sent.reply.ocpi_status}, data {sent.reply.data}",
            exchange=sent.reply.exchange,
        )


def _refused(judge: Judge, sent: Sent, why: str) -> None:
    judge.ledger.check(
        "CMD-010",
        refused(judge.ledger, "CMD-010", sent.reply) or sent.result == "REJECTED",
        expected=f"{why}: OCPI 2001 or result REJECTED, never ACCEPTED (§13.3.5)",
        actual=f"OCPI {sent.reply.ocpi_status}, data {sent.reply.data}",
        exchange=sent.reply.exchange,
    )


@pytest.mark.rule("CMD-010")
def test_start_session_connector_rules(judge: Judge, cpo_target: CpoTarget) -> None:
    """connector_id without evse_uid; no connector_id on a START_SESSION_CONNECTOR_REQUIRED
    EVSE: both refused."""
    spot = cpo_target.spot(needs={"REMOTE_START_STOP_CAPABLE"})
    if spot is None:
        pytest.skip("the target's Locations have no AVAILABLE REMOTE_START_STOP_CAPABLE EVSE")
    body = {"token": cpo_target.token, "location_id": spot.location["id"],
            "connector_id": spot.connector["id"]}  # fmt: skip
    _refused(judge, cpo_target.command("START_SESSION", body), "connector_id without evse_uid")
    required = cpo_target.spot(needs={"START_SESSION_CONNECTOR_REQUIRED"})
    if required is None:
        judge.ledger.skipped("CMD-010", "no AVAILABLE EVSE of the target has "
                             "START_SESSION_CONNECTOR_REQUIRED")  # fmt: skip
        return
    body = {"token": cpo_target.token, "location_id": required.location["id"],
            "evse_uid": required.evse["uid"]}  # fmt: skip
    why = f"no connector_id for EVSE {required.evse['uid']} (START_SESSION_CONNECTOR_REQUIRED)"
    _refused(judge, cpo_target.command("START_SESSION", body), why)


# --- RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR ------------------------------------------


def _reservation_session(target: CpoTarget, status: str) -> dict[str, Any] | None:
    spot = target.reservation["spot"]
    return target.find_session(
        lambda s: target.at(s, spot) and s.get("status") == status
        and str((s.get("cdr_token") or {}).get("uid", "")).upper() == target.token["uid"].upper(),
        5.0,
    )  # fmt: skip


@pytest.mark.rule("CMD-001", "CMD-015", "CMD-003", "CMD-004", "SES-006")
def test_reserve_now(judge: Judge, cpo_target: CpoTarget) -> None:
    """RESERVE_NOW on a free RESERVABLE EVSE; an accepted reservation is a RESERVATION Session
    (§9.1.4)."""
    spot = cpo_target.spot(needs={"RESERVABLE"})
    if spot is None:
        pytest.skip("the target's Locations have no AVAILABLE RESERVABLE EVSE")
    body = _bodies(cpo_target, spot.location["id"], spot.evse["uid"], "")["RESERVE_NOW"]
    result = send_and_judge(judge, cpo_target, "RESERVE_NOW", body)
    if result.get("result") != "ACCEPTED":
        pytest.skip(f"the charge point did not reserve (CommandResult {result.get('result')})")
    cpo_target.reservation.update(spot=spot, reservation_id=body["reservation_id"])
    session = _reservation_session(cpo_target, "RESERVATION")
    judge.ledger.check(
        "SES-006",
        session is not None,
        expected=f"a Session with status RESERVATION at EVSE {spot.evse['uid']} (§9.1.4)",
        actual="none served or pushed within 5 s",
    )


@pytest.mark.rule("CMD-001", "CMD-015", "CMD-003", "CMD-004", "SES-006")
def test_cancel_reservation(judge: Judge, cpo_target: CpoTarget) -> None:
    """CANCEL_RESERVATION of what RESERVE_NOW reserved; the unused reservation's Session ends
    COMPLETED (§9.1.4)."""
    if not cpo_target.reservation:
        pytest.skip("no reservation was made (see test_reserve_now)")
    body = {"reservation_id": cpo_target.reservation["reservation_id"]}
    result = send_and_judge(judge, cpo_target, "CANCEL_RESERVATION", body)
    if result.get("result") != "ACCEPTED":
        pytest.skip(f"the reservation was not cancelled (CommandResult {result.get('result')})")
    session = _reservation_session(cpo_target, "COMPLETED")
    judge.ledger.check(
        "SES-006",
        session is not None,
        expected="the cancelled reservation's Session COMPLETED (§9.1.4)",
        actual="no COMPLETED Session served or pushed within 5 s",
    )


@pytest.mark.rule("CMD-001", "CMD-015", "CMD-003", "CMD-004")
def test_unlock_connector(judge: Judge, cpo_target: CpoTarget) -> None:
    spot = cpo_target.spot(needs={"UNLOCK_CAPABLE"})
    if spot is None:
        pytest.skip("the target's Locations have no AVAILABLE UNLOCK_CAPABLE EVSE")
    body = _bodies(cpo_target, spot.location["id"], spot.evse["uid"], spot.connector["id"])
    send_and_judge(judge, cpo_target, "UNLOCK_CONNECTOR", body["UNLOCK_CONNECTOR"])
