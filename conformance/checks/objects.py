"""Object conformance: what a party sends validates against the YAML (never the simulator)."""

from __future__ import annotations

from typing import Any

from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs import contract


class NoAnswer(RuntimeError):
    """The target could not be reached, or the request could not be sent."""


def check_object(
    ledger: Ledger, rule_id: str, value: Any, schema: str, exchange: Exchange | None
) -> bool:
    """`value` must validate against the component schema `schema` of specs/ocpi-2.2.1."""
    problems = contract.errors(value, schema)
    return ledger.check(
        rule_id,
        not problems,
        expected=f"a valid {schema} (specs/ocpi-2.2.1/components.yaml)",
        actual="; ".join(problems[:5]),
        exchange=exchange,
    )


def check_status(
    ledger: Ledger,
    rule_id: str,
    exchange: Exchange,
    *,
    http: int | tuple[int, ...],
    ocpi: int | tuple[int, ...] | None = None,
) -> bool:
    """The HTTP status (and, when given, the OCPI status_code) a rule requires. A request that
    got no answer at all is no verdict on a rule: the test errors with the transport error."""
    if exchange.status is None:
        raise NoAnswer(f"{exchange.method} {exchange.url}: no HTTP answer ({exchange.error})")
    https = (http,) if isinstance(http, int) else http
    body = exchange.json()
    status_code = body.get("status_code") if isinstance(body, dict) else None
    ocpis = (ocpi,) if isinstance(ocpi, int) else ocpi
    ok = exchange.status in https and (ocpis is None or status_code in ocpis)
    wanted = f"HTTP {' or '.join(map(str, https))}"
    if ocpis is not None:
        wanted += f" with OCPI {' or '.join(map(str, ocpis))}"
    return ledger.check(
        rule_id,
        ok,
        expected=wanted,
        actual=f"HTTP {exchange.status}, OCPI {status_code}",
        exchange=exchange,
    )
