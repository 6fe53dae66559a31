"""What an eMSP sends a CPO and the callbacks it hosts: commands (§13.2.1) and their
CommandResult at `response_url` (§13.2.2), ChargingProfiles requests (§14.4.1) and their results
(§14.4.2).

The judge learns such URLs only from requests the eMSP sent to our counterpart (the reference
CPO). With the act hook (`--ocpi-act-command`, README "The act hook") the judge asks the target
to send them: START_SESSION at a charge point of our CPO, SetChargingProfile, GET and DELETE for
the session started, then STOP_SESSION. Without the hook, only what the target sent on its own
is judged, and with nothing sent the tests skip, naming the option.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conformance.checks.objects import check_object, check_status
from conformance.exchange import Exchange
from conformance.session import ActUnsupported, Judge
from conformance.suites.conftest import counterpart_cpo, registered
from conformance.suites.waiting import wait_until

pytestmark = pytest.mark.phase("modules")

COMMANDS, PROFILES = "commands", "chargingprofiles"
#: The request object of each CommandType (§13.4.3, §13.3).
COMMAND_SCHEMAS = {
    "CANCEL_RESERVATION": "CancelReservation",
    "RESERVE_NOW": "ReserveNow",
    "START_SESSION": "StartSession",
    "STOP_SESSION": "StopSession",
    "UNLOCK_CONNECTOR": "UnlockConnector",
}
NO_HOOK = "pass --act-command so the judge can ask the target"
SESSION_DEADLINE_SECONDS = 15.0
PROFILE = {"charging_rate_unit": "W", "charging_profile_period": [{"start_period": 0,
                                                                   "limit": 11000.0}]}  # fmt: skip


@dataclass
class Acted:
    """What the act hook was asked and why a part could not be done (None: done)."""

    commands: str | None = NO_HOOK
    profiles: str | None = NO_HOOK


def _body(exchange: Exchange) -> Any:
    try:
        return json.loads(exchange.request_body or "null")
    except ValueError:
        return None


def _under(judge: Judge, module: str) -> str:
    """The path below which our CPO serves `module` (Counterpart.module_url), with a slash."""
    return urlsplit(judge.counterpart.module_url(module)).path.rstrip("/") + "/"


def _sent(judge: Judge, module: str, methods: tuple[str, ...]) -> list[tuple[Exchange, str]]:
    """(exchange, response_url) of what the target sent our counterpart's `module`."""
    found = []
    under = _under(judge, module)
    for exchange in judge.counterpart.inbound():
        if exchange.method not in methods or not urlsplit(exchange.url).path.startswith(under):
            continue
        body, url = _body(exchange), None
        if isinstance(body, dict):
            url = body.get("response_url")
        if url is None and "response_url=" in exchange.url:
            urls = parse_qs(urlsplit(exchange.url).query).get("response_url")
            url = urls[0] if urls else None
        if isinstance(url, str):
            found.append((exchange, url))
    return found


def _commands(judge: Judge) -> list[tuple[str, Exchange]]:
    """(CommandType in the URL, exchange) of every command POST the target sent our CPO."""
    under = _under(judge, COMMANDS)
    return [
        (urlsplit(e.url).path.rsplit("/", 1)[-1], e)
        for e in judge.counterpart.inbound()
        if e.method == "POST" and urlsplit(e.url).path.startswith(under)
    ]


def _new_session(judge: Judge, location_id: str) -> str | None:
    """The id of the Session our CPO opened at `location_id`, once it exists (polled)."""
    found = wait_until(
        lambda: [s for s in judge.counterpart.sessions() if s.get("location_id") == location_id],
        SESSION_DEADLINE_SECONDS,
        judge,
    )
    return str(found[0]["id"]) if found else None


@pytest.fixture(scope="module")
def acted(judge: Judge) -> Acted:
    """Ask the target, through the act hook, to drive a session at our CPO (once per run)."""
    done = Acted()
    if judge.config.role != "emsp" or not judge.config.act_command or judge.registration is None:
        return done
    cpo = counterpart_cpo(judge)
    point = judge.counterpart.charge_point()
    try:
        judge.act("send_command", {"command": "START_SESSION", "cpo": cpo, **point})
    except ActUnsupported as exc:
        done.commands = done.profiles = str(exc)
        return done
    done.commands = None
    session_id = _new_session(judge, point["location_id"])
    if session_id is None:
        done.profiles = "no Session started at our CPO after the target's START_SESSION"
        return done
    try:
        for method, extra in (("PUT", {"charging_profile": PROFILE}), ("GET", {"duration": 900}),
                              ("DELETE", {})):  # fmt: skip
            params = {"method": method, "cpo": cpo, "session_id": session_id, **extra}
            judge.act("set_charging_profile", params)
        done.profiles = None
    except ActUnsupported as exc:
        done.profiles = str(exc)
    stop = {"command": "STOP_SESSION", "cpo": cpo, "session_id": session_id}
    with contextlib.suppress(ActUnsupported):  # the START_SESSION before it is judged anyway
        judge.act("send_command", stop)
    return done


def _applies(judge: Judge) -> None:
    if judge.config.role != "emsp":
        pytest.skip("an eMSP's commands and callbacks: the target is a CPO")


@pytest.mark.rule("CMD-014")
def test_command_result_accepted(judge: Judge, acted: Acted) -> None:
    _applies(judge)
    registration = registered(judge)
    sent = _sent(judge, COMMANDS, ("POST",))
    if not sent:
        pytest.skip(f"the target sent no command to our counterpart: {acted.commands}")
    for _, url in sent:
        body: dict[str, Any] = {"result": "ACCEPTED"}
        reply = judge.client.request(
            "POST", url, module="commands", token=registration.token, json=body
        )
        check_status(judge.ledger, "CMD-014", reply.exchange, http=200,
                     ocpi=tuple(range(1000, 2000)))  # fmt: skip


@pytest.mark.rule("CMD-002", "CMD-007")
def test_commands_sent_match_their_url(judge: Judge, acted: Acted) -> None:
    """CMD-002: the body is the object of the CommandType in the URL, with a response_url.
    CMD-007: StartSession and ReserveNow carry a Token of the eMSP's own roles (§13.3.5); that
    the eMSP authorized it first cannot be seen from outside."""
    _applies(judge)
    registration = registered(judge)
    sent = _commands(judge)
    if not sent:
        pytest.skip(f"the target sent no command to our counterpart: {acted.commands}")
    own = {(str(r.get("country_code", "")).upper(), str(r.get("party_id", "")).upper())
           for r in registration.credentials.get("roles") or []
           if isinstance(r, dict) and r.get("role") == "EMSP"}  # fmt: skip
    for command, exchange in sent:
        schema = COMMAND_SCHEMAS.get(command)
        judge.ledger.check(
            "CMD-002",
            schema is not None,
            expected=f"a CommandType in the URL: one of {sorted(COMMAND_SCHEMAS)}",
            actual=command,
            exchange=exchange,
        )
        assert schema is not None
        body = _body(exchange)
        check_object(judge.ledger, "CMD-002", body, schema, exchange)
        if command in ("START_SESSION", "RESERVE_NOW"):
            token = body.get("token") if isinstance(body, dict) else None
            token = token if isinstance(token, dict) else {}
            owner = (str(token.get("country_code")).upper(), str(token.get("party_id")).upper())
            judge.ledger.check(
                "CMD-007",
                owner in own,
                expected=f"a Token of the eMSP's own (country_code, party_id): {sorted(own)}",
                actual=f"a Token of {owner}",
                exchange=exchange,
            )


@pytest.mark.rule("CP-003")
def test_charging_profile_results_have_no_data(judge: Judge, acted: Acted) -> None:
    _applies(judge)
    registration = registered(judge)
    sent = _sent(judge, PROFILES, ("GET", "PUT", "DELETE"))
    if not sent:
        pytest.skip(
            f"the target sent no ChargingProfile request to our counterpart: {acted.profiles}"
        )
    results = {"GET": {"result": "ACCEPTED"}, "PUT": {"result": "ACCEPTED"},
               "DELETE": {"result": "ACCEPTED"}}  # fmt: skip
    for exchange, url in sent:
        reply = judge.client.request(
            "POST", url, module="chargingprofiles", token=registration.token,
            json=results[exchange.method],
        )  # fmt: skip
        judge.ledger.check(
            "CP-003",
            isinstance(reply.body, dict) and "data" not in reply.body,
            expected="an answer without a data field",
            actual=str(reply.body)[:160],
            exchange=reply.exchange,
        )
