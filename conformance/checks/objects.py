"""Object conformance: what a party sends validates against the YAML (never the simulator)."""

from __future__ import annotations

from typing import Any

from conformance.client import Reply, ocpi_code
from conformance.exchange import Exchange
from conformance.verdicts import Ledger, NoAnswer
from specs import contract

__all__ = ["NoAnswer", "bare_error", "check_object", "check_status", "refused", "single_object"]

#: The rules that own "401, not 403" (§4.1.2 via §5): everywhere else a 403 where 401 is due
#: is read as the refusal it is, and said so, so that one status deviation is one finding.
UNAUTHORIZED_RULES = frozenset({"TRANS-001", "TRANS-002"})

#: Keys by which a body without the OCPI envelope still says it is an error.
_ERROR_KEYS = ("error", "errors", "detail", "message", "status_message")


def bare_error(body: Any) -> bool:
    """An error answered without the envelope: no status_code, no data, an error message."""
    return (
        isinstance(body, dict)
        and "status_code" not in body
        and body.get("data") is None
        and any(key in body for key in _ERROR_KEYS)
    )


def refused(ledger: Ledger, rule_id: str, reply: Reply) -> bool:
    """Whether the target refused a request: HTTP 404, or OCPI 2001 under any HTTP status.
    Lenient reading: an error without the envelope (`bare_error`, TRANS-012/013's deviation)
    is read as the refusal it stands for, and said so under `rule_id`."""
    if reply.status == 404 or reply.ocpi_status == 2001:
        return True
    if bare_error(reply.body):
        ledger.reading(
            rule_id, "an error body without the OCPI envelope read as a refusal", reply.exchange
        )
        return True
    return False


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


def single_object(ledger: Ledger, rule_id: str, reply: Reply) -> dict[str, Any] | None:
    """The one object a GET of one object answers. Lenient reading: `data` holding a list of
    exactly one object is read as that object, and said so under `rule_id` (whose object
    check records the deviation itself). None when there is no object to go on with."""
    data = reply.data
    if isinstance(data, dict):
        return data
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        ledger.reading(
            rule_id, "data was a one-element list; read as the object it holds", reply.exchange
        )
        return data[0]
    return None


def check_status(
    ledger: Ledger,
    rule_id: str,
    exchange: Exchange,
    *,
    http: int | tuple[int, ...],
    ocpi: int | tuple[int, ...] | None = None,
) -> bool:
    """The HTTP status (and, when given, the OCPI status_code) a rule requires. A request that
    got no answer at all is no verdict on a rule: the test is blocked (`NoAnswer`).
    Lenient reading: an answer without the envelope (no status_code at all) is judged on its
    HTTP status and on whether it says it is an error (`bare_error`) where an error code is
    wanted, or not where a success is; the missing envelope is TRANS-012/013's violation."""
    if exchange.status is None:
        raise NoAnswer(exchange)
    https = (http,) if isinstance(http, int) else http
    if 401 in https and exchange.status == 403 and rule_id not in UNAUTHORIZED_RULES:
        ledger.reading(
            rule_id,
            "HTTP 403 read as the refusal HTTP 401 stands for (the status itself is judged by "
            "TRANS-001/TRANS-002)",
            exchange,
        )
        https = (*https, 403)
    body = exchange.json()
    status_code = ocpi_code(body)
    ocpis = (ocpi,) if isinstance(ocpi, int) else ocpi
    if ocpis is not None and status_code is None and exchange.status in https:
        wants_error = all(code >= 2000 for code in ocpis)
        if bare_error(body) == wants_error:
            ledger.reading(
                rule_id,
                f"an answer without an OCPI status_code judged on its HTTP status "
                f"{exchange.status} and on {'being' if wants_error else 'not being'} an error",
                exchange,
            )
            ocpis = None
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
