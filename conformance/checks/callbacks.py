"""Callbacks a CPO owes the judge at a response_url it handed out: the CommandResult (§13.2.2)
and the ChargingProfile results (§14.4.2). Whether one arrived, when, and what it held, judged
from the exchange our counterpart recorded (never from the counterpart's own answer); and the
synchronous answer that announced it (`check_answer`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from conformance.checks.objects import check_object, check_status
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.verdicts import Blocked, Ledger

#: Seconds beyond the announced timeout before a result that has not come counts as never sent:
#: after the timeout "the eMSP may assume it will never come" (§13.3.2); this is for the wire.
GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Awaited:
    """What came to one response_url while the judge waited, and how long it waited."""

    exchange: Exchange | None  # the first POST that arrived there
    after: float | None  # seconds from sending the request to the callback's arrival
    waited: float  # seconds the judge waited in all
    timeout: int | None  # the timeout the target announced in its synchronous answer

    @property
    def owed_by(self) -> float | None:
        """Seconds after which a missing callback is a missing callback (timeout + grace)."""
        return None if self.timeout is None else self.timeout + GRACE_SECONDS


def request_json(exchange: Exchange) -> Any:
    """The body the target sent us, parsed (None when absent or not JSON)."""
    try:
        return json.loads(exchange.request_body or "null")
    except ValueError:
        return None


def judge_callback(
    ledger: Ledger,
    awaited: Awaited,
    *,
    arrived_rule: str,
    schema_rule: str,
    schema: str,
    request: Exchange,
    timely_rule: str | None = None,
    go_on: bool = False,
) -> Any:
    """`arrived_rule`: a callback came (or the announced timeout passed without one: a
    violation); `timely_rule`: it came within the announced timeout; `schema_rule`: its body is
    a valid `schema`. Returns the body, or None when no verdict was possible: the judge stopped
    waiting before the target's own timeout had passed (--max-wait; recorded as blocked).
    With `go_on` (a test that works on with the body): `Blocked` when nothing arrived, the
    verdict on that already recorded, and the body as a dict."""
    if awaited.exchange is None:
        owed_by = awaited.owed_by
        if owed_by is not None and awaited.waited < owed_by:
            reason = (
                f"timeout: no {schema} within the {awaited.waited:.0f} s the judge waits "
                f"(--max-wait); the target announced a timeout of {awaited.timeout} s"
            )
            ledger.blocked(arrived_rule, reason, request)
            if timely_rule:
                ledger.blocked(timely_rule, reason, request)
        else:
            announced = "no timeout" if awaited.timeout is None else f"{awaited.timeout} s"
            ledger.check(
                arrived_rule,
                False,
                expected=f"a {schema} POSTed to the response_url the judge gave, within the "
                f"announced timeout ({announced}) and {GRACE_SECONDS:.0f} s of grace",
                actual=f"nothing arrived there in {awaited.waited:.1f} s",
                exchange=request,
            )
        if go_on:
            raise Blocked(
                f"no {schema} arrived to judge within {awaited.waited:.0f} s (the target "
                f"announced {awaited.timeout} s; see {arrived_rule})",
                request,
            )
        return None
    exchange = awaited.exchange
    ledger.passed(arrived_rule)
    if timely_rule:
        after = awaited.after
        ledger.check(
            timely_rule,
            after is not None and awaited.timeout is not None and after <= awaited.timeout,
            expected=f"the {schema} within the announced timeout of {awaited.timeout} s",
            actual="arrival time unknown" if after is None else f"it arrived after {after:.1f} s",
            exchange=exchange,
        )
    body = request_json(exchange)
    check_object(ledger, schema_rule, body, schema, exchange)
    if go_on and not isinstance(body, dict):
        return {}
    return body


def check_answer(ledger: Ledger, reply: Reply, rule: str, schema_rule: str, schema: str) -> None:
    """The synchronous answer to a command or ChargingProfiles request: OCPI 1000 with data =
    `schema`, holding a result and the timeout its asynchronous result is due in (§13.3.2,
    §14.4.1)."""
    exchange = reply.exchange
    data = reply.data if isinstance(reply.data, dict) else {}
    timeout = data.get("timeout")
    check_status(ledger, rule, exchange, http=200, ocpi=1000)
    ledger.check(
        rule,
        isinstance(data.get("result"), str)
        and isinstance(timeout, int)
        and not isinstance(timeout, bool),
        expected=f"data = {schema} with a result and a timeout in seconds",
        actual=reply.data,
        exchange=exchange,
    )
    check_object(ledger, schema_rule, reply.data, schema, exchange)
