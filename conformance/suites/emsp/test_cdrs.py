"""CDRs Receiver of an eMSP (§10.2.2): POST a CDR, GET it at the `Location` the eMSP answered;
CDRs are immutable, so PUT, PATCH and DELETE never change a stored one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
from hypothesis import given

from conformance.checks.compare import differences
from conformance.checks.objects import check_status
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.generators import (
    ReceiverUnderTest,
    fresh_id,
    objects,
    owned,
    quick,
)
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("modules")

MODULE = "cdrs"


class Receiver(ReceiverUnderTest):
    module = MODULE

    def post(self, cdr: dict[str, Any]) -> str:
        """POST `cdr`; CDR-001 on the answer; the URL of the stored CDR. Lenient reading: a
        relative Location is resolved against the POST's URL; none at all blocks the test."""
        reply = self.send("POST", self.url, cdr)
        check_status(self.judge.ledger, "CDR-001", reply.exchange, http=(200, 201), ocpi=1000)
        check_status(self.judge.ledger, "TRANS-011", reply.exchange, http=201)
        location = reply.exchange.response_headers.get("location") or next(
            (v for k, v in reply.exchange.response_headers.items() if k.lower() == "location"), ""
        )
        self.judge.ledger.check(
            "CDR-001",
            location.startswith(("http://", "https://")),
            expected="a Location header with the absolute URL of the stored CDR (§10.2.2.2)",
            actual=location or "no Location header",
            exchange=reply.exchange,
        )
        if not location:
            raise Blocked(
                "no Location header to GET the stored CDR at (see CDR-001)", reply.exchange
            )
        if not location.startswith(("http://", "https://")):
            self.judge.ledger.reading(
                "CDR-001", f"relative Location {location!r} resolved", reply.exchange
            )
        return urljoin(reply.exchange.url, location)


def _same_cdr(judge: Judge, rule: str, cdr: dict[str, Any], got: Reply) -> None:
    check_status(judge.ledger, rule, got.exchange, http=200, ocpi=1000)
    diff = differences(cdr, got.data)
    judge.ledger.check(rule, not diff, expected="the CDR as posted", actual=diff,
                       exchange=got.exchange)  # fmt: skip


@pytest.mark.rule("CDR-001", "CDR-002", "TRANS-011")
@quick(2)
@given(value=objects("CDR"))
def test_post_then_get_at_location(judge: Judge, value: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    cdr = owned(value, receiver.party, fresh_id("CDR"))
    location = receiver.post(cdr)
    _same_cdr(judge, "CDR-002", cdr, receiver.send("GET", location))


@pytest.mark.rule("CDR-003")
@quick(2)
@given(value=objects("CDR"), other=objects("CDR"))
def test_stored_cdr_cannot_be_changed(
    judge: Judge, value: dict[str, Any], other: dict[str, Any]
) -> None:
    receiver = Receiver(judge)
    cdr = owned(value, receiver.party, fresh_id("CDR"))
    location = receiver.post(cdr)
    changed = owned(other, receiver.party, cdr["id"])
    for method, body in (("PUT", changed), ("PATCH", {"total_energy": 1.5,
                         "last_updated": changed["last_updated"]}), ("DELETE", None)):  # fmt: skip
        # no such operation in OCPI: only its effect is judged, not the refusal's transport
        receiver.send(method, location, body, check=False)
        _same_cdr(judge, "CDR-003", cdr, receiver.send("GET", location))


@pytest.mark.rule("CDR-012")
def test_unknown_cdr_is_404(judge: Judge) -> None:
    receiver = Receiver(judge)
    url = receiver.url + "/" + fresh_id("NONE")
    reply = receiver.send("GET", url)
    check_status(judge.ledger, "CDR-012", reply.exchange, http=404)
