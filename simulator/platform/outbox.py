"""The durable outbox: pushes to partners written in the same transaction as the change.

`publish` enqueues; `OutboxWorker` drains it (retries with backoff, per-object order, several
workers on PostgreSQL via `FOR UPDATE SKIP LOCKED`, one per database on SQLite).

Guarantees, as implemented: an event is marked delivered only after the partner answered HTTP
2xx with an OCPI status 1xxx, so nothing committed is lost when the process stops; a stop
between the partner's answer and the mark (or a request that timed out after the partner
processed it) means the event is sent again: delivery is at least once, and partners must
treat a repeated PUT/PATCH/DELETE as idempotent. Per (partner_id, object_key), events are
delivered in `id` order, one at a time; `id` is the publishing order as long as a publisher
locks the object (writes it) before publishing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import ColumnElement, Select, Table, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from simulator.platform.clock import Clock
from simulator.platform.database import Database
from simulator.platform.documents import OWN, Documents, Key
from simulator.platform.partner_client import request_headers, under
from simulator.platform.planted import planted_in
from simulator.platform.settings import PartySettings
from simulator.platform.tables import OutboxEvent, Partner


class Outbox:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def publish(
        self,
        session: AsyncSession,
        *,
        module: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        object_key: str,
    ) -> int:
        """Queue one event per registered partner whose version details publish `module` as
        RECEIVER; returns how many. `path` is appended to that partner's endpoint URL (`""`
        for a CDR POST, `/NL/PLF/LOC1` for a Location PUT). Call inside the changing
        transaction, so the change and its pushes commit together or not at all.
        """
        partners = (
            await session.scalars(select(Partner).where(Partner.status == "registered"))
        ).all()
        now = self._clock.now()
        payload = None if body is None else json.dumps(body, separators=(",", ":"))
        queued = 0
        for partner in partners:
            if not any(
                e.get("identifier") == module and e.get("role") == "RECEIVER"
                for e in partner.endpoints
            ):
                continue
            session.add(
                OutboxEvent(
                    partner_id=partner.id,
                    module=module,
                    method=method,
                    path=path,
                    body=payload,
                    object_key=object_key,
                    created_at=now,
                    attempts=0,
                    next_attempt_at=now,
                )
            )
            queued += 1
        return queued


# --- delivery --------------------------------------------------------------------------------

logger = logging.getLogger(__name__)

_MAX_ERROR = 500
_MAX_LOCATION = 500


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the worker retries and claims (see `PartySettings.outbox_*`).

    After the n-th failed attempt the next one is due after `initial * 2**(n-1)` seconds, capped
    at `max`, shortened by a random fraction up to `jitter` so that retries to one partner
    spread out. A claim holds an event for `lease_seconds`; one send is bounded by
    `request_timeout_seconds`, which must stay well inside the lease (at most half of it), or a
    second worker could deliver the same event while the first is still waiting.
    """

    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    backoff_jitter: float = 0.2
    lease_seconds: float = 60.0
    batch_size: int = 50
    request_timeout_seconds: float = 10.0
    poll_interval_seconds: float = 0.5

    planted_faults: frozenset[str] = frozenset()  # simulator/platform/planted.py

    def __post_init__(self) -> None:
        if self.request_timeout_seconds * 2 > self.lease_seconds:
            raise ValueError("outbox lease must be at least twice the request timeout")
        if not 0 <= self.backoff_jitter < 1 or self.backoff_initial_seconds <= 0:
            raise ValueError("outbox backoff needs initial > 0 and 0 <= jitter < 1")

    @classmethod
    def from_settings(cls, settings: PartySettings) -> DeliveryPolicy:
        return cls(
            backoff_initial_seconds=settings.outbox_backoff_initial_seconds,
            backoff_max_seconds=settings.outbox_backoff_max_seconds,
            backoff_jitter=settings.outbox_backoff_jitter,
            lease_seconds=settings.outbox_lease_seconds,
            batch_size=settings.outbox_batch_size,
            request_timeout_seconds=settings.http_timeout_seconds,
            poll_interval_seconds=settings.outbox_poll_interval_seconds,
            planted_faults=settings.planted_faults,
        )

    def backoff_seconds(self, failures: int, rand: float) -> float:
        """The delay after `failures` (>= 1) failed attempts; `rand` in [0, 1) draws the jitter."""
        exponent = min(max(failures - 1, 0), 60)
        delay = min(self.backoff_max_seconds, self.backoff_initial_seconds * 2.0**exponent)
        return delay * (1.0 - self.backoff_jitter * rand)


@dataclass(frozen=True)
class _Claim:
    """An event this worker holds until `lease_until` (the value it wrote as next_attempt_at)."""

    id: int
    partner_id: str
    module: str
    method: str
    path: str
    body: str | None
    attempts: int
    lease_until: datetime


class _Undeliverable(Exception):
    """The event cannot be sent now (partner gone, no RECEIVER endpoint, no token)."""


def _undelivered() -> ColumnElement[bool]:
    return OutboxEvent.delivered_at.is_(None)


_CANDIDATE = aliased(OutboxEvent, name="candidate")
_EARLIER = aliased(OutboxEvent, name="earlier")


def _due(now: datetime, limit: int) -> Select[int]:
    """Ids of events due at `now` that no earlier undelivered event of the same (partner,
    object) holds back, oldest first."""
    candidate, earlier = _CANDIDATE, _EARLIER
    blocked = (
        select(earlier.id)
        .where(
            earlier.partner_id == candidate.partner_id,
            earlier.object_key == candidate.object_key,
            earlier.delivered_at.is_(None),
            earlier.id < candidate.id,
        )
        .exists()
    )
    return (
        select(candidate.id)
        .where(candidate.delivered_at.is_(None), candidate.next_attempt_at <= now, ~blocked)
        .order_by(candidate.id)
        .limit(limit)
    )


# What to PUT instead of a PATCH the partner answered 404: (path below the module, JSON), or None.
Resync = Callable[["_Claim"], Awaitable[tuple[str, str] | None]]
# The modules whose pushes PATCH, and the document kind of their objects (§4.1.4).
_PATCHED = {"locations": "location", "sessions": "session", "tokens": "token"}


def full_object(database: Database) -> Resync:
    """The `Resync` of our parties: the stored object a push path points at (`/{cc}/{pid}/{id}`,
    below it an EVSE or Connector; Tokens with `?type=`), as a PUT of the whole object."""
    documents = Documents(database)

    async def resolve(claim: _Claim) -> tuple[str, str] | None:
        kind = _PATCHED.get(claim.module)
        parts = urlsplit(claim.path)
        segments = parts.path.strip("/").split("/")
        if kind is None or len(segments) < 3:
            return None
        cc, pid, object_id = segments[:3]
        variant = parse_qs(parts.query).get("type", [""])[0] if kind == "token" else ""
        stored = await documents.get(Key(kind, OWN, cc, pid, object_id, variant))
        if stored is None:
            return None
        query = f"?{urlencode({'type': variant})}" if variant else ""
        body = json.dumps(stored, separators=(",", ":"), ensure_ascii=False)
        return f"/{cc}/{pid}/{object_id}{query}", body

    return resolve


class OutboxWorker:
    """Delivers due outbox events to partners: at least once, in `id` order per object.

    One round claims up to `batch_size` due events in one short write transaction (an UPDATE
    setting `next_attempt_at` to the end of a lease; on PostgreSQL its candidate rows are picked
    with `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim the same event), sends them
    concurrently outside any transaction, then marks them all in one transaction: delivered
    after HTTP 2xx with an OCPI status 1xxx, otherwise failed with the next attempt after the
    backoff. An event whose worker dies between claim and mark is claimed again once the lease
    ends, so a partner may receive an event twice (at-least-once), never zero times. An event is
    not claimed while an earlier undelivered event exists for the same (partner_id, object_key),
    so a partner sees one object's changes in publication order. On SQLite run one worker per
    database.
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        http: httpx.AsyncClient,
        policy: DeliveryPolicy | None = None,
        *,
        rand: Callable[[], float] = random.random,
        resync: Resync | None = None,
    ) -> None:
        self._database = database
        self._resync = resync
        self._clock = clock
        self._http = http
        self.policy = policy or DeliveryPolicy()
        self._rand = rand

    async def run_once(self) -> int:
        """Deliver every event due now (successors freed on the way included); how many."""
        delivered = 0
        while True:
            claims, partners = await self._claim()
            if not claims:
                return delivered
            outcomes = await asyncio.gather(
                *(self._deliver(claim, partners.get(claim.partner_id)) for claim in claims)
            )
            await self._record(outcomes)
            delivered += sum(1 for outcome in outcomes if outcome.error is None)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll every `poll_interval_seconds` until `stop` is set; errors are logged, not fatal."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                logger.exception("outbox delivery round failed; retrying after the poll interval")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.policy.poll_interval_seconds):
                    await stop.wait()

    async def _claim(self) -> tuple[list[_Claim], dict[str, Partner]]:
        now = self._clock.now()
        # A read first: idle polls then take no write lock (SQLite has one for the whole file).
        async with self._database.transaction() as session:
            if await session.scalar(_due(now, 1)) is None:
                return [], {}
        lease_until = now + timedelta(seconds=self.policy.lease_seconds)
        picked = _due(now, self.policy.batch_size).with_for_update(
            skip_locked=True, of=_CANDIDATE
        )  # FOR UPDATE ... SKIP LOCKED on PostgreSQL; SQLite ignores it
        # One statement: atomic on SQLite too, where a read upgraded to a write may fail.
        claim = (
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(picked.scalar_subquery()))
            .values(next_attempt_at=lease_until, last_error=None)
            .returning(
                OutboxEvent.id,
                OutboxEvent.partner_id,
                OutboxEvent.module,
                OutboxEvent.method,
                OutboxEvent.path,
                OutboxEvent.body,
                OutboxEvent.attempts,
            )
            .execution_options(synchronize_session=False)
        )
        async with self._database.transaction() as session:
            rows = (await session.execute(claim)).all()
            partner_ids = {row.partner_id for row in rows}
            partners = (
                {
                    p.id: p
                    for p in await session.scalars(
                        select(Partner).where(Partner.id.in_(partner_ids))
                    )
                }
                if partner_ids
                else {}
            )
        claims = sorted(
            (
                _Claim(
                    r.id, r.partner_id, r.module, r.method, r.path, r.body, r.attempts, lease_until
                )
                for r in rows
            ),
            key=lambda c: c.id,
        )
        return claims, partners

    async def _deliver(self, claim: _Claim, partner: Partner | None) -> _Outcome:
        """Send one claimed event; what happened (recorded for the whole round by `_record`)."""
        location: str | None = None
        try:
            url, token = _target(claim, partner)
            headers = request_headers(token)
            if planted_in(self.policy.planted_faults, "push_token_not_base64"):
                headers["Authorization"] = f"Token {token}"
            if planted_in(self.policy.planted_faults, "push_request_id_reused"):
                headers["X-Request-ID"] = f"push-{claim.partner_id}"
            content = None if claim.body is None else claim.body.encode()
            if content is not None:
                headers["Content-Type"] = "application/json"
            response = await self._send(claim.method, url, content, headers)
            error = _refusal(response)
            if error is not None and claim.method == "PATCH" and response.status_code == 404:
                # §4.1.4: a PATCH the partner cannot apply (it never got the object) is followed
                # by a PUT of the whole object, as stored now (it holds this change and all
                # before it), so that later changes are no longer held back behind this one.
                replacement = None if self._resync is None else await self._resync(claim)
                if replacement is not None:
                    path, body = replacement
                    put_url = url.removesuffix(claim.path) + path
                    ids = request_headers(token)  # TRANS-018: a request of its own, own ids
                    resend = headers | {k: v for k, v in ids.items() if k != "Authorization"}
                    response = await self._send("PUT", put_url, body.encode(), resend)
                    error = _refusal(response)
            if error is None and claim.module == "cdrs" and claim.method == "POST":
                location = (response.headers.get("location") or "")[:_MAX_LOCATION] or None
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            error = f"no answer within {self.policy.request_timeout_seconds:g} s"
        except _Undeliverable as exc:
            error = str(exc)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        if error is not None:
            logger.info(
                "outbox event %s to partner %s failed: %s", claim.id, claim.partner_id, error
            )
        return _Outcome(claim, error, location)

    async def _send(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str]
    ) -> httpx.Response:
        async with asyncio.timeout(self.policy.request_timeout_seconds):
            return await self._http.request(method, url, content=content, headers=headers)

    async def _record(self, outcomes: Sequence[_Outcome]) -> None:
        """Mark a round's events in one transaction (one write lock on SQLite, not one per
        event): delivered, or failed with the next attempt after the backoff. A worker that dies
        before this leaves its claims to lapse: they are sent again (at-least-once)."""
        now = self._clock.now()
        delivered = [
            {"event_id": o.claim.id, "location": o.location} for o in outcomes if o.error is None
        ]
        failed = []
        for outcome in outcomes:
            if outcome.error is not None:
                failures = outcome.claim.attempts + 1
                delay = self.policy.backoff_seconds(failures, self._rand())
                failed.append({
                    "event_id": outcome.claim.id,
                    "lease_until": outcome.claim.lease_until,
                    "failures": failures,
                    "next_attempt": now + timedelta(seconds=delay),
                    "error": outcome.error[:_MAX_ERROR],
                })  # fmt: skip
        async with self._database.transaction() as session:
            if delivered:
                await session.execute(_MARK_DELIVERED.values(delivered_at=now), delivered)
            if failed:
                await session.execute(_MARK_FAILED, failed)


@dataclass(frozen=True)
class _Outcome:
    claim: _Claim
    error: str | None  # None: delivered
    location: str | None  # a CDR POST's Location header


_EVENTS = cast(Table, OutboxEvent.__table__)
_MARK_DELIVERED = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("event_id"), _EVENTS.c.delivered_at.is_(None))
    .values(
        attempts=_EVENTS.c.attempts + 1,
        last_error=None,
        response_location=bindparam("location"),
    )
)
# Only while our claim holds: once the lease ran out the event is another worker's.
_MARK_FAILED = (
    update(_EVENTS)
    .where(
        _EVENTS.c.id == bindparam("event_id"),
        _EVENTS.c.delivered_at.is_(None),
        _EVENTS.c.next_attempt_at == bindparam("lease_until"),
    )
    .values(
        attempts=bindparam("failures"),
        next_attempt_at=bindparam("next_attempt"),
        last_error=bindparam("error"),
    )
)


def _target(claim: _Claim, partner: Partner | None) -> tuple[str, str]:
    """The URL (the partner's RECEIVER endpoint of the module + path) and our token for it."""
    if partner is None or partner.status != "registered":
        raise _Undeliverable(f"partner {claim.partner_id} is not registered")
    if not partner.outbound_token:
        raise _Undeliverable(f"no token to call partner {claim.partner_id}")
    base = next(
        (
            e.get("url")
            for e in partner.endpoints
            if e.get("identifier") == claim.module and e.get("role") == "RECEIVER"
        ),
        None,
    )
    if not base:
        raise _Undeliverable(f"partner {claim.partner_id} publishes no {claim.module} RECEIVER")
    return under(base, claim.path), partner.outbound_token


def _refusal(response: httpx.Response) -> str | None:
    """None when the partner accepted (HTTP 2xx, OCPI 1xxx); otherwise why not."""
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    status = envelope.get("status_code") if isinstance(envelope, dict) else None
    accepted = isinstance(status, int) and 1000 <= status <= 1999
    if response.is_success and accepted:
        return None
    return f"HTTP {response.status_code}, OCPI {status}"


# --- state, for the admin API and /metrics -------------------------------------------------


@dataclass(frozen=True)
class OutboxCounts:
    """Events by state; the states partition the table. `pending`: never attempted yet (or the
    first attempt is in flight); `failing`: undelivered after at least one failed attempt.
    `oldest_undelivered_seconds`: age of the oldest pending or failing event (0 if none)."""

    pending: int = 0
    delivered: int = 0
    failing: int = 0
    oldest_undelivered_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "delivered": self.delivered,
            "failing": self.failing,
            "oldest_undelivered_seconds": self.oldest_undelivered_seconds,
        }


@dataclass(frozen=True)
class OutboxState:
    """Counts over all partners and per partner id."""

    total: OutboxCounts
    partners: dict[str, OutboxCounts]


async def outbox_state(database: Database, now: datetime) -> OutboxState:
    """Counts by state, overall and per partner, in one grouped query."""
    state = case(
        (OutboxEvent.delivered_at.is_not(None), "delivered"),
        (OutboxEvent.attempts > 0, "failing"),
        else_="pending",
    ).label("state")
    query = select(
        OutboxEvent.partner_id, state, func.count(), func.min(OutboxEvent.created_at)
    ).group_by(OutboxEvent.partner_id, state)
    async with database.transaction() as session:
        rows = (await session.execute(query)).all()
    tallies: dict[str, dict[str, int]] = {}
    oldest: dict[str, datetime] = {}
    for partner_id, name, count, first in rows:
        tallies.setdefault(partner_id, {})[name] = count
        if name != "delivered" and first is not None:
            oldest[partner_id] = min(first, oldest.get(partner_id, first))

    def counts(tally: dict[str, int], first: datetime | None) -> OutboxCounts:
        age = 0.0 if first is None else max((now - first).total_seconds(), 0.0)
        return OutboxCounts(
            tally.get("pending", 0), tally.get("delivered", 0), tally.get("failing", 0), age
        )

    partners = {pid: counts(tally, oldest.get(pid)) for pid, tally in sorted(tallies.items())}
    total: dict[str, int] = {}
    for tally in tallies.values():
        for name, count in tally.items():
            total[name] = total.get(name, 0) + count
    return OutboxState(counts(total, min(oldest.values(), default=None)), partners)


async def recent_events(database: Database, limit: int) -> list[dict[str, Any]]:
    """The latest `limit` events, newest first, without their bodies."""
    query = select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(limit)
    async with database.transaction() as session:
        events = (await session.scalars(query)).all()

    def stamp(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    return [
        {
            "id": e.id,
            "partner_id": e.partner_id,
            "module": e.module,
            "method": e.method,
            "path": e.path,
            "object_key": e.object_key,
            "attempts": e.attempts,
            "created_at": stamp(e.created_at),
            "next_attempt_at": stamp(e.next_attempt_at),
            "delivered_at": stamp(e.delivered_at),
            "last_error": e.last_error,
            "response_location": e.response_location,
        }
        for e in events
    ]


async def retry_failing(database: Database, now: datetime) -> int:
    """Make every failing event due now; how many. An event whose attempt is in flight (its
    claim cleared `last_error`) is left alone, so this never causes a concurrent duplicate."""
    async with database.transaction() as session:
        result = await session.execute(
            update(OutboxEvent)
            .where(
                _undelivered(),
                OutboxEvent.attempts > 0,
                OutboxEvent.last_error.is_not(None),
                OutboxEvent.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
    return _rowcount(result)


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count
