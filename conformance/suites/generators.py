"""Hypothesis strategies for addressable OCPI 2.2.1 objects, and helpers to compare them.

Objects come from the YAML contract (`specs.contract.schema_for`) through hypothesis-jsonschema;
the identifiers a URL addresses (`country_code`, `party_id`, `id`, EVSE `uid`, Connector `id`)
and `last_updated` are then overwritten so that the object can be PUT, read back and compared.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from conformance.checks.objects import refused
from conformance.checks.refusals import check_foreign_party, stored
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.conftest import interface
from conformance.verdicts import NoAnswer
from specs import contract


@cache
def _raw(name: str) -> st.SearchStrategy[Any]:
    schema = {k: v for k, v in contract.schema_for(name).items() if k != "$schema"}
    return from_schema(schema)


def objects(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Any valid `name` (a component schema of specs/ocpi-2.2.1), as generated."""
    return _raw(name).filter(
        lambda value: isinstance(value, dict) and not contract.errors(value, name)
    )


def fresh_id(prefix: str = "PF") -> str:
    """A URL-safe identifier no target has seen (CiString(36))."""
    return f"{prefix}-{uuid.uuid4().hex[:20]}".upper()


def stamp(moment: datetime | None = None) -> str:
    """A DateTime in the plain §16.2 form, UTC, whole seconds."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def later(seconds: int) -> str:
    return stamp(datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds))


def owned(value: dict[str, Any], party: dict[str, Any], object_id: str) -> dict[str, Any]:
    """`value` made addressable: the party's country_code/party_id, `object_id`, now."""
    value = copy.deepcopy(value)
    value["country_code"] = party["country_code"]
    value["party_id"] = party["party_id"]
    value["id"] = object_id
    value["last_updated"] = stamp()
    return value


def addressable_location(value: dict[str, Any], party: dict[str, Any]) -> dict[str, Any]:
    """A Location whose EVSE uids and Connector ids are unique and URL-safe."""
    location = owned(value, party, fresh_id("LOC"))
    for n, evse in enumerate(location.get("evses") or []):
        evse["uid"] = f"{location['id']}-E{n}"
        evse["last_updated"] = location["last_updated"]
        for m, connector in enumerate(evse.get("connectors") or []):
            connector["id"] = str(m + 1)
            connector["last_updated"] = location["last_updated"]
    return location


def addressable_evse(value: dict[str, Any], uid: str) -> dict[str, Any]:
    evse = copy.deepcopy(value)
    evse["uid"] = uid
    evse["last_updated"] = stamp()
    for m, connector in enumerate(evse.get("connectors") or []):
        connector["id"] = str(m + 1)
        connector["last_updated"] = evse["last_updated"]
    return evse


def addressable_connector(value: dict[str, Any], connector_id: str) -> dict[str, Any]:
    connector = copy.deepcopy(value)
    connector["id"] = connector_id
    connector["last_updated"] = stamp()
    return connector


# --- the judge's side ---------------------------------------------------------------------------


def our_party(judge: Any) -> dict[str, Any]:
    """The CPO role our counterpart registered with the target: pushed objects carry it."""
    roles = judge.counterpart.credentials("x")["roles"]
    cpo = [r for r in roles if isinstance(r, dict) and r.get("role") == "CPO"]
    role: dict[str, Any] = (cpo or roles)[0]
    return {"country_code": role["country_code"], "party_id": role["party_id"]}


def foreign_party(judge: Any) -> dict[str, str]:
    """A country_code/party_id among none of the roles our counterpart registered (§4.1.5.1)."""
    roles = judge.counterpart.credentials("x")["roles"]
    ours = {(str(r.get("country_code")).upper(), str(r.get("party_id")).upper())
            for r in roles if isinstance(r, dict)}  # fmt: skip
    cc, pid = next(p for p in (("ZZ", "ZZZ"), ("ZZ", "ZZY"), ("ZY", "ZZZ")) if p not in ours)
    return {"country_code": cc, "party_id": pid}


def plain_location(party: dict[str, Any]) -> dict[str, Any]:
    """A small fixed valid Location of `party` with one AVAILABLE EVSE and one Connector."""
    now = later(0)
    location = {
        "country_code": party["country_code"], "party_id": party["party_id"],
        "id": fresh_id("LOC"), "publish": True, "address": "Stationsplein 1",
        "city": "Utrecht", "country": "NLD", "time_zone": "Europe/Amsterdam",
        "coordinates": {"latitude": "52.089444", "longitude": "5.110278"},
        "last_updated": now,
    }  # fmt: skip
    location["evses"] = [{
        "uid": f"{location['id']}-E1", "status": "AVAILABLE", "last_updated": now,
        "connectors": [{
            "id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
            "max_voltage": 230, "max_amperage": 16, "last_updated": now,
        }],
    }]  # fmt: skip
    return location


def ok(reply: Any) -> bool:
    code = reply.ocpi_status
    return bool(reply.status in (200, 201) and isinstance(code, int) and 1000 <= code < 2000)


def quick(examples: int) -> settings:
    """Hypothesis settings for suites that talk to a target: few examples, no deadline."""
    return settings(
        suppress_health_check=[
            HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large
        ],
        deadline=None,
        max_examples=min(settings().max_examples, examples),
    )  # fmt: skip


class ReceiverUnderTest:
    """The target's Receiver interface of one module, as our own role sees it (§4.1.5 URLs)."""

    module: ClassVar[str]

    def __init__(self, judge: Judge) -> None:
        url, token = interface(judge, self.module, "RECEIVER", "emsp")
        self.judge, self.token, self.url = judge, token, url.rstrip("/")
        self.party = our_party(judge)

    def at(self, *parts: str, cc: str | None = None, pid: str | None = None) -> str:
        """`{url}/{country_code}/{party_id}/...`, our own party unless told otherwise."""
        cc, pid = cc or self.party["country_code"], pid or self.party["party_id"]
        return "/".join([self.url, cc, pid, *parts])

    def send(self, method: str, url: str, body: Any = None, *, check: bool = True) -> Reply:
        return self.judge.client.request(
            method, url, module=self.module, token=self.token, json=body, check=check
        )

    def check_party_mismatch_refused(self, rule: str, body: dict[str, Any]) -> None:
        """`rule` (§4.1.5): our `body` PUT under another party's URL, and another party's body
        under ours, are both refused, and neither is stored."""
        elsewhere = {"country_code": "ZZ", "party_id": "ZZZ"}
        cases = [
            (self.at(body["id"], cc="ZZ", pid="ZZZ"), body),  # our body under another URL
            (self.at(body["id"]), {**body, **elsewhere}),  # another party's body under ours
        ]
        for url, sent in cases:
            reply = self.send("PUT", url, sent)
            self.judge.ledger.check(
                rule,
                refused(self.judge.ledger, rule, reply),
                expected="OCPI 2001 or HTTP 404 for a PUT whose URL and body parties differ",
                actual=f"HTTP {reply.status}, OCPI {reply.ocpi_status}",
                exchange=reply.exchange,
            )
        got = self.send("GET", self.at(body["id"]))
        self.judge.ledger.check(
            rule,
            not stored(got),
            expected="nothing stored by the refused PUTs",
            actual=f"HTTP {got.status}, data {str(got.data)[:120]}",
            exchange=got.exchange,
        )

    def check_foreign_party_refused(self, body: dict[str, Any]) -> None:
        """TRANS-036: `body` PUT, URL and body alike, under a party none of our roles."""
        foreign = foreign_party(self.judge)
        url = self.at(body["id"], cc=foreign["country_code"], pid=foreign["party_id"])
        put = self.send("PUT", url, {**body, **foreign})
        if put.status is None:
            raise NoAnswer(put.exchange)
        check_foreign_party(self.judge.ledger, foreign, put, self.send("GET", url))
