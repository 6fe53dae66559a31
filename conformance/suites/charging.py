"""What the CPO suites on Commands (§13), ChargingProfiles (§14) and pushes share.

The judge plays the eMSP. It PUTs a Token of its own (under the country_code/party_id of its
registration) into the target's Tokens Receiver, picks EVSEs from the target's Locations, and
sends commands and profile requests whose `response_url` points at our counterpart, where every
callback the target makes is recorded with its time of arrival. Its START_SESSION may carry a
fresh Token the target was never pushed (CMD-005). Nothing here judges but the checks two
suites share (`check_answer`, `check_preferences`): the suites judge the replies and the
recorded exchanges (conformance/checks/callbacks.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from conformance.checks.callbacks import GRACE_SECONDS, Awaited, request_json
from conformance.checks.objects import check_object, check_status
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.session import Judge, Registration
from conformance.suites.conftest import registered
from conformance.suites.pagination import next_link
from conformance.verdicts import Blocked

POLL_SECONDS = 0.05
#: How long a Session may take to be served or pushed once its start was confirmed.
SESSION_WAIT_SECONDS = 10.0
#: Pages of the target's Locations list read to find EVSEs to work with.
LOCATION_PAGES = 10
#: The Sessions list is read from this long before the run began (clock skew).
CLOCK_SKEW = timedelta(minutes=10)
UNKNOWN = "PLUGFEST-UNKNOWN"


def ocpi_now(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


def path_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


@dataclass
class Sent:
    """A command or ChargingProfiles request the judge sent, and where its result is due."""

    what: str
    reply: Reply
    response_url: str
    sent_at: float  # time.monotonic() when it left

    @property
    def data(self) -> dict[str, Any]:
        return self.reply.data if isinstance(self.reply.data, dict) else {}

    @property
    def result(self) -> Any:
        return self.data.get("result")

    @property
    def timeout(self) -> int | None:
        timeout = self.data.get("timeout")
        return timeout if isinstance(timeout, int) and not isinstance(timeout, bool) else None

    @property
    def accepted(self) -> bool:
        return bool(self.reply.ocpi_status == 1000 and self.result == "ACCEPTED")


def check_answer(judge: Judge, sent: Sent, rule: str, schema_rule: str, schema: str) -> None:
    """The synchronous answer to a command or ChargingProfiles request: OCPI 1000 with data =
    `schema`, holding a result and the timeout its asynchronous result is due in (§13.3.2,
    §14.4.1)."""
    exchange = sent.reply.exchange
    check_status(judge.ledger, rule, exchange, http=200, ocpi=1000)
    judge.ledger.check(
        rule,
        isinstance(sent.result, str) and sent.timeout is not None,
        expected=f"data = {schema} with a result and a timeout in seconds",
        actual=sent.reply.data,
        exchange=exchange,
    )
    check_object(judge.ledger, schema_rule, sent.reply.data, schema, exchange)


PREFERENCES_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"


def check_preferences(judge: Judge, target: CpoTarget, purpose: str) -> None:
    """Charging preferences for the (still active) Session START_SESSION made for `purpose`
    (§9.2.1.2): at an EVSE with CHARGING_PREFERENCES_CAPABLE, data = a ChargingPreferencesResponse
    (SES-009); at one without, HTTP 404 with OCPI 2001 (SES-010, §9.4.1)."""
    session = target.session_of(purpose)
    started = target.started[purpose]
    session_id = session.get("id")
    if not isinstance(session_id, str):
        raise Blocked("the Session START_SESSION made has no id", started.sent.reply.exchange)
    reply = target.preferences(session_id)
    evse = started.spot.evse["uid"]
    if PREFERENCES_CAPABLE in started.spot.capabilities:
        judge.ledger.skipped("SES-010", f"the session's EVSE {evse} is {PREFERENCES_CAPABLE}")
        if check_status(judge.ledger, "SES-009", reply.exchange, http=200, ocpi=1000):
            check_object(judge.ledger, "SES-009", reply.data, "ChargingPreferencesResponse",
                         reply.exchange)  # fmt: skip
    else:
        judge.ledger.skipped("SES-009", f"the session's EVSE {evse} is not {PREFERENCES_CAPABLE}")
        check_status(judge.ledger, "SES-010", reply.exchange, http=404, ocpi=2001)


@dataclass
class Spot:
    """An EVSE of the target (and one of its connectors) to send commands to."""

    location: dict[str, Any]
    evse: dict[str, Any]
    connector: dict[str, Any]

    @property
    def capabilities(self) -> set[str]:
        return {str(c) for c in self.evse.get("capabilities") or []}


@dataclass
class Started:
    """START_SESSION as sent, its result, and the Session it made (or why there is none).
    `token` is the Token it carried; `refused` an earlier START_SESSION at the same EVSE with a
    Token never pushed to the target, which the target declined (CMD-005), so that this one,
    with our pushed Token, followed."""

    spot: Spot
    sent: Sent
    token: dict[str, Any]
    refused: Started | None = None
    awaited: Awaited | None = None
    command_result: Any = None  # the CommandResult's `result`, when a readable one came
    session: dict[str, Any] | None = None
    reason: str = ""

    @property
    def declined(self) -> bool:
        """Not accepted, or its CommandResult says the charge point did not start: nothing
        started, the EVSE is free."""
        return not self.sent.accepted or self.command_result not in (None, "ACCEPTED")


@dataclass(repr=False)
class CpoTarget:
    """The CPO under test as the Commands and ChargingProfiles suites need it. (No generated
    repr: pytest prints fixture values in tracebacks, and the registration holds token C.)"""

    judge: Judge
    registration: Registration
    token: dict[str, Any]
    spots: list[Spot]
    since: str  # date_from for the Sessions and CDRs the run creates
    used: set[str] = field(default_factory=set)  # EVSE uids already given to a flow
    started: dict[str, Started] = field(default_factory=dict)  # by purpose
    # Sessions on which a SetChargingProfile may have succeeded (ACCEPTED, no result saying
    # otherwise), upper case: the only ones an ActiveChargingProfile PUT may be for (CP-005).
    profiles_set: set[str] = field(default_factory=set)
    reservation: dict[str, Any] = field(default_factory=dict)  # what RESERVE_NOW reserved
    # Sessions whose profile a DELETE cleared (ClearProfileResult ACCEPTED), upper case, with
    # when that DELETE left (time.monotonic()): none is active on them any more (CP-006).
    profiles_cleared: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"CpoTarget(token uid {self.token.get('uid')}, {len(self.spots)} EVSEs)"

    # --- set-up --------------------------------------------------------------------------------

    @classmethod
    def prepare(cls, judge: Judge) -> CpoTarget:
        if judge.config.role != "cpo":
            pytest.skip("the target is not a CPO: these suites judge a CPO's Receivers")
        registration = registered(judge)
        since = ocpi_now(-CLOCK_SKEW)
        target = cls(judge, registration, {}, [], since)
        target.token = target._push_token()
        target.spots = target._spots()
        return target

    def url(self, module: str, role: str) -> str:
        """The target's endpoint, or a skip that says it publishes none."""
        url = self.registration.endpoint(module, role)
        if not url:
            pytest.skip(f"the target publishes no {module} {role} interface")
        return url.rstrip("/")

    def new_token(self) -> dict[str, Any]:
        """A fresh APP_USER Token of ours (the judge's own country_code/party_id, §13.3.5: an
        eMSP uses only its own Tokens), not pushed anywhere."""
        role = self.judge.counterpart.credentials("x")["roles"][0]
        uid = "PFCMD" + uuid.uuid4().hex[:12].upper()
        return {
            "country_code": role["country_code"], "party_id": role["party_id"], "uid": uid,
            "type": "APP_USER", "contract_id": f"{role['country_code']}-{role['party_id']}-{uid}",
            "issuer": "Plugfest judge", "valid": True, "whitelist": "ALLOWED",
            "last_updated": ocpi_now(),
        }  # fmt: skip

    def _push_token(self) -> dict[str, Any]:
        """Our Token, as an eMSP pushes its Tokens (§12.2.1.2). Its acceptance is judged by the
        Tokens suite; a CPO SHALL NOT validate the Token of a command anyway (§13.3.5)."""
        token = self.new_token()
        uid = token["uid"]
        url = self.registration.endpoint("tokens", "RECEIVER")
        if url:
            parts = "/".join(quote(p, safe="") for p in (token["country_code"],
                                                           token["party_id"], uid))  # fmt: skip
            self.judge.client.request(
                "PUT", f"{url.rstrip('/')}/{parts}", module="tokens",
                token=self.registration.token, params={"type": "APP_USER"}, json=token,
            )  # fmt: skip
        return token

    def _spots(self) -> list[Spot]:
        """Every EVSE (with its first connector) on the first pages of the Locations list. Our
        counterpart holds those Locations from then on, as an eMSP that pulled them would
        (§4.4), so that the target's EVSE and Connector PATCHes find their Location."""
        url = self.registration.endpoint("locations", "SENDER")
        locations: list[dict[str, Any]] = []
        next_url: str | None = url
        pages = 0
        while next_url and pages < LOCATION_PAGES:
            reply = self.judge.get(next_url, "locations", self.registration.token)
            pages += 1
            if isinstance(reply.data, list):
                locations += [o for o in reply.data
                              if isinstance(o, dict) and isinstance(o.get("id"), str)]  # fmt: skip
            next_url = next_link(reply)
        assert self.registration.handle is not None
        self.judge.counterpart.hold(self.registration.handle, "locations", locations)
        spots: list[Spot] = []
        for location in locations:
            for evse in location.get("evses") or []:
                connectors = [c for c in evse.get("connectors") or [] if isinstance(c, dict)]
                if isinstance(evse.get("uid"), str) and connectors:
                    spots.append(Spot(location, evse, connectors[0]))
        return spots

    def spot(self, needs: Iterable[str] = (), prefer: Iterable[str] = (),
             avoid: Iterable[str] = (), shun: Iterable[str] = ()) -> Spot | None:  # fmt: skip
        """An AVAILABLE EVSE not given to another flow, with the capabilities `needs`, without
        `avoid`, those with `prefer` first, then those without `shun`; it is then taken."""
        needs, prefer, avoid, shun = set(needs), set(prefer), set(avoid), set(shun)
        free = [s for s in self.spots
                if s.evse.get("status") == "AVAILABLE" and s.evse["uid"] not in self.used
                and needs <= s.capabilities and not avoid & s.capabilities]  # fmt: skip
        free.sort(key=lambda s: (-len(prefer & s.capabilities), len(shun & s.capabilities)))
        if not free:
            return None
        self.used.add(free[0].evse["uid"])
        return free[0]

    # --- requests ------------------------------------------------------------------------------

    def command(self, command: str, body: dict[str, Any]) -> Sent:
        """POST `{commands}/{command}` (§13.2.1) with a response_url at our counterpart."""
        url = self.url("commands", "RECEIVER")
        assert self.registration.handle is not None
        response_url = self.judge.counterpart.expect_command_result(
            self.registration.handle, command
        )
        sent_at = time.monotonic()
        reply = self.judge.client.request(
            "POST", f"{url}/{command}", module="commands", token=self.registration.token,
            json={**body, "response_url": response_url},
        )  # fmt: skip
        return Sent(command, reply, response_url, sent_at)

    def profile(
        self,
        method: str,
        session_id: str,
        *,
        duration: int | None = None,
        charging_profile: dict[str, Any] | None = None,
        drop: Iterable[str] = (),
    ) -> Sent:
        """GET (duration), PUT (SetChargingProfile) or DELETE `{chargingprofiles}/{session_id}`
        (§14.4.1) with a response_url at our counterpart; `drop` leaves query parameters out."""
        url = f"{self.url('chargingprofiles', 'RECEIVER')}/{quote(session_id, safe='')}"
        assert self.registration.handle is not None
        response_url = self.judge.counterpart.expect_profile_result(
            self.registration.handle, method, session_id
        )
        params: dict[str, str | int] = {}
        body: dict[str, Any] | None = None
        if method == "GET":
            params = {"duration": duration or 900, "response_url": response_url}
        elif method == "DELETE":
            params = {"response_url": response_url}
        else:
            body = {"charging_profile": charging_profile, "response_url": response_url}
        params = {k: v for k, v in params.items() if k not in set(drop)}
        sent_at = time.monotonic()
        reply = self.judge.client.request(
            method, url, module="chargingprofiles", token=self.registration.token,
            params=params or None, json=body,
        )  # fmt: skip
        return Sent(f"{method} chargingprofiles", reply, response_url, sent_at)

    def preferences(self, session_id: str) -> Reply:
        """PUT `{sessions}/{session_id}/charging_preferences` (§9.2.1.2) with a ChargingPreferences
        any capable EVSE can take or answer (§9.3.2)."""
        url = f"{self.url('sessions', 'SENDER')}/{quote(session_id, safe='')}/charging_preferences"
        body = {"profile_type": "REGULAR", "departure_time": ocpi_now(timedelta(hours=2)),
                "energy_need": 10.0, "discharge_allowed": False}  # fmt: skip
        return self.judge.client.request(
            "PUT", url, module="sessions", token=self.registration.token, json=body
        )

    # --- what came back ------------------------------------------------------------------------

    def arrived(self, url: str, method: str = "POST") -> list[Exchange]:
        wanted = path_of(url)
        return [e for e in self.judge.counterpart.inbound()
                if e.method == method and path_of(e.url) == wanted]  # fmt: skip

    def await_callback(self, sent: Sent) -> Awaited:
        """Wait for the first POST to `sent.response_url` until the announced timeout (plus
        grace) has passed, at most --max-wait; polled every POLL_SECONDS."""
        timeout = sent.timeout
        bound = self.judge.config.max_wait
        owed = bound if timeout is None else timeout + GRACE_SECONDS
        deadline = sent.sent_at + min(owed, bound)
        while True:
            found = self.arrived(sent.response_url)
            if found:
                at = self.judge.counterpart.received_at(found[0])
                after = None if at is None else at - sent.sent_at
                return Awaited(found[0], after, time.monotonic() - sent.sent_at, timeout)
            if time.monotonic() >= deadline:
                return Awaited(None, None, time.monotonic() - sent.sent_at, timeout)
            time.sleep(POLL_SECONDS)

    def pushed(self, module: str, methods: Iterable[str] = ("PUT", "PATCH", "POST", "DELETE")
               ) -> list[Exchange]:  # fmt: skip
        """What the target pushed to our `module` Receiver, in order of arrival."""
        base = path_of(self.judge.counterpart.module_url(module))
        wanted = set(methods)
        return [e for e in self.judge.counterpart.inbound() if e.method in wanted
                and (path_of(e.url) == base or path_of(e.url).startswith(base + "/"))]  # fmt: skip

    def listed(self, module: str, date_from: str | None = None) -> list[dict[str, Any]]:
        """The target's `module` list from `date_from` (default: the run's start) on, following
        Link headers; [] when it publishes no such Sender."""
        url = self.registration.endpoint(module, "SENDER")
        found: list[dict[str, Any]] = []
        next_url: str | None = url
        query: dict[str, str | int] | None = {"date_from": date_from or self.since}
        pages = 0
        while next_url and pages < LOCATION_PAGES:
            reply = self.judge.client.request(
                "GET", next_url, module=module, token=self.registration.token, params=query
            )
            if isinstance(reply.data, list):
                found += [o for o in reply.data if isinstance(o, dict)]
            next_url, query, pages = next_link(reply), None, pages + 1
        return found

    def find_session(
        self, match: Callable[[dict[str, Any]], bool], seconds: float
    ) -> dict[str, Any] | None:
        """A Session the target serves (or, without a Sessions Sender, pushed) that `match`es."""
        deadline = time.monotonic() + seconds
        while True:
            if self.registration.endpoint("sessions", "SENDER"):
                candidates = self.listed("sessions")
            else:
                candidates = [b for e in self.pushed("sessions", ("PUT",))
                              if isinstance(b := request_json(e), dict)]  # fmt: skip
            found = [s for s in candidates if match(s)]
            if found:
                return found[-1]
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)

    @staticmethod
    def at(session: dict[str, Any], spot: Spot) -> bool:
        """Whether the Session is at the spot's EVSE (whoever's Token it carries)."""
        evse, location = str(spot.evse["uid"]).upper(), str(spot.location["id"]).upper()
        return (
            str(session.get("evse_uid", "")).upper() == evse
            and str(session.get("location_id", "")).upper() == location
        )

    # --- flows ---------------------------------------------------------------------------------

    def start_session(self, purpose: str, prefer: Iterable[str] = (), shun: Iterable[str] = (),
                      *, unpushed: bool = False) -> Started:  # fmt: skip
        """START_SESSION on a free EVSE (§13.3.5), once per purpose; then its CommandResult
        and the Session it made. A target that did not start one leaves `reason` set.
        With `unpushed`, the Token is a fresh one the target was never pushed (CMD-005); if
        that START_SESSION is declined, the same one with our pushed Token follows."""
        if purpose in self.started:
            return self.started[purpose]
        spot = self.spot(needs={"REMOTE_START_STOP_CAPABLE"}, prefer=prefer, shun=shun)
        if spot is None:
            pytest.skip("the target's Locations have no AVAILABLE REMOTE_START_STOP_CAPABLE EVSE")
        body = {"token": self.new_token() if unpushed else self.token,
                "location_id": spot.location["id"], "evse_uid": spot.evse["uid"],
                "connector_id": spot.connector["id"],
                "authorization_reference": "PF" + uuid.uuid4().hex[:20]}  # fmt: skip
        started = self._start(spot, body)
        if unpushed and started.declined:
            first = started
            started = self._start(spot, {**body, "token": self.token})
            started.refused = first
        self.started[purpose] = started
        return started

    def _start(self, spot: Spot, body: dict[str, Any]) -> Started:
        """One START_SESSION, its CommandResult, and the Session it made."""
        started = Started(spot, self.command("START_SESSION", body), body["token"])
        if not started.sent.accepted:
            started.reason = f"the target answered START_SESSION with {started.sent.result}"
            return started
        started.awaited = self.await_callback(started.sent)
        result = request_json(started.awaited.exchange) if started.awaited.exchange else None
        if isinstance(result, dict):
            started.command_result = result.get("result")
        if isinstance(result, dict) and result.get("result") != "ACCEPTED":
            started.reason = (
                f"START_SESSION was not confirmed by the charge point ({result.get('result')})"
            )
            return started
        if not isinstance(result, dict):
            # Lenient reading: no (readable) CommandResult (CMD-003/015 judge that); the Session
            # it should have announced is looked for all the same.
            self.judge.ledger.reading(
                "CMD-003",
                "no readable CommandResult for START_SESSION: its Session looked for anyway",
                started.sent.reply.exchange,
            )
        started.session = self.find_session(
            lambda s: self.at(s, spot) and s.get("status") in {"PENDING", "ACTIVE"},
            SESSION_WAIT_SECONDS,
        )
        if started.session is None:
            started.reason = (
                f"no PENDING or ACTIVE Session at EVSE {spot.evse['uid']} within "
                f"{SESSION_WAIT_SECONDS:.0f} s"
                + ("" if isinstance(result, dict) else " (and no CommandResult)")
            )
        return started

    def session_of(self, purpose: str) -> dict[str, Any]:
        """The Session a START_SESSION made for `purpose`; the test is blocked when the target
        made none (skipped when none was sent: see why in test_start_session)."""
        started = self.started.get(purpose)
        if started is None:
            pytest.skip(f"no START_SESSION was sent for {purpose}")
        if started.session is None:
            raise Blocked(f"no session to work on: {started.reason}", started.sent.reply.exchange)
        return started.session
