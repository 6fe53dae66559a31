"""The simulated charging backend: charge points, sessions, CDRs, reservations, commands.

Time is the platform `Clock`: `tick()` moves every live session to now, `advance(seconds)` moves
a `FakeClock` first (tests, demos). Every Session change is stored (kind "session", origin OWN)
and pushed in the same transaction: PUT on creation, PATCH afterwards with `last_updated` and
the changed fields, new charging periods appended (§9.2.2.3). Stopping creates the CDR (§10),
stored (kind "cdr") and POSTed. Command and charging-profile results go to `response_url` from
background tasks the backend tracks (§13.1, §14.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from simulator.cpo.backend.charge_points import Catalogue, evse_max_power_w, find_connector
from simulator.cpo.backend.sessions import (
    LiveSession,
    Reservation,
    cdr_location,
    cdr_token,
)
from simulator.cpo.pricing import price_cdr
from simulator.cpo.token_cache import TokenCache
from simulator.platform.clock import FakeClock, ocpi_datetime, parse_ocpi_datetime
from simulator.platform.documents import OWN, Key
from simulator.platform.partner_client import request_headers, under
from simulator.platform.planted import planted
from simulator.platform.services import Platform
from simulator.platform.tables import Partner
from specs import contract

logger = logging.getLogger(__name__)

SESSION, CDR = "session", "cdr"
PLUG_IN_SECONDS = 5  # PENDING until the EV has answered the charge point
WHITELISTED = {"ALWAYS", "ALLOWED"}
FREE_STATUSES = {"AVAILABLE"}
BUSY_STATUSES = {"CHARGING", "BLOCKED", "RESERVED"}
#: A credit CDR's id: the credited one's (36 at most) and this suffix, 39 at most (§10.3.1).
CREDIT_SUFFIX = "-C"
#: The Price fields a credit CDR repeats negated (§10.1.1, §10.3.1).
COST_FIELDS = ("total_cost", "total_fixed_cost", "total_energy_cost", "total_time_cost",
               "total_parking_cost", "total_reservation_cost")  # fmt: skip


class ClockNotAdjustable(Exception):
    """`advance` needs a FakeClock (development and tests)."""


class CreditRefused(Exception):
    """No credit CDR for this CDR: it is a credit CDR itself, or it was credited already."""


@dataclass(frozen=True)
class BackendSettings:
    tick_seconds: float = 0.0
    charge_point_delay_seconds: float = 0.5
    command_timeout_seconds: int = 30
    plug_in_seconds: float = PLUG_IN_SECONDS


@dataclass(frozen=True)
class SwipeOutcome:
    """What the charge point decided for an RFID swipe (§12.4, §10.4.1 AuthMethod)."""

    allowed: str
    auth_method: str | None = None
    session_id: str | None = None
    authorization_reference: str | None = None


class Backend:
    """One per app; all state changes run under one lock on the app's event loop."""

    def __init__(self, platform: Platform, settings: BackendSettings) -> None:
        self.platform = platform
        self.settings = settings
        self.catalogue = Catalogue(platform)
        self.tokens = TokenCache(platform.database)
        self.live: dict[str, LiveSession] = {}
        self.reservations: dict[tuple[str, str, str], str] = {}
        self.no_answer: set[str] = set()
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reservation_numbers = itertools.count(1)
        self._loop_task: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        moment: datetime = self.platform.clock.now()
        return moment

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self, _app: Any = None) -> None:
        if self.settings.tick_seconds > 0:
            self._loop_task = asyncio.create_task(self._tick_loop())

    async def stop(self, _app: Any = None) -> None:
        tasks = [*self._tasks, *([self._loop_task] if self._loop_task else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick_seconds)
            try:
                await self.tick()
            except Exception:
                logger.exception("backend tick failed")

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A background task that outlives the request that started it."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait for every background task (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def sleep_until(self, moment: datetime) -> None:
        """Wait until the platform clock reaches `moment` (a FakeClock moves by `advance`)."""
        # Polling, not an Event: nothing signals when a FakeClock moves or real time passes.
        while self.now() < moment:  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    # --- time ---------------------------------------------------------------------------------

    async def advance(self, seconds: float) -> None:
        """Move a FakeClock forward, then `tick()`."""
        clock = self.platform.clock
        if not isinstance(clock, FakeClock):
            raise ClockNotAdjustable("the clock is the system clock")
        clock.advance(seconds)
        await self.tick()

    async def tick(self) -> None:
        """Bring every live session to the clock's now: activation, energy, expiry (rule 48)."""
        async with self._lock:
            now = self.now()
            for live in list(self.live.values()):
                await self._tick_one(live, now)

    async def _tick_one(self, live: LiveSession, now: datetime) -> None:
        if live.status == "RESERVATION":
            if live.reservation is not None and now >= live.reservation.expiry:
                await self._finish(live, live.reservation.expiry, "COMPLETED")
            return
        changed: dict[str, Any] = {}
        if live.status == "PENDING" and live.activate_at is not None and now >= live.activate_at:
            self._activate(live, live.activate_at)
            changed.update(status="ACTIVE", start_date_time=live.doc["start_date_time"])
        if live.status == "ACTIVE" and live.accrue(now):
            changed["kwh"] = live.doc["kwh"] = live.kwh
            periods = live.closed_periods(final=False)
            if periods:
                changed["charging_periods"] = periods
        if changed:
            await self._store(live, now, changed)

    def _activate(self, live: LiveSession, at: datetime) -> None:
        """PENDING -> ACTIVE: start_date_time becomes the activation moment (rule 49)."""
        live.doc["status"] = "ACTIVE"
        live.doc["start_date_time"] = ocpi_datetime(at)
        live.accrued_to = at
        live.new_period = True

    # --- storage and pushes -------------------------------------------------------------------

    def _session_key(self, session_id: str) -> Key:
        return Key(SESSION, OWN, self.catalogue.country_code, self.catalogue.party_id, session_id)

    async def session(self, session_id: str) -> dict[str, Any] | None:
        return await self.platform.documents.get(self._session_key(session_id))

    async def _store(
        self, live: LiveSession, now: datetime, changed: dict[str, Any] | None = None
    ) -> None:
        """Store the Session; PUT it when new (changed None), else PATCH what changed."""
        doc = live.doc
        doc["last_updated"] = ocpi_datetime(now)
        if changed and "charging_periods" in changed:
            doc["charging_periods"] = [
                *doc.get("charging_periods", []),
                *changed["charging_periods"],
            ]
        problems = contract.errors(doc, "Session")
        assert problems == [], problems
        path = f"/{doc['country_code']}/{doc['party_id']}/{doc['id']}"
        if changed is None:
            method, body = "PUT", doc
        else:
            method, body = "PATCH", {**changed, "last_updated": doc["last_updated"]}
            problems = contract.errors(body, "SessionPatch")
            assert problems == [], problems
        async with self.platform.database.transaction() as session:
            await self.platform.documents.put(self._session_key(live.id), doc, session)
            await self.platform.outbox.publish(
                session,
                module="sessions",
                method=method,
                path=path,
                body=body,
                object_key=f"sessions{path}",
            )

    async def _store_cdr(self, cdr: dict[str, Any]) -> None:
        key = Key(CDR, OWN, cdr["country_code"], cdr["party_id"], cdr["id"])
        async with self.platform.database.transaction() as session:
            await self.platform.documents.put(key, cdr, session)
            await self.platform.outbox.publish(
                session,
                module="cdrs",
                method="POST",
                path="",
                body=cdr,
                object_key=f"cdrs/{cdr['country_code']}/{cdr['party_id']}/{cdr['id']}",
            )

    # --- sessions -----------------------------------------------------------------------------

    async def _open(
        self,
        *,
        location: dict[str, Any],
        evse: dict[str, Any],
        connector: dict[str, Any] | None,
        token: dict[str, Any],
        auth_method: str,
        authorization_reference: str | None,
        status: str = "PENDING",
        reservation: Reservation | None = None,
    ) -> LiveSession:
        """A new Session, stored and PUT (§9.2.2.1); its EVSE becomes CHARGING or RESERVED."""
        now = self.now()
        tariff_ids = (connector or {}).get("tariff_ids") or []
        tariffs = await self.catalogue.tariffs(list(tariff_ids))
        doc: dict[str, Any] = {
            "country_code": self.catalogue.country_code,
            "party_id": self.catalogue.party_id,
            "id": str(uuid.uuid4()),
            "start_date_time": ocpi_datetime(now),
            "kwh": 0,
            "cdr_token": cdr_token(token),
            "auth_method": auth_method,
            "location_id": location["id"],
            "evse_uid": evse["uid"],
            "connector_id": connector["id"] if connector else "#NA",
            "currency": tariffs[0]["currency"] if tariffs else "EUR",
            "charging_periods": [],
            "status": status,
            "last_updated": ocpi_datetime(now),
        }
        if authorization_reference:
            doc["authorization_reference"] = authorization_reference
        live = LiveSession(
            doc=doc,
            location=location,
            evse=evse,
            connector=connector,
            tariffs=tariffs,
            created=now,
            reservation=reservation,
        )
        if status == "PENDING":
            live.activate_at = now + timedelta(seconds=self.settings.plug_in_seconds)
        self.live[live.id.upper()] = live
        await self._store(live, now)
        evse_status = "RESERVED" if status == "RESERVATION" else "CHARGING"
        await self.catalogue.set_evse_status(location["id"], evse["uid"], evse_status)
        return live

    async def _use_reservation(
        self,
        live: LiveSession,
        connector: dict[str, Any],
        auth_method: str,
        authorization_reference: str | None,
    ) -> None:
        """The reserving token starts charging: the same Session goes on (§9.1.4)."""
        now = self.now()
        live.connector = connector
        live.tariffs = await self.catalogue.tariffs(list(connector.get("tariff_ids") or []))
        live.reservation = None
        live.doc.update(
            connector_id=connector["id"],
            auth_method=auth_method,
            status="PENDING",
            start_date_time=ocpi_datetime(now),
        )
        if authorization_reference:
            live.doc["authorization_reference"] = authorization_reference
        if live.tariffs:
            live.doc["currency"] = live.tariffs[0]["currency"]
        live.activate_at = now + timedelta(seconds=self.settings.plug_in_seconds)
        self.reservations = {k: v for k, v in self.reservations.items() if v != live.id}
        changed = {
            key: live.doc[key]
            for key in ("connector_id", "auth_method", "status", "start_date_time", "currency")
        }
        if authorization_reference:
            changed["authorization_reference"] = authorization_reference
        await self._store(live, now, changed)
        await self.catalogue.set_evse_status(live.doc["location_id"], live.evse["uid"], "CHARGING")

    async def _finish(self, live: LiveSession, end: datetime, status: str) -> dict[str, Any] | None:
        """End a session (COMPLETED, or INVALID when it never charged); the CDR if any."""
        if live.status == "ACTIVE":
            live.accrue(end)
        elif live.status == "PENDING" and status == "COMPLETED":
            status = "INVALID"  # never charged: nothing to bill (§9.4.3)
        live.doc.update(status=status, end_date_time=ocpi_datetime(end), kwh=live.kwh)
        changed: dict[str, Any] = {
            "status": status,
            "end_date_time": live.doc["end_date_time"],
            "kwh": live.kwh,
        }
        periods = live.closed_periods(final=True)
        if periods:
            changed["charging_periods"] = periods
        await self._store(live, self.now(), changed)
        self.live.pop(live.id.upper(), None)
        self.reservations = {k: v for k, v in self.reservations.items() if v != live.id}
        await self.catalogue.set_evse_status(live.doc["location_id"], live.evse["uid"], "AVAILABLE")
        if not live.periods or live.connector is None:
            return None
        cdr = self.build_cdr(live, end)
        await self._store_cdr(cdr)
        return cdr

    def build_cdr(self, live: LiveSession, end: datetime) -> dict[str, Any]:
        """§10.3.1: the snapshot at start, periods split at cost-relevant moments, totals."""
        assert live.connector is not None
        doc = live.doc
        start = parse_ocpi_datetime(doc["start_date_time"])
        periods = [p.charging_period() for p in live.periods]
        parking = sum((p.end - p.start).total_seconds() for p in live.periods if not p.charging)
        cdr: dict[str, Any] = {
            "country_code": doc["country_code"],
            "party_id": doc["party_id"],
            "id": doc["id"],
            "start_date_time": doc["start_date_time"],
            "end_date_time": ocpi_datetime(end),
            "session_id": doc["id"],
            "cdr_token": doc["cdr_token"],
            "auth_method": doc["auth_method"],
            "cdr_location": cdr_location(live.location, live.evse, live.connector),
            "currency": doc["currency"],
            "charging_periods": periods,
            "total_energy": live.kwh,
            "total_time": round((end - start).total_seconds() / 3600, 6),
            "total_parking_time": round(parking / 3600, 6),
            "last_updated": ocpi_datetime(self.now()),
        }
        if doc.get("authorization_reference"):
            cdr["authorization_reference"] = doc["authorization_reference"]
        tariff = live.tariff
        if tariff is not None:
            cdr["tariffs"] = live.tariffs
            cdr.update(price_cdr(tariff, periods, start=start, end=end, time_zone=live.time_zone))
        else:
            cdr["total_cost"] = {"excl_vat": 0}
            cdr["remark"] = "no tariff applies"
        problems = contract.errors(cdr, "CDR")
        assert problems == [], problems
        return cdr

    def _cdr_key(self, cdr_id: str) -> Key:
        return Key(CDR, OWN, self.catalogue.country_code, self.catalogue.party_id, cdr_id)

    async def credit_cdr(self, cdr_id: str) -> dict[str, Any] | None:
        """Correct one of our CDRs (§10.1.1): a credit CDR, stored and POSTed like any CDR; None
        when we have no CDR `cdr_id`. `CreditRefused` for a credit CDR or one credited already."""
        async with self._lock:
            original = await self.platform.documents.get(self._cdr_key(cdr_id))
            if original is None:
                return None
            if original.get("credit") is True:
                raise CreditRefused(f"CDR {original['id']} is a credit CDR itself")
            credit = self.build_credit_cdr(original)
            if await self.platform.documents.get(self._cdr_key(credit["id"])) is not None:
                raise CreditRefused(f"CDR {original['id']} was credited already ({credit['id']})")
            await self._store_cdr(credit)
            return credit

    def build_credit_cdr(self, original: dict[str, Any]) -> dict[str, Any]:
        """§10.1.1: the original repeated under an id of its own, credit=true, credit_reference_id
        its id, every cost amount negated; last_updated now (CDR-005)."""
        credit: dict[str, Any] = {**original, "id": f"{original['id']}{CREDIT_SUFFIX}",
                                  "credit": True, "credit_reference_id": original["id"],
                                  "last_updated": ocpi_datetime(self.now())}  # fmt: skip
        for name in COST_FIELDS:
            price = original.get(name)
            if isinstance(price, dict):  # excl_vat, incl_vat (§16.5); 0 stays 0, not -0.0
                credit[name] = {k: -v if isinstance(v, int | float) and v else v
                                for k, v in price.items()}  # fmt: skip
        if planted(self.platform, "credit_cdr_keeps_costs_positive"):
            credit.update({name: original[name] for name in COST_FIELDS if name in original})
        problems = contract.errors(credit, "CDR")
        assert problems == [], problems
        return credit

    async def stop_session(self, session_id: str) -> dict[str, Any] | None:
        """Stop (STOP_SESSION, unplug): COMPLETED and the CDR; None when not live."""
        async with self._lock:
            live = self.live.get(session_id.upper())
            if live is None:
                return None
            now = self.now()
            await self._tick_one(live, now)
            if live.id.upper() not in self.live:
                return None
            return await self._finish(live, now, "COMPLETED") or {}

    def live_session(self, session_id: str) -> LiveSession | None:
        return self.live.get(session_id.upper())

    async def start_charging(
        self,
        *,
        location_id: str,
        evse_uid: str,
        connector_id: str | None,
        token: dict[str, Any],
        auth_method: str,
        authorization_reference: str | None,
        energy_need: float | None = None,
    ) -> tuple[str, LiveSession | None]:
        """The charge point starts a session: (CommandResultType, session)."""
        async with self._lock:
            location = await self.catalogue.location(location_id)
            if location is None:
                return "REJECTED", None
            evse = next(
                (e for e in location.get("evses") or [] if e["uid"].upper() == evse_uid.upper()),
                None,
            )
            if evse is None:
                return "REJECTED", None
            connectors = evse.get("connectors") or []
            connector = (
                find_connector(evse, connector_id) if connector_id else (connectors or [None])[0]
            )
            if connector is None:
                return "REJECTED", None
            reserved = self._reservation_on(location_id, evse_uid)
            if reserved is not None:
                if reserved.doc["cdr_token"]["uid"].upper() != str(token["uid"]).upper():
                    return "EVSE_OCCUPIED", None
                await self._use_reservation(
                    reserved, connector, auth_method, authorization_reference
                )
                reserved.energy_need = energy_need
                return "ACCEPTED", reserved
            status = evse.get("status")
            if status in BUSY_STATUSES:
                return "EVSE_OCCUPIED", None
            if status not in FREE_STATUSES:
                return "EVSE_INOPERATIVE", None
            live = await self._open(
                location=location,
                evse=evse,
                connector=connector,
                token=token,
                auth_method=auth_method,
                authorization_reference=authorization_reference,
            )
            live.energy_need = energy_need
            return "ACCEPTED", live

    def _reservation_on(self, location_id: str, evse_uid: str) -> LiveSession | None:
        for live in self.live.values():
            if (
                live.status == "RESERVATION"
                and live.doc["location_id"].upper() == location_id.upper()
                and live.evse["uid"].upper() == evse_uid.upper()
            ):
                return live
        return None

    # --- reservations (§13.3.4, rules 48 and 76) -----------------------------------------------

    async def reserve(
        self,
        partner_id: str,
        body: dict[str, Any],
        evse_uid: str,
    ) -> str:
        """RESERVE_NOW at the charge point; the CommandResultType."""
        async with self._lock:
            key = (partner_id, body["location_id"].upper(), body["reservation_id"].upper())
            expiry = parse_ocpi_datetime(body["expiry_date"])
            existing = self.live.get(self.reservations.get(key, "").upper())
            if existing is not None and existing.reservation is not None:
                # Same reservation_id and Location: replace (§13.3.4).
                existing.reservation.expiry = expiry
                existing.reservation.response_url = body["response_url"]
                return "ACCEPTED"
            location = await self.catalogue.location(body["location_id"])
            if location is None:
                return "REJECTED"
            evse = next(
                (e for e in location.get("evses") or [] if e["uid"].upper() == evse_uid.upper()),
                None,
            )
            if evse is None:
                return "REJECTED"
            if evse.get("status") in BUSY_STATUSES:
                return "EVSE_OCCUPIED"
            if evse.get("status") not in FREE_STATUSES:
                return "EVSE_INOPERATIVE"
            reservation = Reservation(
                internal_id=f"R{next(self._reservation_numbers):08d}",
                partner_id=partner_id,
                reservation_id=body["reservation_id"],
                location_id=body["location_id"],
                response_url=body["response_url"],
                expiry=expiry,
            )
            live = await self._open(
                location=location,
                evse=evse,
                connector=None,
                token=body["token"],
                auth_method="COMMAND",
                authorization_reference=body.get("authorization_reference"),
                status="RESERVATION",
                reservation=reservation,
            )
            self.reservations[key] = live.id
            return "ACCEPTED"

    def reservation_session(
        self, partner_id: str, location_id: str | None, reservation_id: str
    ) -> LiveSession | None:
        for (partner, location, reserved), session_id in self.reservations.items():
            if (
                partner == partner_id
                and reserved == reservation_id.upper()
                and (location_id is None or location == location_id.upper())
            ):
                return self.live.get(session_id.upper())
        return None

    async def cancel_reservation(self, live: LiveSession, *, by_cpo: bool) -> bool:
        """End a reservation (COMPLETED, §9.1.4); the CPO's own cancel tells the eMSP (§13.1)."""
        async with self._lock:
            if live.status != "RESERVATION" or live.id.upper() not in self.live:
                return False
            reservation = live.reservation
            await self._finish(live, self.now(), "COMPLETED")
        if by_cpo and reservation is not None:
            self.spawn(
                self.post_result(
                    reservation.partner_id,
                    reservation.response_url,
                    {"result": "CANCELED_RESERVATION"},
                )
            )
        return True

    # --- swipes and real-time authorization (§12.2.2.2, §12.4.5, rule 70) ----------------------

    async def swipe(
        self,
        *,
        location_id: str,
        evse_uid: str,
        connector_id: str,
        token_uid: str,
        token_type: str,
        country_code: str | None = None,
        party_id: str | None = None,
        energy_need: float | None = None,
    ) -> SwipeOutcome:
        """An RFID swipe: whitelist or ask the token owner's eMSP, then start charging."""
        token = await self.tokens.find_token(token_uid, token_type)
        cached_invalid = token is not None and token.get("valid") is False
        if cached_invalid and planted(self.platform, "authorizes_from_cache_when_invalid"):
            return SwipeOutcome("BLOCKED")  # decided from the cache, whatever the whitelist says
        if token is not None and token.get("whitelist") in WHITELISTED and token.get("valid"):
            info: dict[str, Any] = {"allowed": "ALLOWED", "token": token}
            auth_method = "WHITELIST"
        elif token is not None and token.get("whitelist") == "ALWAYS":
            return SwipeOutcome("BLOCKED")  # always local: real-time authorization not allowed
        else:
            owner = (
                (token["country_code"], token["party_id"])
                if token is not None
                else ((country_code, party_id) if country_code and party_id else None)
            )
            answered = await self.authorize(token_uid, token_type, owner, location_id, evse_uid)
            if answered is None:
                if token is not None and token.get("whitelist") == "ALLOWED_OFFLINE":
                    info, auth_method = {"allowed": "ALLOWED", "token": token}, "WHITELIST"
                else:
                    return SwipeOutcome("NOT_ALLOWED")
            else:
                info, auth_method = answered, "AUTH_REQUEST"
        if info.get("allowed") != "ALLOWED":
            return SwipeOutcome(str(info.get("allowed")), auth_method)
        reference = info.get("authorization_reference")
        result, live = await self.start_charging(
            location_id=location_id,
            evse_uid=evse_uid,
            connector_id=connector_id,
            token=info["token"],
            auth_method=auth_method,
            authorization_reference=reference,
            energy_need=energy_need,
        )
        return SwipeOutcome(
            "ALLOWED" if live else result,
            auth_method,
            live.id if live else None,
            reference,
        )

    async def authorize(
        self,
        uid: str,
        token_type: str,
        owner: tuple[str, str] | None,
        location_id: str,
        evse_uid: str,
    ) -> dict[str, Any] | None:
        """POST {tokens}/{uid}/authorize?type= with LocationReferences to the owner's eMSP;
        the AuthorizationInfo, or None when nobody could answer (§12.2.2.2)."""
        body = {"location_id": location_id, "evse_uids": [evse_uid]}
        for partner in await self._token_owners(owner):
            base = endpoint(partner, "tokens", "SENDER")
            if base is None or partner.outbound_token is None:
                continue
            url = under(base, f"{uid}/authorize")
            try:
                response = await self.platform.http.post(
                    url,
                    params={"type": token_type},
                    json=body,
                    headers=request_headers(partner.outbound_token),
                )
                envelope = response.json()
            except (httpx.HTTPError, ValueError):
                logger.warning("real-time authorization at %s failed", url)
                continue
            data = envelope.get("data") if isinstance(envelope, dict) else None
            if response.status_code == 404 or envelope.get("status_code") == 2004:
                return {"allowed": "NOT_ALLOWED"}  # unknown token (§12.2.2.2)
            if contract.errors(data, "AuthorizationInfo"):
                logger.warning("real-time authorization at %s: no valid AuthorizationInfo", url)
                continue
            assert isinstance(data, dict)
            return data
        return None

    async def _token_owners(self, owner: tuple[str, str] | None) -> list[Partner]:
        partners = [
            p for p in await self.platform.registration.partners() if p.status == "registered"
        ]
        if owner is None:
            return partners
        wanted = (owner[0].upper(), owner[1].upper())
        return [
            p
            for p in partners
            if any(
                (str(r.get("country_code", "")).upper(), str(r.get("party_id", "")).upper())
                == wanted
                for r in p.roles
            )
        ]

    # --- asynchronous results -----------------------------------------------------------------

    def run_on_charge_point(
        self,
        evse_uid: str | None,
        partner_id: str,
        response_url: str,
        action: Callable[[], Awaitable[dict[str, Any] | None]],
        on_timeout: dict[str, Any] | None = None,
    ) -> None:
        """Forward to the charge point; POST what it answers to `response_url`. A charge point
        that does not answer yields `on_timeout` (CommandResult TIMEOUT) once the timeout
        has passed on the platform clock."""

        async def job() -> None:
            started = self.now()
            if evse_uid is not None and evse_uid.upper() in self.no_answer:
                await self.sleep_until(
                    started + timedelta(seconds=self.settings.command_timeout_seconds)
                )
                result: dict[str, Any] | None = on_timeout
            else:
                await asyncio.sleep(self.settings.charge_point_delay_seconds)
                result = await action()
            if result is not None:
                await self.post_result(partner_id, response_url, result)

        self.spawn(job())

    async def post_result(self, partner_id: str, url: str, body: dict[str, Any]) -> bool:
        """POST a result with the partner's token (§13.2.2, §14.2.2); no retry (§13.1)."""
        return await self._send(partner_id, "POST", url, body)

    async def _send(self, partner_id: str, method: str, url: str, body: dict[str, Any]) -> bool:
        partner = await self.platform.registration.partner(partner_id)
        if partner is None or partner.status != "registered" or partner.outbound_token is None:
            logger.warning("partner %s is not registered: not called back (§7.2.4)", partner_id)
            return False
        try:
            response = await self.platform.http.request(
                method, url, json=body, headers=request_headers(partner.outbound_token)
            )
        except httpx.HTTPError as exc:
            logger.warning("%s %s failed: %s", method, url, type(exc).__name__)
            return False
        return response.status_code < 300

    # --- charging profiles (§14) --------------------------------------------------------------

    def active_profile(self, live: LiveSession, duration: int | None = None) -> dict[str, Any]:
        """§14.6.1 ActiveChargingProfile from now: the set profile, else the EVSE maximum
        (rule 83)."""
        now = self.now()
        unit = "W"
        periods: list[dict[str, Any]] = []
        profile = live.profile
        if profile is not None and live.profile_start is not None:
            offset = int((now - live.profile_start).total_seconds())
            ordered = sorted(
                profile.get("charging_profile_period") or [], key=lambda p: p["start_period"]
            )
            current = [p for p in ordered if p["start_period"] <= offset]
            later = [p for p in ordered if p["start_period"] > offset]
            ends = profile.get("duration")
            if ends is None or offset < ends:
                unit = profile["charging_rate_unit"]
                if current:
                    periods.append({"start_period": 0, "limit": current[-1]["limit"]})
                periods += [
                    {"start_period": p["start_period"] - offset, "limit": p["limit"]} for p in later
                ]
        if not periods:
            unit = "W"
            capacity = 0.0 if planted(self.platform, "no_profile_shows_zero") else (
                evse_max_power_w(live.evse)
            )  # fmt: skip
            periods = [{"start_period": 0, "limit": round(capacity, 1)}]
        charging_profile: dict[str, Any] = {
            "start_date_time": ocpi_datetime(now),
            "charging_rate_unit": unit,
            "charging_profile_period": periods,
        }
        if duration is not None:
            charging_profile["duration"] = duration
        active = {"start_date_time": ocpi_datetime(now), "charging_profile": charging_profile}
        problems = contract.errors(active, "ActiveChargingProfile")
        assert problems == [], problems
        return active

    async def set_profile(
        self, live: LiveSession, partner_id: str, profile: dict[str, Any]
    ) -> None:
        async with self._lock:
            now = self.now()
            await self._tick_one(live, now)
            live.profile = profile
            live.profile_start = (
                parse_ocpi_datetime(profile["start_date_time"])
                if profile.get("start_date_time")
                else now
            )
            live.profile_partner = partner_id
            live.profile_ever_set = True
            live.new_period = True

    async def clear_profile(self, live: LiveSession) -> bool:
        async with self._lock:
            if live.profile is None:
                return False
            await self._tick_one(live, self.now())
            live.profile = None
            live.profile_start = None
            live.new_period = True
            return True

    async def push_active_profile(self, live: LiveSession) -> bool:
        """PUT the ActiveChargingProfile to the Sender's endpoint, only after a successful set
        (rule 82)."""
        if not live.profile_ever_set or live.profile_partner is None:
            return False
        partner = await self.platform.registration.partner(live.profile_partner)
        base = endpoint(partner, "chargingprofiles", "SENDER") if partner else None
        if base is None:
            return False
        url = under(base, live.id)
        return await self._send(live.profile_partner, "PUT", url, self.active_profile(live))


def owned_by(partner: Partner, session: dict[str, Any]) -> bool:
    """Whether the session's token belongs to one of the partner's roles (§13.4.1 REJECTED)."""
    token = session["cdr_token"]
    wanted = (str(token["country_code"]).upper(), str(token["party_id"]).upper())
    return any(
        (str(r.get("country_code", "")).upper(), str(r.get("party_id", "")).upper()) == wanted
        for r in partner.roles
    )


def endpoint(partner: Partner | None, identifier: str, role: str) -> str | None:
    """A module URL from the partner's version details (§6.2.2)."""
    for entry in (partner.endpoints if partner else None) or []:
        if entry.get("identifier") == identifier and entry.get("role") == role:
            return entry.get("url")
    return None
