"""Locations Receiver of an eMSP (§8.2.2): the judge, as the CPO, pushes generated Locations,
EVSEs and Connectors, reads them back, patches them and checks what the eMSP stored."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.compare import differences
from conformance.checks.objects import check_status
from conformance.checks.refusals import stored
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.generators import (
    ReceiverUnderTest,
    addressable_connector,
    addressable_evse,
    addressable_location,
    fresh_id,
    later,
    objects,
    plain_location,
    quick,
)

pytestmark = pytest.mark.phase("modules")

MODULE = "locations"


class Receiver(ReceiverUnderTest):
    """The target's Locations Receiver as our CPO role sees it."""

    module = MODULE

    def push(self, location: dict[str, Any]) -> Reply:
        reply = self.send("PUT", self.at(location["id"]), location)
        check_status(self.judge.ledger, "LOC-012", reply.exchange, http=(200, 201), ocpi=1000)
        return reply


def _with_one_evse(location: dict[str, Any], evse: dict[str, Any], connector: dict[str, Any],
                   party: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    evse = dict(evse, connectors=[connector])
    return addressable_location({**location, "evses": [evse]}, party)


def _equal(judge: Judge, rule: str, sent: Any, reply: Reply, what: str) -> None:
    diff = differences(sent, reply.data)
    judge.ledger.check(
        rule, not diff, expected=f"the {what} as pushed", actual=diff, exchange=reply.exchange
    )


@pytest.mark.rule("LOC-012", "TRANS-011")
@quick(2)
@given(value=objects("Location"))
def test_put_location_reads_back(judge: Judge, value: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    location = addressable_location(value, receiver.party)
    created = receiver.push(location)
    check_status(judge.ledger, "TRANS-011", created.exchange, http=201)
    got = receiver.send("GET", receiver.at(location["id"]))
    check_status(judge.ledger, "LOC-012", got.exchange, http=200, ocpi=1000)
    _equal(judge, "LOC-012", location, got, "Location")
    location["last_updated"] = later(1)
    updated = receiver.push(location)
    check_status(judge.ledger, "TRANS-011", updated.exchange, http=200)
    again = receiver.send("GET", receiver.at(location["id"]))
    _equal(judge, "LOC-012", location, again, "replaced Location")


@pytest.mark.rule("LOC-012", "LOC-003", "TRANS-011")
@quick(2)
@given(value=objects("Location"), evse=objects("EVSE"), connector=objects("Connector"))
def test_put_evse_and_connector(
    judge: Judge, value: dict[str, Any], evse: dict[str, Any], connector: dict[str, Any]
) -> None:
    receiver = Receiver(judge)
    location = addressable_location({**value, "evses": []}, receiver.party)
    receiver.push(location)
    lid = location["id"]
    new_evse = addressable_evse(evse, f"{lid}-NEW")
    new_evse["last_updated"] = later(60)
    for part in new_evse.get("connectors") or []:
        part["last_updated"] = new_evse["last_updated"]
    reply = receiver.send("PUT", receiver.at(lid, new_evse["uid"]), new_evse)
    check_status(judge.ledger, "LOC-012", reply.exchange, http=(200, 201), ocpi=1000)
    check_status(judge.ledger, "TRANS-011", reply.exchange, http=201)
    got = receiver.send("GET", receiver.at(lid, new_evse["uid"]))
    check_status(judge.ledger, "LOC-012", got.exchange, http=200, ocpi=1000)
    _equal(judge, "LOC-012", new_evse, got, "EVSE")
    _cascade(receiver, lid, None, new_evse["last_updated"])

    new_connector = addressable_connector(connector, "99")
    new_connector["last_updated"] = later(120)
    url = receiver.at(lid, new_evse["uid"], "99")
    reply = receiver.send("PUT", url, new_connector)
    check_status(judge.ledger, "LOC-012", reply.exchange, http=(200, 201), ocpi=1000)
    check_status(judge.ledger, "TRANS-011", reply.exchange, http=201)
    got = receiver.send("GET", url)
    check_status(judge.ledger, "LOC-012", got.exchange, http=200, ocpi=1000)
    _equal(judge, "LOC-012", new_connector, got, "Connector")
    _cascade(receiver, lid, new_evse["uid"], new_connector["last_updated"])


def _cascade(receiver: Receiver, lid: str, evse_uid: str | None, pushed: str) -> None:
    """LOC-003: the parents of a pushed EVSE or Connector carry its `last_updated`."""
    urls = [receiver.at(lid)] + ([receiver.at(lid, evse_uid)] if evse_uid else [])
    for url in urls:
        got = receiver.send("GET", url)
        data = got.data if isinstance(got.data, dict) else {}
        diff = differences(pushed, data.get("last_updated"))
        receiver.judge.ledger.check(
            "LOC-003",
            stored(got) and not diff,
            expected=f"the parent's last_updated = the pushed child's ({pushed})",
            actual=f"HTTP {got.status}, last_updated {data.get('last_updated')!r}",
            exchange=got.exchange,
        )


@pytest.mark.rule("LOC-013", "LOC-003", "LOC-012")
@quick(3)
@given(
    value=objects("Location"),
    evse=objects("EVSE"),
    connector=objects("Connector"),
    name=st.text(st.characters(min_codepoint=0x41, max_codepoint=0x7A), min_size=1, max_size=40),
    status=st.sampled_from(["AVAILABLE", "BLOCKED", "CHARGING", "INOPERATIVE", "OUTOFORDER"]),
    amperage=st.integers(min_value=1, max_value=2000),
)
def test_patch_changes_only_given_fields(
    judge: Judge,
    value: dict[str, Any],
    evse: dict[str, Any],
    connector: dict[str, Any],
    name: str,
    status: str,
    amperage: int,
) -> None:
    receiver = Receiver(judge)
    location = _with_one_evse(value, evse, connector, receiver.party)
    receiver.push(location)
    lid, uid = location["id"], location["evses"][0]["uid"]
    cid = location["evses"][0]["connectors"][0]["id"]
    steps: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        ((lid,), {"name": name, "last_updated": later(60)}),
        ((lid,), {"directions": [{"language": "en", "text": name}], "last_updated": later(90)}),
        ((lid, uid), {"status": status, "last_updated": later(120)}),
        ((lid, uid, cid), {"max_amperage": amperage, "last_updated": later(180)}),
    ]
    for parts, changes in steps:
        before = receiver.send("GET", receiver.at(*parts))
        check_status(judge.ledger, "LOC-012", before.exchange, http=200, ocpi=1000)
        reply = receiver.send("PATCH", receiver.at(*parts), changes)
        check_status(judge.ledger, "LOC-013", reply.exchange, http=200, ocpi=1000)
        after = receiver.send("GET", receiver.at(*parts))
        check_status(judge.ledger, "LOC-012", after.exchange, http=200, ocpi=1000)
        expected = {**(before.data or {}), **changes}
        if len(parts) == 2:  # the EVSE's connectors were not patched
            expected["connectors"] = (before.data or {}).get("connectors")
        if len(parts) == 1:  # nor the Location's EVSEs (beyond what is compared at their level)
            expected["evses"] = (before.data or {}).get("evses")
        diff = differences(expected, after.data)
        judge.ledger.check(
            "LOC-013",
            not diff,
            expected=f"only {sorted(changes)} changed",
            actual=diff,
            exchange=after.exchange,
            dispute="merge" if diff and _merged(expected, before.data, changes, after) else None,
        )
        if len(parts) > 1:
            _cascade(receiver, lid, uid if len(parts) == 3 else None, changes["last_updated"])


def _merged(expected: dict[str, Any], before: Any, changes: dict[str, Any], after: Reply) -> bool:
    """Whether the stored object is what merging the PATCH's arrays into the stored ones gives:
    the `merge` reading of the patch-arrays ambiguity (specs/ambiguities.yaml)."""
    stored_before = before if isinstance(before, dict) else {}
    arrays = {k: v for k, v in changes.items() if isinstance(v, list)}
    if not arrays:
        return False
    merged = {**expected, **{k: (stored_before.get(k) or []) + v for k, v in arrays.items()}}
    return not differences(merged, after.data)


@pytest.mark.rule("LOC-004")
def test_url_party_differs_from_body(judge: Judge) -> None:
    receiver = Receiver(judge)
    body = plain_location(receiver.party)
    receiver.check_party_mismatch_refused("LOC-004", body)


@pytest.mark.rule("TRANS-038", "LOC-012")
def test_patch_without_last_updated(judge: Judge) -> None:
    receiver = Receiver(judge)
    location = plain_location(receiver.party)
    receiver.push(location)
    reply = receiver.send("PATCH", receiver.at(location["id"]), {"name": "Not without a stamp"})
    check_status(judge.ledger, "TRANS-038", reply.exchange, http=(200, 400), ocpi=2001)
    got = receiver.send("GET", receiver.at(location["id"]))
    diff = differences(location, got.data)
    judge.ledger.check(
        "TRANS-038",
        stored(got) and not diff,
        expected="the Location unchanged after the refused PATCH",
        actual=diff or f"HTTP {got.status}",
        exchange=got.exchange,
    )


@pytest.mark.rule("LOC-010")
def test_unknown_objects_are_404(judge: Judge) -> None:
    receiver = Receiver(judge)
    location = plain_location(receiver.party)
    receiver.push(location)
    for parts in ((fresh_id("NONE"),), (location["id"], "NO-SUCH-EVSE"),
                  (location["id"], location["evses"][0]["uid"], "77")):  # fmt: skip
        reply = receiver.send("GET", receiver.at(*parts))
        check_status(judge.ledger, "LOC-010", reply.exchange, http=404)


@pytest.mark.rule("TRANS-036")
def test_foreign_party_is_not_stored(judge: Judge) -> None:
    """§4.1.5.1: a Location under a country_code/party_id that is none of our roles (URL and
    body agree, unlike LOC-004's mismatch) is refused and not served."""
    receiver = Receiver(judge)
    receiver.check_foreign_party_refused(plain_location(receiver.party))


@pytest.mark.rule("TRANS-037")
def test_url_id_differs_from_body(judge: Judge) -> None:
    receiver = Receiver(judge)
    location = plain_location(receiver.party)
    url_id = fresh_id("URL")
    reply = receiver.send("PUT", receiver.at(url_id), location)
    check_status(judge.ledger, "TRANS-037", reply.exchange, http=(200, 400, 404), ocpi=2001)
    for object_id in (url_id, location["id"]):
        got = receiver.send("GET", receiver.at(object_id))
        judge.ledger.check(
            "TRANS-037",
            not stored(got),
            expected="nothing stored by the refused PUT",
            actual=f"HTTP {got.status}, data {str(got.data)[:120]}",
            exchange=got.exchange,
        )
