"""A PATCH the partner cannot apply (HTTP 404: it never got the object) is followed by a PUT of
the full object (§4.1.4: "if a PATCH fails, the client should GET the object; if it does not
exist, PUT the full object"), instead of being retried while it holds back later pushes."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from simulator.platform.clock import FakeClock, ocpi_datetime
from simulator.platform.database import Database
from simulator.platform.documents import OWN, Documents, key_of
from simulator.platform.outbox import DeliveryPolicy, Outbox, OutboxWorker, full_object
from simulator.platform.tables import OutboxEvent, Partner

BASE = "http://emsp.test/ocpi/emsp/2.2.1/locations"
STAMP = "2026-01-01T00:00:00Z"
POLICY = DeliveryPolicy(backoff_initial_seconds=1, backoff_max_seconds=20, lease_seconds=30,
                        request_timeout_seconds=2)  # fmt: skip


class Emsp:
    """A Locations Receiver that knows only what was PUT to it; PATCHes on anything else: 404."""

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.calls: list[tuple[str, str, Any]] = []
        self.request_ids: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/ocpi/emsp/2.2.1/locations")
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, path, body))
        self.request_ids.append(request.headers["X-Request-ID"])
        location = "/".join(path.split("/")[:4])
        if request.method == "PUT":
            self.known.add(location)
        elif location not in self.known:
            return httpx.Response(
                404, json={"status_code": 2003, "timestamp": "2026-01-01T00:00:00Z"}
            )
        return httpx.Response(200, json={"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"})


def _location(clock: FakeClock) -> dict[str, Any]:
    return {"country_code": "NL", "party_id": "PLF", "id": "LOC1", "publish": True,
            "evses": [{"uid": "EVSE1", "status": "CHARGING",
                       "last_updated": ocpi_datetime(clock.now())}],
            "last_updated": ocpi_datetime(clock.now())}  # fmt: skip


async def _setup(database: Database, clock: FakeClock, *, stored: bool) -> dict[str, Any]:
    location = _location(clock)
    async with database.transaction() as session:
        session.add(Partner(id="p1", status="registered", initiated_by="partner",
                            versions_url="http://emsp.test/versions", version="2.2.1",
                            endpoints=[{"identifier": "locations", "role": "RECEIVER",
                                        "url": BASE}],
                            roles=[], outbound_token="t", created_at=clock.now(),
                            updated_at=clock.now()))  # fmt: skip
        if stored:
            await Documents(database).put(key_of("location", OWN, location), location, session)
        outbox = Outbox(clock)
        for status in ("CHARGING", "AVAILABLE"):
            await outbox.publish(
                session, module="locations", method="PATCH", path="/NL/PLF/LOC1/EVSE1",
                body={"status": status, "last_updated": ocpi_datetime(clock.now())},
                object_key="locations/NL/PLF/LOC1",
            )  # fmt: skip
    return location


async def test_a_patch_for_an_object_the_partner_lacks_becomes_a_put_of_it(
    database: Database,
) -> None:
    clock, emsp = FakeClock(), Emsp()
    location = await _setup(database, clock, stored=True)
    async with httpx.AsyncClient(transport=httpx.MockTransport(emsp.handle)) as http:
        worker = OutboxWorker(database, clock, http, POLICY, resync=full_object(database))
        assert await worker.run_once() == 2
    assert [(method, path) for method, path, _ in emsp.calls] == [
        ("PATCH", "/NL/PLF/LOC1/EVSE1"),  # 404: never had LOC1
        ("PUT", "/NL/PLF/LOC1"),  # the whole Location, as stored now
        ("PATCH", "/NL/PLF/LOC1/EVSE1"),  # the next change, no longer held back
    ]
    assert emsp.calls[1][2] == location
    assert len(set(emsp.request_ids)) == 3  # TRANS-018: the PUT is a request of its own
    async with database.transaction() as session:
        rows = (await session.scalars(select(OutboxEvent))).all()
    assert all(row.delivered_at is not None for row in rows)


async def test_without_the_object_the_refused_patch_stays_failed(database: Database) -> None:
    clock, emsp = FakeClock(), Emsp()
    await _setup(database, clock, stored=False)
    async with httpx.AsyncClient(transport=httpx.MockTransport(emsp.handle)) as http:
        worker = OutboxWorker(database, clock, http, POLICY, resync=full_object(database))
        assert await worker.run_once() == 0
    assert [method for method, _, _ in emsp.calls] == ["PATCH"]
    async with database.transaction() as session:
        first = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).first()
    assert first is not None
    assert "HTTP 404" in (first.last_error or "")
