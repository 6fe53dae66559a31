"""The outbox worker: retries with backoff, per-object order, leases, several workers, admin and
metrics. A receiver app on loopback plays the eMSP and can be down, failing, slow or hanging."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, post, route
from litestar.params import FromPath
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from simulator.platform.clock import FakeClock
from simulator.platform.database import Database
from simulator.platform.migrate import upgrade_async
from simulator.platform.observability import render_metrics
from simulator.platform.outbox import (
    DeliveryPolicy,
    Outbox,
    OutboxCounts,
    OutboxWorker,
    outbox_state,
    retry_failing,
)
from simulator.platform.tables import OutboxEvent, Partner
from simulator.platform.tokens_codec import encode_header
from tests.simulator.conftest import ADMIN_TOKEN, LoopbackServer, StartCpo, free_port

TOKEN = "outbound-token-for-the-emsp"
PARTNER = "partner-1"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


# --- the receiving eMSP ------------------------------------------------------------------------


@dataclass
class Receiver:
    """What the eMSP does (`mode`) and what it saw. `accepted` holds (path, seq) of every request
    it processed, in arrival order; `seen` every request's seq, refused ones included."""

    mode: str = "up"  # up | failing | ocpi_error | slow | hang
    slow_seconds: float = 0.2
    accepted: list[tuple[str, int]] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    authorizations: set[str] = field(default_factory=set)
    release: threading.Event = field(default_factory=threading.Event)

    def accepted_seqs(self) -> Counter[int]:
        return Counter(seq for _, seq in self.accepted)


def _answer(
    status_code: int, http: int = 200, headers: dict[str, str] | None = None
) -> Response[Any]:
    body = {"status_code": status_code, "timestamp": "2026-01-01T00:00:00Z"}
    return Response(body, status_code=http, headers=headers)


def receiver_app(receiver: Receiver, url: str) -> Litestar:
    async def handle(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await request.json()
        seq = int(body["seq"])
        path = request.url.path
        receiver.seen.append(seq)
        receiver.authorizations.add(request.headers.get("authorization", ""))
        if receiver.mode == "failing":
            return _answer(3000, http=503)
        if receiver.mode == "ocpi_error":
            return _answer(2001)
        if receiver.mode == "slow":
            await asyncio.sleep(receiver.slow_seconds)
        receiver.accepted.append((path, seq))
        if receiver.mode == "hang":  # processed, but the answer comes late (or never)
            await asyncio.to_thread(receiver.release.wait, 10)
        location = {"Location": f"{url}/cdrs/{seq}"} if path == "/cdrs" else None
        return _answer(1000, headers=location)

    @route("/locations/{rest:path}", http_method=["PUT", "PATCH"])
    async def locations(request: Request[Any, Any, Any], rest: FromPath[str]) -> Response[Any]:
        return await handle(request)

    @post("/cdrs", status_code=201)
    async def cdrs(request: Request[Any, Any, Any]) -> Response[Any]:
        return await handle(request)

    return Litestar([locations, cdrs])


class ReceiverHost:
    """The receiver on a fixed loopback port that can be stopped (connection refused) and
    started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = Receiver()
        self.server: LoopbackServer | None = None

    def up(self) -> None:
        if self.server is None:
            self.server = LoopbackServer(receiver_app(self.state, self.url), self.port)
            self.server.start()

    def down(self) -> None:
        if self.server is not None:
            self.state.release.set()
            self.server.stop()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[ReceiverHost]:
    host = ReceiverHost()
    yield host
    host.down()


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


POLICY = DeliveryPolicy(
    backoff_initial_seconds=1, backoff_max_seconds=20, lease_seconds=30, request_timeout_seconds=2
)


def endpoints(url: str) -> list[dict[str, str]]:
    return [
        {"identifier": "credentials", "role": "RECEIVER", "url": f"{url}/credentials"},
        {"identifier": "locations", "role": "RECEIVER", "url": f"{url}/locations"},
        {"identifier": "cdrs", "role": "RECEIVER", "url": f"{url}/cdrs"},
    ]


async def add_partner(database: Database, clock: FakeClock, url: str) -> None:
    async with database.transaction() as session:
        session.add(
            Partner(
                id=PARTNER,
                status="registered",
                initiated_by="partner",
                versions_url=f"{url}/versions",
                version="2.2.1",
                endpoints=endpoints(url),
                roles=[],
                outbound_token=TOKEN,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )


async def publish_locations(
    database: Database, clock: FakeClock, objects: list[str], versions: int, first_seq: int = 1
) -> dict[str, list[int]]:
    """PUT each object `versions` times, interleaved, one transaction per round; the seqs per
    object in publication order."""
    outbox = Outbox(clock)
    order: dict[str, list[int]] = {f"/locations/NL/PLF/{o}": [] for o in objects}
    seq = first_seq
    for _ in range(versions):
        async with database.transaction() as session:
            for obj in objects:
                path = f"/NL/PLF/{obj}"
                queued = await outbox.publish(
                    session,
                    module="locations",
                    method="PUT",
                    path=path,
                    body={"id": obj, "seq": seq},
                    object_key=f"location:NL:PLF:{obj}",
                )
                assert queued == 1
                order[f"/locations{path}"].append(seq)
                seq += 1
    return order


async def events(database: Database) -> list[OutboxEvent]:
    async with database.transaction() as session:
        return list((await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all())


def delivered_order(receiver: Receiver) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for path, seq in receiver.accepted:
        order.setdefault(path, []).append(seq)
    return order


async def wait_until(predicate: Any, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


# --- delivery ----------------------------------------------------------------------------------


async def test_every_event_arrives_once_in_order_after_down_failing_slow_up(
    database: Database, clock: FakeClock, http: httpx.AsyncClient, receiver: ReceiverHost
) -> None:
    await add_partner(database, clock, receiver.url)
    expected = await publish_locations(database, clock, ["LOC1", "LOC2", "LOC3"], versions=4)
    async with database.transaction() as session:
        await Outbox(clock).publish(
            session, module="cdrs", method="POST", path="", body={"id": "CDR1", "seq": 100},
            object_key="cdr:NL:PLF:CDR1",
        )  # fmt: skip
    expected["/cdrs"] = [100]
    worker = OutboxWorker(database, clock, http, POLICY)

    # Down: connection refused. Only the first event of each object is attempted.
    assert await worker.run_once() == 0
    rows = await events(database)
    heads = {r.id for r in rows if r.attempts > 0}
    assert len(heads) == 4
    assert all("ConnectError" in (r.last_error or "") for r in rows if r.id in heads)
    state = await outbox_state(database, clock.now())
    assert (state.total.pending, state.total.failing, state.total.delivered) == (9, 4, 0)
    assert state.partners[PARTNER] == state.total

    # Failing: HTTP 503 / OCPI 3000; then HTTP 200 with an OCPI error. Not due yet: untouched.
    receiver.up()
    receiver.state.mode = "failing"
    assert await worker.run_once() == 0
    assert receiver.state.seen == []
    clock.advance(POLICY.backoff_seconds(1, 0.0))
    assert await worker.run_once() == 0
    assert sorted(receiver.state.seen) == [1, 2, 3, 100]
    assert {r.last_error for r in await events(database) if r.attempts} == {"HTTP 503, OCPI 3000"}
    receiver.state.mode = "ocpi_error"
    clock.advance(POLICY.backoff_seconds(2, 0.0))
    assert await worker.run_once() == 0
    assert {r.last_error for r in await events(database) if r.attempts} == {"HTTP 200, OCPI 2001"}
    assert {r.attempts for r in await events(database) if r.attempts} == {3}
    assert receiver.state.accepted == []

    # Slow (within the timeout): everything goes, each object's events in order.
    receiver.state.mode = "slow"
    clock.advance(POLICY.backoff_seconds(3, 0.0))
    assert await worker.run_once() == 13
    # Back up, with more changes: only the new events go.
    receiver.state.mode = "up"
    more = await publish_locations(database, clock, ["LOC1", "LOC4"], versions=2, first_seq=200)
    assert await worker.run_once() == 4
    assert await worker.run_once() == 0

    for path, seqs in more.items():
        expected.setdefault(path, []).extend(seqs)
    assert delivered_order(receiver.state) == expected
    assert set(receiver.state.accepted_seqs().values()) == {1}
    assert receiver.state.authorizations == {encode_header(TOKEN)}
    rows = await events(database)
    assert all(r.delivered_at is not None and r.last_error is None for r in rows)
    cdr = next(r for r in rows if r.module == "cdrs")
    assert cdr.response_location == f"{receiver.url}/cdrs/100"
    assert all(r.response_location is None for r in rows if r.module != "cdrs")
    state = await outbox_state(database, clock.now())
    assert state.total == OutboxCounts(pending=0, delivered=17, failing=0)


async def test_backoff_doubles_with_jitter_up_to_the_cap(
    database: Database, clock: FakeClock, http: httpx.AsyncClient
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    await add_partner(database, clock, nobody)
    await publish_locations(database, clock, ["LOC1"], versions=1)
    worker = OutboxWorker(database, clock, http, POLICY)
    delays = []
    for failures in range(1, 9):
        assert await worker.run_once() == 0
        (row,) = await events(database)
        assert row.attempts == failures
        delay = (row.next_attempt_at - clock.now()).total_seconds()
        nominal = min(2.0 ** (failures - 1), POLICY.backoff_max_seconds)
        assert nominal * (1 - POLICY.backoff_jitter) <= delay <= nominal, (failures, delay)
        delays.append(delay)
        # Not due a moment before: no attempt.
        clock.set(row.next_attempt_at - timedelta(milliseconds=1))
        assert await worker.run_once() == 0
        assert (await events(database))[0].attempts == failures
        clock.set(row.next_attempt_at)
    assert delays[:5] == sorted(delays[:5])
    assert delays[-1] <= POLICY.backoff_max_seconds


def test_backoff_formula() -> None:
    policy = DeliveryPolicy(backoff_initial_seconds=1, backoff_max_seconds=300, backoff_jitter=0.2)
    assert [policy.backoff_seconds(n, 0.0) for n in (1, 2, 3, 9, 10, 1000)] == [
        1, 2, 4, 256, 300, 300,
    ]  # fmt: skip
    assert policy.backoff_seconds(3, 0.5) == pytest.approx(4 * 0.9)
    with pytest.raises(ValueError, match="lease"):
        DeliveryPolicy(lease_seconds=10, request_timeout_seconds=10)


async def test_a_worker_killed_mid_delivery_is_redelivered_after_the_lease(
    database: Database, clock: FakeClock, receiver: ReceiverHost
) -> None:
    """The partner processed the request but the worker died before marking it: the event is
    sent again once the lease ends (at least once), and its successor still waits its turn."""
    await add_partner(database, clock, receiver.url)
    await publish_locations(database, clock, ["LOC1"], versions=2)
    receiver.up()
    receiver.state.mode = "hang"
    async with httpx.AsyncClient() as first_http:
        first = OutboxWorker(database, clock, first_http, POLICY)
        task = asyncio.create_task(first.run_once())
        await wait_until(lambda: receiver.state.seen == [1])
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    head, _successor = await events(database)
    assert head.delivered_at is None
    assert head.attempts == 0
    assert head.next_attempt_at == clock.now() + timedelta(seconds=POLICY.lease_seconds)

    receiver.state.mode = "up"
    receiver.state.release.set()
    async with httpx.AsyncClient() as second_http:
        restarted = OutboxWorker(database, clock, second_http, POLICY)
        assert await restarted.run_once() == 0  # leased, and the successor is blocked behind it
        assert receiver.state.seen == [1]
        clock.advance(POLICY.lease_seconds)
        assert await restarted.run_once() == 2
    assert [seq for _, seq in receiver.state.accepted] == [1, 1, 2]
    assert all(r.delivered_at is not None for r in await events(database))


async def test_an_unregistered_partner_is_not_called(
    database: Database, clock: FakeClock, http: httpx.AsyncClient, receiver: ReceiverHost
) -> None:
    await add_partner(database, clock, receiver.url)
    await publish_locations(database, clock, ["LOC1"], versions=1)
    async with database.transaction() as session:
        partner = await session.get(Partner, PARTNER)
        assert partner is not None
        partner.status = "unregistered"
    receiver.up()
    assert await OutboxWorker(database, clock, http, POLICY).run_once() == 0
    (row,) = await events(database)
    assert row.last_error == f"partner {PARTNER} is not registered"
    assert receiver.state.seen == []


async def test_retry_makes_failing_events_due_now(
    database: Database, clock: FakeClock, http: httpx.AsyncClient
) -> None:
    await add_partner(database, clock, f"http://127.0.0.1:{free_port()}")
    await publish_locations(database, clock, ["LOC1", "LOC2"], versions=2)
    assert await OutboxWorker(database, clock, http, POLICY).run_once() == 0
    assert await retry_failing(database, clock.now()) == 2
    assert sorted(r.next_attempt_at == clock.now() for r in await events(database)) == [
        True, True, True, True,
    ]  # fmt: skip
    assert await retry_failing(database, clock.now()) == 0


async def test_concurrent_workers_deliver_each_event_exactly_once(
    database_url: str, clock: FakeClock, receiver: ReceiverHost
) -> None:
    """PostgreSQL: claims with FOR UPDATE SKIP LOCKED; four workers, each with its own engine,
    race over 200 events (50 objects, 4 versions each)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite: one worker per database is the supported mode")
    await upgrade_async(database_url)
    databases = [Database(database_url) for _ in range(4)]
    try:
        await add_partner(databases[0], clock, receiver.url)
        objects = [f"LOC{n}" for n in range(50)]
        expected = await publish_locations(databases[0], clock, objects, versions=4)
        receiver.up()
        policy = DeliveryPolicy(batch_size=5, lease_seconds=30, request_timeout_seconds=5)
        async with contextlib.AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(httpx.AsyncClient()) for _ in databases]
            counts = await asyncio.gather(
                *(
                    OutboxWorker(db, clock, client, policy).run_once()
                    for db, client in zip(databases, clients, strict=True)
                )
            )
        assert sum(counts) == 200
        assert sum(1 for n in counts if n) >= 2, counts  # the workers really competed
        assert receiver.state.accepted_seqs() == Counter(range(1, 201))
        assert delivered_order(receiver.state) == expected
        assert (await outbox_state(databases[0], clock.now())).total.delivered == 200
    finally:
        for db in databases:
            await db.dispose()


# --- the app: lifespan worker, admin API, metrics ------------------------------------------------


def gauges(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_the_app_delivers_in_the_background_and_reports(
    start_cpo: StartCpo, database_url: str, receiver: ReceiverHost
) -> None:
    receiver.up()
    cpo = start_cpo(
        database_url, outbox_poll_interval_seconds=0.05, outbox_backoff_initial_seconds=60
    )
    database, fake = cpo.platform.database, cpo.clock
    await cpo.call(add_partner(database, fake, receiver.url))
    await cpo.call(publish_locations(database, fake, ["LOC1"], versions=3))
    await wait_until(lambda: len(receiver.state.accepted) == 3)
    assert [seq for _, seq in receiver.state.accepted] == [1, 2, 3]

    # A partner that fails: the event stays failing (backoff 48..60 s) until retried.
    receiver.state.mode = "failing"
    await cpo.call(publish_locations(database, fake, ["LOC2"], versions=1, first_seq=4))
    await wait_until(lambda: receiver.state.seen.count(4) == 1)
    async with httpx.AsyncClient(base_url=cpo.url) as client:

        async def outbox() -> dict[str, Any]:
            response = await client.get("/admin/outbox", params={"limit": 2}, headers=ADMIN)
            assert response.status_code == 200
            body: dict[str, Any] = response.json()
            return body

        async def settled(attempts: int, delivered: int) -> dict[str, Any]:
            """The listing once event 4 was attempted that often (its mark written)."""
            deadline = time.monotonic() + 10
            while True:
                listing = await outbox()
                newest = listing["events"][0]
                marked = newest["last_error"] is not None or newest["delivered_at"] is not None
                counted = listing["counts"]["delivered"] == delivered
                if newest["attempts"] == attempts and counted and marked:
                    return listing
                assert time.monotonic() < deadline, listing
                await asyncio.sleep(0.02)

        listing = await settled(attempts=1, delivered=3)
        assert listing["counts"] == {
            "pending": 0, "delivered": 3, "failing": 1, "oldest_undelivered_seconds": 0.0,
        }  # fmt: skip
        assert listing["partners"] == {PARTNER: listing["counts"]}
        assert [e["id"] for e in listing["events"]] == [4, 3]
        newest = listing["events"][0]
        assert newest["last_error"] == "HTTP 503, OCPI 3000"
        assert (newest["path"], newest["module"], newest["method"]) == (
            "/NL/PLF/LOC2", "locations", "PUT",
        )  # fmt: skip
        assert newest["object_key"] == "location:NL:PLF:LOC2"
        assert "body" not in newest

        fake.advance(30)
        values = gauges((await client.get("/metrics")).text)
        assert values[("plugfest_outbox_events", frozenset({("state", "failing")}))] == 1
        assert values[("plugfest_outbox_events", frozenset({("state", "delivered")}))] == 3
        assert values[("plugfest_outbox_events", frozenset({("state", "pending")}))] == 0
        assert values[("plugfest_outbox_oldest_pending_seconds", frozenset())] == 30

        # The backoff outlasts the (frozen) clock; retry makes it due now.
        assert (await client.post("/admin/outbox/retry", headers=ADMIN)).json() == {"retried": 1}
        await settled(attempts=2, delivered=3)
        assert receiver.state.seen.count(4) == 2
        receiver.state.mode = "up"
        assert (await client.post("/admin/outbox/retry", headers=ADMIN)).json() == {"retried": 1}
        listing = await settled(attempts=3, delivered=4)
        assert listing["counts"] == {
            "pending": 0, "delivered": 4, "failing": 0, "oldest_undelivered_seconds": 0.0,
        }  # fmt: skip
        assert receiver.state.accepted_seqs() == Counter({1: 1, 2: 1, 3: 1, 4: 1})

        assert (await client.get("/admin/outbox")).status_code == 401
        trail = await client.get("/admin/audit", params={"event": "admin.action"}, headers=ADMIN)
        assert [e["detail"]["action"] for e in trail.json()].count("outbox.retry") == 2


def test_render_metrics_outbox_gauges() -> None:
    text = render_metrics({}, OutboxCounts(pending=2, delivered=5, failing=1,
                                           oldest_undelivered_seconds=12.5)).decode()  # fmt: skip
    values = gauges(text)
    assert values[("plugfest_outbox_events", frozenset({("state", "pending")}))] == 2
    assert values[("plugfest_outbox_events", frozenset({("state", "delivered")}))] == 5
    assert values[("plugfest_outbox_events", frozenset({("state", "failing")}))] == 1
    assert values[("plugfest_outbox_oldest_pending_seconds", frozenset())] == 12.5
    empty = gauges(render_metrics({}).decode())
    assert empty[("plugfest_outbox_oldest_pending_seconds", frozenset())] == 0
