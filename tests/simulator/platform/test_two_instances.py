"""Scale beyond one process: two CPO app instances (two uvicorn servers, two ports, two engines,
two outbox workers) on ONE PostgreSQL database at once.

- TOKEN_A stays single use across instances: the same token POSTed to both at once registers
  exactly one partner; the other gets HTTP 401.
- The outbox delivers each event once while both instances' workers run (FOR UPDATE SKIP LOCKED).
- The audit trail is complete across both: every redemption attempt is recorded exactly once.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, put
from litestar.params import FromPath
from sqlalchemy import select

from simulator.cpo.app import create_app
from simulator.platform import audit
from simulator.platform.clock import FakeClock
from simulator.platform.loopback import free_port
from simulator.platform.outbox import Outbox
from simulator.platform.tables import AuditEvent, OutboxEvent, Partner
from tests.simulator.conftest import (
    LoopbackServer,
    PartnerDouble,
    RunningCpo,
    auth,
    cpo_settings,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

EVENTS = 120


@dataclass
class Instance:
    cpo: RunningCpo
    http: httpx.AsyncClient
    pushes: list[str] = field(default_factory=list)  # the URLs its outbox worker sent to


@pytest.fixture
async def instances(tmp_path: Path, database_url: str) -> AsyncIterator[list[Instance]]:
    """Two CPO instances on the same database, each with its own outbox worker (fast polling,
    small batches so both take part) and an HTTP client that notes what it pushed."""
    started: list[tuple[Instance, LoopbackServer]] = []
    try:
        for _ in range(2):
            port = free_port()
            settings = cpo_settings(
                tmp_path / f"cpo-{port}",
                database_url,
                port,
                outbox_poll_interval_seconds=0.05,
                outbox_batch_size=4,
            )
            pushed: list[str] = []

            async def note(request: httpx.Request, pushed: list[str] = pushed) -> None:
                if request.method == "PUT" and "/receiver/" in request.url.path:
                    pushed.append(request.url.path)

            http = httpx.AsyncClient(timeout=10, event_hooks={"request": [note]})
            clock = FakeClock()
            app = create_app(settings, clock=clock, http=http)
            server = LoopbackServer(app, port)
            server.start()  # the first one migrates; the second finds the schema up to date
            instance = Instance(RunningCpo(server, app, clock, settings), http, pushed)
            started.append((instance, server))
        yield [instance for instance, _ in started]
    finally:
        for instance, server in started:
            server.stop()
            await instance.http.aclose()


async def test_token_a_is_single_use_across_instances(
    instances: list[Instance], partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    first, second = instances
    tokens = []
    for attempt in range(5):
        minted = await first.cpo.mint()
        token_b = f"partner-b-{attempt}"
        partner.accepted.add(token_b)
        body = partner.credentials(token_b)
        answers = await asyncio.gather(
            *(
                client.post(i.cpo.credentials_url, json=body, headers=auth(minted.token))
                for i in instances
            )
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 401], [a.text for a in answers]
        winner = next(a for a in answers if a.status_code == 200)
        assert winner.json()["status_code"] == 1000
        tokens.append(minted.id)
    # Both instances read the same state: one partner per token, whichever instance asked.
    assert len(await first.cpo.call(first.cpo.platform.registration.partners())) == 5
    assert len(await second.cpo.call(second.cpo.platform.registration.partners())) == 5

    # The audit trail, complete across both: per token one creation, one redemption, one refusal.
    async def trail() -> list[AuditEvent]:
        async with first.cpo.platform.database.transaction() as session:
            query = select(AuditEvent).where(AuditEvent.token_id.in_(tokens))
            return list((await session.scalars(query)).all())

    events = await first.cpo.call(trail())
    per_token = Counter((e.token_id, e.event) for e in events)
    for token_id in tokens:
        assert per_token[(token_id, audit.TOKEN_CREATED)] == 1
        assert per_token[(token_id, audit.TOKEN_REDEEMED)] == 1
        assert per_token[(token_id, audit.TOKEN_REJECTED)] == 1
    assert len(events) == 3 * len(tokens)
    assert {e.reason for e in events if e.event == audit.TOKEN_REJECTED} <= {"spent"}


@dataclass
class Counting:
    received: Counter[str] = field(default_factory=Counter)
    all_in: threading.Event = field(default_factory=threading.Event)


def counting_app(counting: Counting) -> Litestar:
    @put("/receiver/locations/{rest:path}")
    async def receive(request: Request[Any, Any, Any], rest: FromPath[str]) -> Response[Any]:
        body = await request.json()
        counting.received[body["id"]] += 1
        if sum(counting.received.values()) >= EVENTS:
            counting.all_in.set()
        await asyncio.sleep(0.005)  # a partner that takes a moment, so claims overlap
        return Response({"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"})

    return Litestar([receive])


@pytest.fixture
def counting_receiver() -> Iterator[tuple[Counting, str]]:
    counting, port = Counting(), free_port()
    server = LoopbackServer(counting_app(counting), port)
    server.start()
    yield counting, f"http://127.0.0.1:{port}/receiver"
    server.stop()


async def test_outbox_delivers_each_event_once_with_both_workers(
    instances: list[Instance], counting_receiver: tuple[Counting, str]
) -> None:
    counting, url = counting_receiver
    first, second = instances
    platform = first.cpo.platform
    now = first.cpo.clock.now()

    async def publish() -> None:
        async with platform.database.transaction() as session:
            session.add(
                Partner(
                    id="counting-partner", status="registered", initiated_by="partner",
                    versions_url=f"{url}/versions", version="2.2.1",
                    endpoints=[{"identifier": "locations", "role": "RECEIVER",
                                "url": f"{url}/locations"}],
                    roles=[], outbound_token="token-for-the-receiver",
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
        outbox = Outbox(first.cpo.clock)
        for start in range(0, EVENTS, 20):  # several commits, as a busy CPO would make
            async with platform.database.transaction() as session:
                for n in range(start, start + 20):
                    await outbox.publish(
                        session, module="locations", method="PUT", path=f"/NL/PLF/L{n}",
                        body={"id": f"L{n}"}, object_key=f"location:NL:PLF:L{n}",
                    )  # fmt: skip

    await first.cpo.call(publish())
    await asyncio.to_thread(counting.all_in.wait, 15)
    await asyncio.sleep(0.5)  # a late duplicate would show up now

    assert sorted(counting.received) == sorted(f"L{n}" for n in range(EVENTS))
    assert set(counting.received.values()) == {1}, counting.received.most_common(3)
    assert len(first.pushes) + len(second.pushes) == EVENTS
    shares = (len(first.pushes), len(second.pushes))
    assert shares[0] > 0, f"both workers should have delivered some events: {shares}"
    assert shares[1] > 0, f"both workers should have delivered some events: {shares}"

    async def undelivered() -> int:
        async with platform.database.transaction() as session:
            rows = await session.scalars(
                select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))
            )
            return len(rows.all())

    assert await first.cpo.call(undelivered()) == 0
