"""CiString identity (§16.1): ids are case-insensitive, so an object is found again by its id in
any letter case. Against an eMSP the judge pushes a Location under a mixed-case id and reads it
back with the case swapped; against a CPO it reads one of the CPO's Locations that way."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.objects import check_status, single_object
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.conftest import registered
from conformance.suites.generators import ReceiverUnderTest, fresh_id, owned, stamp

pytestmark = pytest.mark.phase("modules")

RULE = "TRANS-044"


class Locations(ReceiverUnderTest):
    module = "locations"


def _location(party: dict[str, Any], location_id: str) -> dict[str, Any]:
    """A small valid Location (§8.3.1) under a mixed-case id."""
    now = stamp()
    connector = {"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET",
                 "power_type": "AC_3_PHASE", "max_voltage": 230, "max_amperage": 16,
                 "last_updated": now}  # fmt: skip
    evse = {"uid": f"{location_id}-e1", "status": "AVAILABLE", "connectors": [connector],
            "last_updated": now}  # fmt: skip
    value = {"publish": True, "address": "Kleine Letterstraat 1", "city": "Utrecht",
             "country": "NLD", "coordinates": {"latitude": "52.090000", "longitude": "5.120000"},
             "evses": [evse], "time_zone": "Europe/Amsterdam"}  # fmt: skip
    return owned(value, party, location_id)


def _found_again(judge: Judge, reply: Reply, location_id: str) -> None:
    data = single_object(judge.ledger, RULE, reply) or {}
    judge.ledger.check(
        RULE,
        reply.status == 200 and reply.ocpi_status == 1000
        and str(data.get("id", "")).upper() == location_id.upper(),
        expected=f"Location {location_id!r} found by its id in another case (HTTP 200, 1000)",
        actual=f"HTTP {reply.status}, OCPI {reply.ocpi_status}, id {data.get('id')!r}",
        exchange=reply.exchange,
    )  # fmt: skip


@pytest.mark.rule(RULE)
def test_emsp_finds_a_pushed_location_by_its_id_in_another_case(judge: Judge) -> None:
    if judge.config.role != "emsp":
        pytest.skip("the eMSP variant: the target is a CPO")
    receiver = Locations(judge)
    location_id = fresh_id("Ci").replace("CI-", "Ci-") + "-mixed"
    location = _location(receiver.party, location_id)
    pushed = receiver.send("PUT", receiver.at(location_id), location)
    check_status(judge.ledger, RULE, pushed.exchange, http=(200, 201), ocpi=1000)
    _found_again(judge, receiver.send("GET", receiver.at(location_id.swapcase())), location_id)


@pytest.mark.rule(RULE)
def test_cpo_serves_a_location_by_its_id_in_another_case(judge: Judge) -> None:
    if judge.config.role != "cpo":
        pytest.skip("the CPO variant: the target is an eMSP")
    registration = registered(judge, reading=True)
    url = registration.endpoint("locations", "SENDER")
    if not url:
        pytest.skip("the target publishes no locations SENDER endpoint")
    page = judge.client.request("GET", url, module="locations", token=registration.token,
                                params={"limit": 1})  # fmt: skip
    listed = page.data if isinstance(page.data, list) else []
    ids = [str(item["id"]) for item in listed if isinstance(item, dict) and item.get("id")]
    if not ids or ids[0].swapcase() == ids[0]:
        pytest.skip("the target lists no Location whose id has letters to swap")
    got = judge.client.request("GET", f"{url.rstrip('/')}/{ids[0].swapcase()}",
                               module="locations", token=registration.token)  # fmt: skip
    _found_again(judge, got, ids[0])
