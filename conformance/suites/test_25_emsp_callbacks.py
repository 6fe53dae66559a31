"""Callbacks an eMSP hosts: the CommandResult at a command's `response_url` (§13.2.2) and the
ChargingProfile results at theirs (§14.4.2). The judge learns such URLs only from commands and
profile requests the eMSP sent to our counterpart (the reference CPO) during the run."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conformance.checks.objects import check_status
from conformance.exchange import Exchange
from conformance.session import Judge
from conformance.suites.conftest import registered

COMMANDS = "/ocpi/cpo/2.2.1/commands/"
PROFILES = "/ocpi/cpo/2.2.1/chargingprofiles/"


def _sent(judge: Judge, path: str, methods: tuple[str, ...]) -> list[tuple[Exchange, str]]:
    """(exchange, response_url) of what the target sent our counterpart under `path`."""
    found = []
    for exchange in judge.counterpart.inbound():
        if exchange.method not in methods or path not in exchange.url:
            continue
        url = None
        try:
            body = json.loads(exchange.request_body or "null")
        except ValueError:
            body = None
        if isinstance(body, dict):
            url = body.get("response_url")
        if url is None and "response_url=" in exchange.url:
            urls = parse_qs(urlsplit(exchange.url).query).get("response_url")
            url = urls[0] if urls else None
        if isinstance(url, str):
            found.append((exchange, url))
    return found


@pytest.mark.rule("CMD-014")
def test_command_result_accepted(judge: Judge) -> None:
    registration = registered(judge)
    sent = _sent(judge, COMMANDS, ("POST",))
    if not sent:
        pytest.skip("the target sent no command to our counterpart: no response_url to call")
    for _, url in sent:
        body: dict[str, Any] = {"result": "ACCEPTED"}
        reply = judge.client.request(
            "POST", url, module="commands", token=registration.token, json=body
        )
        check_status(judge.ledger, "CMD-014", reply.exchange, http=200,
                     ocpi=tuple(range(1000, 2000)))  # fmt: skip


@pytest.mark.rule("CP-003")
def test_charging_profile_results_have_no_data(judge: Judge) -> None:
    registration = registered(judge)
    sent = _sent(judge, PROFILES, ("GET", "PUT", "DELETE"))
    if not sent:
        pytest.skip(
            "the target sent no ChargingProfile request to our counterpart: no response_url"
        )
    results = {"GET": {"result": "ACCEPTED"}, "PUT": {"result": "ACCEPTED"},
               "DELETE": {"result": "ACCEPTED"}}  # fmt: skip
    for exchange, url in sent:
        reply = judge.client.request(
            "POST", url, module="chargingprofiles", token=registration.token,
            json=results[exchange.method],
        )  # fmt: skip
        judge.ledger.check(
            "CP-003",
            isinstance(reply.body, dict) and "data" not in reply.body,
            expected="an answer without a data field",
            actual=str(reply.body)[:160],
            exchange=reply.exchange,
        )
