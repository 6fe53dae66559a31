"""Tariffs Receiver of an eMSP (§11.2.2): PUT, GET and DELETE; no PATCH or POST."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from conformance.checks.compare import differences
from conformance.checks.objects import check_status
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.generators import (
    ReceiverUnderTest,
    fresh_id,
    later,
    objects,
    owned,
    quick,
)

pytestmark = pytest.mark.phase("modules")

MODULE = "tariffs"


class Receiver(ReceiverUnderTest):
    module = MODULE

    def push(self, tariff: dict[str, Any]) -> None:
        reply = self.send("PUT", self.at(tariff["id"]), tariff)
        check_status(self.judge.ledger, "TAR-001", reply.exchange, http=(200, 201), ocpi=1000)


def _same(judge: Judge, rule: str, tariff: dict[str, Any], got: Reply) -> None:
    check_status(judge.ledger, rule, got.exchange, http=200, ocpi=1000)
    diff = differences(tariff, got.data)
    judge.ledger.check(rule, not diff, expected="the Tariff as pushed", actual=diff,
                       exchange=got.exchange)  # fmt: skip


@pytest.mark.rule("TAR-001", "TAR-009")
@quick(2)
@given(value=objects("Tariff"), replacement=objects("Tariff"))
def test_put_get_delete(judge: Judge, value: dict[str, Any], replacement: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    tariff = owned(value, receiver.party, fresh_id("TAR"))
    receiver.push(tariff)
    _same(judge, "TAR-001", tariff, receiver.send("GET", receiver.at(tariff["id"])))
    newer = owned(replacement, receiver.party, tariff["id"])
    newer["last_updated"] = later(60)
    receiver.push(newer)
    _same(judge, "TAR-001", newer, receiver.send("GET", receiver.at(tariff["id"])))
    gone = receiver.send("DELETE", receiver.at(tariff["id"]))
    check_status(judge.ledger, "TAR-001", gone.exchange, http=200, ocpi=1000)
    got = receiver.send("GET", receiver.at(tariff["id"]))
    check_status(judge.ledger, "TAR-009", got.exchange, http=404)


@pytest.mark.rule("TAR-002", "TAR-001")
@quick(2)
@given(value=objects("Tariff"), other=objects("Tariff"))
def test_patch_and_post_change_nothing(
    judge: Judge, value: dict[str, Any], other: dict[str, Any]
) -> None:
    receiver = Receiver(judge)
    tariff = owned(value, receiver.party, fresh_id("TAR"))
    receiver.push(tariff)
    changed = owned(other, receiver.party, tariff["id"])
    changed["last_updated"] = later(60)
    patch = {"currency": "XXX" if tariff.get("currency") != "XXX" else "EUR",
             "last_updated": changed["last_updated"]}  # fmt: skip
    for method, body in (("PATCH", patch), ("POST", changed)):
        # no such operation in OCPI: only its effect is judged, not the refusal's transport
        receiver.send(method, receiver.at(tariff["id"]), body, check=False)
        _same(judge, "TAR-002", tariff, receiver.send("GET", receiver.at(tariff["id"])))


@pytest.mark.rule("TAR-003")
@quick(2)
@given(value=objects("Tariff"))
def test_url_party_differs_from_body(judge: Judge, value: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    tariff = owned(value, receiver.party, fresh_id("TAR"))
    receiver.check_party_mismatch_refused("TAR-003", tariff)


@pytest.mark.rule("TRANS-036")
@quick(1)
@given(value=objects("Tariff"))
def test_foreign_party_is_not_stored(judge: Judge, value: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    receiver.check_foreign_party_refused(owned(value, receiver.party, fresh_id("TAR")))


@pytest.mark.rule("TAR-010")
def test_unknown_tariff_is_404(judge: Judge) -> None:
    receiver = Receiver(judge)
    reply = receiver.send("GET", receiver.at(fresh_id("NONE")))
    check_status(judge.ledger, "TAR-010", reply.exchange, http=404)
