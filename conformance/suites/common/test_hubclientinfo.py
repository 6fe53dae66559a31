"""The HubClientInfo Receiver (§15.3.1): a ClientInfo PUT is served back by GET; unknown: 404.

The judge plays the Hub telling the target about a connected party, under a party id unique to
the run, so that no real party's ClientInfo is touched.
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime

import pytest

from conformance.checks.compare import differences
from conformance.checks.objects import check_object, check_status
from conformance.session import Judge
from conformance.suites.conftest import interface

pytestmark = pytest.mark.phase("modules")


def _receiver(judge: Judge) -> tuple[str, str]:
    url, token = interface(judge, "hubclientinfo", "RECEIVER", None)
    return url.rstrip("/"), token


def _party_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(random.choices(alphabet, k=3))  # noqa: S311 - an id, not a secret


@pytest.mark.rule("HUB-002")
def test_put_then_get_client_info(judge: Judge) -> None:
    url, token = _receiver(judge)
    party_id = _party_id()
    info = {
        "party_id": party_id,
        "country_code": "PF",
        "role": "EMSP",
        "status": "CONNECTED",
        "last_updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    target = f"{url}/PF/{party_id}"
    put = judge.client.request("PUT", target, module="hubclientinfo", token=token, json=info)
    check_status(judge.ledger, "HUB-002", put.exchange, http=(200, 201), ocpi=1000)
    got = judge.client.request("GET", target, module="hubclientinfo", token=token)
    check_status(judge.ledger, "HUB-002", got.exchange, http=200, ocpi=1000)
    check_object(judge.ledger, "HUB-002", got.data, "ClientInfo", got.exchange)
    judge.ledger.check(
        "HUB-002",
        not differences(info, got.data),
        expected=f"the ClientInfo as pushed (compared by meaning): {info}",
        actual=got.data,
        exchange=got.exchange,
    )
    update = {**info, "status": "SUSPENDED"}
    put = judge.client.request("PUT", target, module="hubclientinfo", token=token, json=update)
    check_status(judge.ledger, "HUB-002", put.exchange, http=(200, 201), ocpi=1000)
    got = judge.client.request("GET", target, module="hubclientinfo", token=token)
    judge.ledger.check(
        "HUB-002",
        not differences(update, got.data),
        expected=f"the ClientInfo as pushed last: {update}",
        actual=got.data,
        exchange=got.exchange,
    )


@pytest.mark.rule("HUB-004")
def test_unknown_client_info_is_404(judge: Judge) -> None:
    url, token = _receiver(judge)
    reply = judge.client.request(
        "GET", f"{url}/PZ/{_party_id()}", module="hubclientinfo", token=token
    )
    check_status(judge.ledger, "HUB-004", reply.exchange, http=404)
