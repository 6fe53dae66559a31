"""What the CPO suites on Commands (§13), ChargingProfiles (§14) and pushes share.

The judge plays the eMSP. It PUTs a Token of its own (under the country_code/party_id of its
registration) into the target's Tokens Receiver, picks EVSEs from the target's Locations, and
sends commands and profile requests whose `response_url` points at our counterpart, where every
callback the target makes is recorded with its time of arrival. Its START_SESSION may carry a
fresh Token the target was never pushed (CMD-005). It also reads, for every CPO suite, what the
target serves and pushed: the run's Sessions and CDRs (`listed`, `cdrs`: each object with the
exchange it came on; lists read without pagination verdicts, those are the Senders suite's),
the pushes to our Receivers (`pushes`) and the real-time authorizations asked of our eMSP
(`authorizations`). Nothing here judges: the suites judge the replies and the recorded
exchanges (conformance/checks/).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from conformance.checks.callbacks import GRACE_SECONDS, Awaited, request_json
from conformance.checks.pushes import MODULES, Push
from conformance.client import Reply
from conformance.exchange import Exchange, Seen
from conformance.session import Judge, Registration
from conformance.suites.conftest import registered
from conformance.suites.pagination import read
from conformance.suites.waiting import READ_POLL_SECONDS, wait_until
from conformance.verdicts import Blocked

#: How long a Session may take to be served or pushed once its start was confirmed.
SESSION_WAIT_SECONDS = 10.0
#: Pages of the target's Locations list read to find EVSEs to work with.
LOCATION_PAGES = 10
#: Pages of a list read from the run's start on (the Sessions and CDRs the run made).
WINDOW_PAGES = 10
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

    @property
    def rejected(self) -> bool:
        """Declined as REJECTED, in the CommandResponse or the CommandResult: the command
        itself refused (§13.4.1, §13.4.2), not the charge point busy, failing or silent."""
        return "REJECTED" in (self.sent.result, self.command_result)


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
            pytest.skip("judges a CPO's commands, charging profiles and pushes: the target is "
                        "an eMSP")  # fmt: skip
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
        locations = [seen.obj for seen in self._read("locations", max_pages=LOCATION_PAGES)
                     if isinstance(seen.obj.get("id"), str)]  # fmt: skip
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

    def preferences_of(self, purpose: str) -> tuple[Reply, Spot]:
        """Charging preferences PUT for the (still active) Session START_SESSION made for
        `purpose`: the answer, and the EVSE the Session is at. Blocked when it has no id."""
        session = self.session_of(purpose)
        started = self.started[purpose]
        session_id = session.get("id")
        if not isinstance(session_id, str):
            raise Blocked("the Session START_SESSION made has no id", started.sent.reply.exchange)
        return self.preferences(session_id), started.spot

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
        grace) has passed since it was sent, at most --max-wait (suites/waiting.py)."""
        timeout = sent.timeout
        owed = self.judge.config.max_wait if timeout is None else timeout + GRACE_SECONDS
        found = wait_until(lambda: self.arrived(sent.response_url), owed, self.judge,
                           start=sent.sent_at)  # fmt: skip
        waited = time.monotonic() - sent.sent_at
        if not found:
            return Awaited(None, None, waited, timeout)
        at = self.judge.counterpart.received_at(found[0])
        return Awaited(found[0], None if at is None else at - sent.sent_at, waited, timeout)

    def pushed(self, module: str, methods: Iterable[str] = ("PUT", "PATCH", "POST", "DELETE")
               ) -> list[Exchange]:  # fmt: skip
        """What the target pushed to our `module` Receiver, in order of arrival."""
        base = path_of(self.judge.counterpart.module_url(module))
        wanted = set(methods)
        return [e for e in self.judge.counterpart.inbound() if e.method in wanted
                and (path_of(e.url) == base or path_of(e.url).startswith(base + "/"))]  # fmt: skip

    def pushes(self) -> list[Push]:
        """Every push the target made to our Receivers so far, per module in order of arrival."""
        found = []
        for module in MODULES:
            base = path_of(self.judge.counterpart.module_url(module))
            for exchange in self.pushed(module):
                rest = path_of(exchange.url)[len(base) :].strip("/")
                segments = tuple(unquote(s) for s in rest.split("/")) if rest else ()
                found.append(Push(module, exchange.method, segments, request_json(exchange),
                                  exchange))  # fmt: skip
        return found

    def authorizations(self) -> dict[str, list[Exchange]]:
        """Real-time authorization requests (POST {tokens}/{uid}/authorize, §12.2.2.2) the
        target sent our eMSP, by upper-case Token uid, in order of arrival."""
        base = path_of(self.judge.counterpart.module_url("tokens"))
        found: dict[str, list[Exchange]] = {}
        for exchange in self.judge.counterpart.inbound():
            path = path_of(exchange.url)
            if exchange.method == "POST" and path.startswith(base + "/") \
                    and path.endswith("/authorize"):  # fmt: skip
                uid = unquote(path.removesuffix("/authorize").rsplit("/", 1)[-1]).upper()
                found.setdefault(uid, []).append(exchange)
        return found

    def _read(self, module: str, params: dict[str, str | int] | None = None, *,
              max_pages: int = WINDOW_PAGES) -> list[Seen]:  # fmt: skip
        """The target's `module` list read without pagination verdicts (those are the Senders
        suite's), each object with the page it came on; [] when it publishes no such Sender or
        refuses the list (the Senders suite judges that)."""
        url = self.registration.endpoint(module, "SENDER")
        if not url:
            return []
        try:
            crawl = read(self.judge, url, module, self.registration.token, params,
                         max_pages=max_pages)  # fmt: skip
        except Blocked:
            return []
        return [Seen(o, e) for o, e in zip(crawl.objects, crawl.origins, strict=True)
                if isinstance(o, dict)]  # fmt: skip

    def listed(self, module: str, date_from: str | None = None) -> list[Seen]:
        """The target's `module` list from `date_from` (default: the run's start) on, Link
        headers followed; [] when it publishes no such Sender."""
        return self._read(module, {"date_from": date_from or self.since})

    def cdrs(self) -> list[Seen]:
        """Every CDR the target serves from the run's start on, then every CDR it POSTed to our
        counterpart (§10.2.2)."""
        pushed = [Seen(body, e, "pushed") for e in self.pushed("cdrs", ("POST",))
                  if isinstance(body := request_json(e), dict)]  # fmt: skip
        return [*self.listed("cdrs"), *pushed]

    def await_charging(self, session_id: str) -> None:
        """Before a STOP_SESSION: the Session served ACTIVE, looked for a bounded while (then
        stopped anyway). Stopped while PENDING it would end INVALID: no CDR to judge (§9.4.3)."""
        wanted = session_id.upper()
        self.find_session(
            lambda s: str(s.get("id")).upper() == wanted and s.get("status") == "ACTIVE",
            SESSION_WAIT_SECONDS,
        )

    def find_session(
        self, match: Callable[[dict[str, Any]], bool], seconds: float
    ) -> dict[str, Any] | None:
        """A Session the target serves (or, without a Sessions Sender, pushed) that `match`es,
        looked for until `seconds` (at most --max-wait) have passed."""

        def matching() -> list[dict[str, Any]]:
            if self.registration.endpoint("sessions", "SENDER"):
                candidates = [seen.obj for seen in self.listed("sessions")]
            else:
                candidates = [b for e in self.pushed("sessions", ("PUT",))
                              if isinstance(b := request_json(e), dict)]  # fmt: skip
            return [s for s in candidates if match(s)]

        found = wait_until(matching, seconds, self.judge, poll=READ_POLL_SECONDS)
        return found[-1] if found else None

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
