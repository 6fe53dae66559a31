"""Credit CDRs (§10.1.1, CDR-005): a correction of one of our CDRs through the admin API, and
the planted faults the judge's TOK-010 and CDR-005 checks must catch."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulator.cpo.backend.service import COST_FIELDS
from tests.simulator.conftest import LoopbackServer, StartCpo
from tests.simulator.cpo.backend.harness import (
    World,
    make_world,
    token,
    valid,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.simulator.cpo.backend.test_sessions import authorization_info, swipe


async def _cdr(world: World) -> dict[str, Any]:
    """A CDR of a priced session: swipe, charge an hour, unplug."""
    await world.store_token(token("RFID1", whitelist="ALWAYS"))
    outcome = await swipe(world)
    await world.advance(5 + 3600)
    unplug = await world.admin("POST", "unplug", {"session_id": outcome["session_id"]})
    assert unplug.status_code == 200, unplug.text
    (event,) = await world.events("cdrs")
    cdr: dict[str, Any] = valid(json.loads(event.body or "{}"), "CDR")
    assert cdr["id"] == unplug.json()["cdr_id"]
    return cdr


async def test_credit_cdr_negates_costs_and_is_pushed(world: World) -> None:
    original = await _cdr(world)
    await world.advance(60)
    answer = await world.admin("POST", "credit-cdr", {"cdr_id": original["id"].lower()})
    assert answer.status_code == 200, answer.text
    credit = valid(answer.json()["cdr"], "CDR")
    assert answer.json()["id"] == credit["id"] == original["id"] + "-C"
    assert len(credit["id"]) <= 39  # §10.3.1
    assert credit["credit"] is True
    assert credit["credit_reference_id"] == original["id"]
    assert credit["last_updated"] > original["last_updated"]
    costs = [name for name in COST_FIELDS if name in original]
    assert {"total_cost", "total_fixed_cost", "total_energy_cost"} <= set(costs)
    for name in costs:
        assert credit[name] == {k: -v for k, v in original[name].items()}, name
        assert credit[name]["excl_vat"] < 0, name
    own = {*costs, "id", "credit", "credit_reference_id", "last_updated"}
    same = {k: v for k, v in credit.items() if k not in own}
    assert same == {k: v for k, v in original.items() if k not in own}  # the rest repeated
    pushed = [e for e in await world.events("cdrs") if e.method == "POST"]
    assert [json.loads(e.body or "{}")["id"] for e in pushed] == [original["id"], credit["id"]]
    assert json.loads(pushed[1].body or "{}") == credit


async def test_credit_cdr_refusals(world: World) -> None:
    original = await _cdr(world)
    unknown = await world.admin("POST", "credit-cdr", {"cdr_id": "NO-SUCH-CDR"})
    assert unknown.status_code == 404, unknown.text
    first = await world.admin("POST", "credit-cdr", {"cdr_id": original["id"]})
    assert first.status_code == 200, first.text
    twice = await world.admin("POST", "credit-cdr", {"cdr_id": original["id"]})
    assert twice.status_code == 409, twice.text
    of_credit = await world.admin("POST", "credit-cdr", {"cdr_id": first.json()["id"]})
    assert of_credit.status_code == 409, of_credit.text
    too_long = await world.admin("POST", "credit-cdr", {"cdr_id": "X" * 40})
    assert too_long.status_code == 400, too_long.text
    assert len(await world.events("cdrs")) == 2  # the CDR and one credit CDR


@pytest.fixture(name="faulty")
async def faulty_fixture(
    start_cpo: StartCpo, database_url: str, client: httpx.AsyncClient
) -> AsyncIterator[World]:
    """The backend world with the two faults of this file planted."""
    faults = "credit_cdr_keeps_costs_positive,authorizes_from_cache_when_invalid"
    servers: list[LoopbackServer] = []

    def start(url: str, **settings: Any) -> Any:
        return start_cpo(url, plugfest_faults=faults, **settings)

    try:
        yield await make_world(start, database_url, client, servers)
    finally:
        for server in servers:
            server.stop()


async def test_planted_faults(faulty: World) -> None:
    original = await _cdr(faulty)
    answer = await faulty.admin("POST", "credit-cdr", {"cdr_id": original["id"]})
    credit = valid(answer.json()["cdr"], "CDR")
    assert credit["credit"] is True
    assert credit["total_cost"] == original["total_cost"]  # credit_cdr_keeps_costs_positive
    await faulty.store_token(token("RFID2", whitelist="NEVER", valid=False))
    faulty.emsp.authorize = lambda uid, kind: authorization_info(uid)
    assert (await swipe(faulty, "RFID2"))["allowed"] == "BLOCKED"
    assert faulty.emsp.find("POST", "/authorize") == []  # authorizes_from_cache_when_invalid
