"""Commands receiver (§13) end to end: CommandResponse at once, CommandResult to response_url."""

from __future__ import annotations

from typing import Any

from simulator.platform.clock import ocpi_datetime
from tests.simulator.cpo.backend.harness import (
    AC,
    DC,
    LOCATION_ID,
    PLAIN,
    World,
    register_partner,
    start_body,
    token,
    valid,
    world_fixture,  # noqa: F401 - the `world` fixture
)


def response(envelope: dict[str, Any], result: str, status: int = 1000) -> None:
    assert envelope["status_code"] == status, envelope
    valid(envelope["data"], "CommandResponse")
    assert envelope["data"]["result"] == result, envelope
    assert envelope["data"]["timeout"] == 30


async def result_at(world: World, url: str, expected: str) -> None:
    path = url.removeprefix(world.emsp.url)
    (call,) = await world.emsp.wait("POST", path)
    valid(call.body, "CommandResult")
    assert call.body["result"] == expected, call.body
    assert call.authorization is not None
    assert call.authorization.startswith("Token "), call


async def test_start_then_stop_session(world: World) -> None:
    body = start_body(world)
    response(await world.command("START_SESSION", body), "ACCEPTED")
    await result_at(world, body["response_url"], "ACCEPTED")

    (live,) = world.backend.live.values()
    session = await world.session(live.id)
    assert session["status"] == "PENDING"
    assert session["auth_method"] == "COMMAND"
    assert session["authorization_reference"] == "AUTHREF-1"  # rule 50
    assert session["cdr_token"]["uid"] == "APP1"  # rule 77: the command's token
    await world.advance(60)
    assert (await world.session(live.id))["status"] == "ACTIVE"

    stop = {"response_url": world.response_url("STOP_SESSION"), "session_id": live.id}
    response(await world.command("STOP_SESSION", stop), "ACCEPTED")
    await result_at(world, stop["response_url"], "ACCEPTED")
    assert (await world.session(live.id))["status"] == "COMPLETED"
    cdrs = await world.events("cdrs")
    assert [(e.method, e.path) for e in cdrs] == [("POST", "")]


async def test_validation_errors_are_2001(world: World) -> None:
    for command, body in [
        ("START_SESSION", {"response_url": world.response_url("x")}),
        ("START_SESSION", {**start_body(world), "token": {"uid": "x"}}),
        ("STOP_SESSION", {"session_id": "S1"}),
        ("RESERVE_NOW", {**start_body(world)}),
        ("UNLOCK_CONNECTOR", {"response_url": world.response_url("x"), "location_id": "L"}),
        ("NO_SUCH_COMMAND", start_body(world)),
    ]:
        envelope = await world.command(command, body)
        assert envelope["status_code"] == 2001, (command, envelope)
    # evse_uid is required when connector_id is set (rule 78).
    without_evse = start_body(world, connector_id="1")
    del without_evse["evse_uid"]
    assert (await world.command("START_SESSION", without_evse))["status_code"] == 2001
    # START_SESSION_CONNECTOR_REQUIRED: connector_id is required (rule 78).
    assert (await world.command("START_SESSION", start_body(world, evse_uid=DC)))[
        "status_code"
    ] == 2001
    with_connector = start_body(world, evse_uid=DC, connector_id="1")
    response(await world.command("START_SESSION", with_connector), "ACCEPTED")
    await result_at(world, with_connector["response_url"], "ACCEPTED")


async def test_unknown_location_is_2003_rejected(world: World) -> None:
    envelope = await world.command("START_SESSION", start_body(world, location_id="NOPE"))
    response(envelope, "REJECTED", status=2003)
    unlock = {
        "response_url": world.response_url("UNLOCK"),
        "location_id": "NOPE",
        "evse_uid": AC,
        "connector_id": "1",
    }
    response(await world.command("UNLOCK_CONNECTOR", unlock), "REJECTED", status=2003)


async def test_stop_of_unknown_session(world: World) -> None:
    body = {"response_url": world.response_url("STOP"), "session_id": "NO-SUCH-SESSION"}
    response(await world.command("STOP_SESSION", body), "UNKNOWN_SESSION")


async def test_not_supported_without_capability(world: World) -> None:
    response(
        await world.command("START_SESSION", start_body(world, evse_uid=PLAIN)), "NOT_SUPPORTED"
    )
    unlock = {
        "response_url": world.response_url("UNLOCK"),
        "location_id": LOCATION_ID,
        "evse_uid": PLAIN,
        "connector_id": "1",
    }
    response(await world.command("UNLOCK_CONNECTOR", unlock), "NOT_SUPPORTED")
    reserve = reserve_body(world, evse_uid=PLAIN)
    response(await world.command("RESERVE_NOW", reserve), "NOT_SUPPORTED")
    unlock["evse_uid"] = AC
    response(await world.command("UNLOCK_CONNECTOR", unlock), "ACCEPTED")
    await result_at(world, unlock["response_url"], "ACCEPTED")


async def test_timeout_when_the_charge_point_does_not_answer(world: World) -> None:
    fault = await world.admin("PUT", "charge-point-faults", {"evse_uid": AC, "no_answer": True})
    assert fault.status_code == 200, fault.text
    body = start_body(world)
    response(await world.command("START_SESSION", body), "ACCEPTED")
    path = body["response_url"].removeprefix(world.emsp.url)
    await world.advance(29)
    assert world.emsp.find("POST", path) == []
    await world.advance(1)
    await result_at(world, body["response_url"], "TIMEOUT")
    assert world.backend.live == {}


async def test_session_of_another_emsp_is_rejected(world: World) -> None:
    body = start_body(world)
    response(await world.command("START_SESSION", body), "ACCEPTED")
    await result_at(world, body["response_url"], "ACCEPTED")
    (live,) = world.backend.live.values()
    _, other = await register_partner(world.cpo, world.emsp, "FR", "OTH")
    stop = {"response_url": world.response_url("STOP"), "session_id": live.id}
    response(await world.command("STOP_SESSION", stop, token=other), "REJECTED")


def reserve_body(world: World, **extra: Any) -> dict[str, Any]:
    expiry = world.cpo.clock.now().replace(hour=1)
    body = {
        "response_url": world.response_url("RESERVE_NOW"),
        "token": token("APP1"),
        "expiry_date": ocpi_datetime(expiry),
        "reservation_id": "RES-1",
        "location_id": LOCATION_ID,
        "evse_uid": AC,
        "authorization_reference": "AUTHREF-R",
    }
    body.update(extra)
    return body


async def test_reservation_lifecycle(world: World) -> None:
    reserve = reserve_body(world)
    response(await world.command("RESERVE_NOW", reserve), "ACCEPTED")
    await result_at(world, reserve["response_url"], "ACCEPTED")
    (live,) = world.backend.live.values()
    session = await world.session(live.id)
    assert session["status"] == "RESERVATION"  # rule 48, errata 8.7
    assert live.reservation is not None
    assert live.reservation.internal_id != "RES-1"  # rule 76
    location = await world.cpo.call(world.backend.catalogue.location(LOCATION_ID))
    assert location is not None
    assert next(e for e in location["evses"] if e["uid"] == AC)["status"] == "RESERVED"
    puts = [e for e in await world.events("sessions") if e.method == "PUT"]
    assert len(puts) == 1  # pushed (rule 48)

    # Someone else cannot start there; cancelling frees the EVSE.
    cancel = {"response_url": world.response_url("CANCEL"), "reservation_id": "RES-1"}
    response(await world.command("CANCEL_RESERVATION", cancel), "ACCEPTED")
    await result_at(world, cancel["response_url"], "ACCEPTED")
    assert (await world.session(live.id))["status"] == "COMPLETED"
    again = {"response_url": world.response_url("CANCEL"), "reservation_id": "RES-1"}
    response(await world.command("CANCEL_RESERVATION", again), "ACCEPTED")
    await result_at(world, again["response_url"], "UNKNOWN_RESERVATION")


async def test_reservation_expires_completed(world: World) -> None:
    reserve = reserve_body(world)
    response(await world.command("RESERVE_NOW", reserve), "ACCEPTED")
    await result_at(world, reserve["response_url"], "ACCEPTED")
    (live,) = world.backend.live.values()
    await world.advance(3600)
    session = await world.session(live.id)
    assert session["status"] == "COMPLETED"  # an unused reservation ends COMPLETED (rule 48)
    assert session["end_date_time"] == reserve["expiry_date"]
    assert world.backend.live == {}


async def test_cpo_cancels_reservation(world: World) -> None:
    reserve = reserve_body(world)
    response(await world.command("RESERVE_NOW", reserve), "ACCEPTED")
    await result_at(world, reserve["response_url"], "ACCEPTED")
    (live,) = world.backend.live.values()
    answer = await world.admin("POST", "cancel-reservation", {"session_id": live.id})
    assert answer.status_code == 200, answer.text
    path = reserve["response_url"].removeprefix(world.emsp.url)
    calls = await world.emsp.wait("POST", path, count=2)
    assert [valid(c.body, "CommandResult")["result"] for c in calls] == [
        "ACCEPTED",
        "CANCELED_RESERVATION",
    ]


async def test_reservation_used_by_its_token(world: World) -> None:
    reserve = reserve_body(world)
    response(await world.command("RESERVE_NOW", reserve), "ACCEPTED")
    await result_at(world, reserve["response_url"], "ACCEPTED")
    (live,) = world.backend.live.values()
    other = start_body(world, token=token("SOMEONE-ELSE"))
    response(await world.command("START_SESSION", other), "ACCEPTED")
    await result_at(world, other["response_url"], "EVSE_OCCUPIED")
    mine = start_body(world)
    response(await world.command("START_SESSION", mine), "ACCEPTED")
    await result_at(world, mine["response_url"], "ACCEPTED")
    assert list(world.backend.live) == [live.id.upper()]
    await world.advance(60)
    session = await world.session(live.id)
    assert session["status"] == "ACTIVE"
    assert session["authorization_reference"] == "AUTHREF-1"  # the last one wins (rule 50)
