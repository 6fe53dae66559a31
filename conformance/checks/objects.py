"""Object conformance: what a party sends validates against the YAML (never the simulator)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from jsonschema.exceptions import ValidationError

from conformance.client import Reply, ocpi_code
from conformance.exchange import Exchange
from conformance.verdicts import Ledger, NoAnswer
from specs import contract
from specs.catalogue import Rule

__all__ = [
    "NoAnswer",
    "bare_error",
    "check_object",
    "check_status",
    "refused",
    "single_object",
    "validation_error",
]

#: The rules that own "401, not 403" (§4.1.2 via §5): everywhere else a 403 where 401 is due
#: is read as the refusal it is, and said so, so that one status deviation is one finding.
UNAUTHORIZED_RULES = frozenset({"TRANS-001", "TRANS-002"})

#: The YAML's pattern of a CiString (§16.1): printable ASCII.
CISTRING_PATTERN = r"^[\x20-\x7E]*$"
#: §16.7: only printable characters in a string; C0 and C1 control characters are not.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Keys by which a body without the OCPI envelope still says it is an error.
_ERROR_KEYS = ("error", "errors", "detail", "message", "status_message")
#: The rule that owns "invalid or missing parameters get OCPI 2001" (§5).
INVALID_PARAMETERS = "TRANS-042"
#: What web frameworks answer a request that fails their validation with (FastAPI and others:
#: `{"detail": ...}`), where §5 wants OCPI 2001 in the envelope.
FRAMEWORK_VALIDATION_STATUS = 422


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
    if validation_error(ledger, rule_id, reply.exchange, reply.body):
        return True
    if bare_error(reply.body):
        ledger.reading(
            rule_id, "an error body without the OCPI envelope read as a refusal", reply.exchange
        )
        return True
    return False


def validation_error(ledger: Ledger, rule_id: str, exchange: Exchange, body: Any) -> bool:
    """Whether the answer is a web framework's own validation error: HTTP 422 with an error body
    without the envelope, where §5 wants OCPI 2001. Its deviation is recorded under TRANS-042
    (no OCPI 2001; the missing envelope is TRANS-013's, judged on every exchange). Lenient
    reading: read as the 2001 refusal it stands for, and said so under `rule_id`."""
    if exchange.status != FRAMEWORK_VALIDATION_STATUS or not bare_error(body):
        return False
    ledger.check(
        INVALID_PARAMETERS,
        False,
        expected="OCPI 2001 in the response envelope for invalid or missing parameters (§5), "
        "not a web framework's HTTP 422 validation error",
        actual=f"HTTP 422 without an OCPI status_code: {(exchange.response_body or '')[:120]!r}",
        exchange=exchange,
    )
    if rule_id != INVALID_PARAMETERS:
        ledger.reading(
            rule_id,
            "HTTP 422 with an error body and no envelope (a web framework's validation error) "
            "read as the OCPI 2001 refusal it stands for (judged by TRANS-042 and TRANS-013)",
            exchange,
        )
    return True


def check_object(
    ledger: Ledger,
    rule_id: str,
    value: Any,
    schema: str,
    exchange: Exchange | None,
    *,
    ignore: Collection[str] = (),
) -> bool:
    """`value` must validate against the component schema `schema` of specs/ocpi-2.2.1. Its
    text is judged under TRANS-041 (`check_text`), which alone owns a CiString outside printable
    ASCII; problems in `ignore` belong to a more specific rule that the caller judged."""
    found = sorted(contract.iter_errors(value, schema), key=lambda e: list(e.absolute_path))
    check_text(ledger, value, found, exchange)
    problems = [f"{e.json_path}: {e.message}" for e in found if not _cistring_error(e)]
    problems = [p for p in problems if p not in ignore]
    return ledger.check(
        rule_id,
        not problems,
        expected=f"a valid {schema} (specs/ocpi-2.2.1/components.yaml)",
        actual="; ".join(problems[:5]),
        exchange=exchange,
    )


def _control_characters(value: Any, where: str = "$") -> list[str]:
    if isinstance(value, str):
        return [f"{where}: {value!r} holds a control character"] if _CONTROL.search(value) else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _control_characters(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _control_characters(v, f"{where}[{i}]")]
    return []


def _cistring_error(error: ValidationError) -> bool:
    return bool(error.validator == "pattern" and error.validator_value == CISTRING_PATTERN)


def check_text(
    ledger: Ledger, value: Any, errors: list[ValidationError], exchange: Exchange | None
) -> bool:
    """TRANS-041 (§16.1, §16.7): every CiString printable ASCII (the YAML's CiString pattern,
    among the schema `errors` of `value`), and no control character (CR, LF, tab, ...) in any
    string."""
    problems = [f"{e.json_path}: {e.instance!r} is not printable ASCII" for e in errors
                if _cistring_error(e)]  # fmt: skip
    problems += _control_characters(value)
    return ledger.check(
        "TRANS-041",
        not problems,
        expected="CiStrings in printable ASCII and no control character in any string",
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
    dispute: str | None = None,
) -> bool:
    """The HTTP status (and, when given, the OCPI status_code) a rule requires. A request that
    got no answer at all is no verdict on a rule: the test is blocked (`NoAnswer`).
    Lenient reading: an answer without the envelope (no status_code at all) is judged on its
    HTTP status and on whether it says it is an error (`bare_error`) where an error code is
    wanted, or not where a success is; the missing envelope is TRANS-012/013's violation.
    Where OCPI 2001 is wanted, a framework's HTTP 422 validation error is read as that refusal
    (`validation_error`: TRANS-042's violation).
    A failure is disputed (`dispute`, or found by `other_reading`) where another reading of the
    rule's catalogue ambiguity accepts the answer."""
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
    if (
        ocpis is not None
        and 2001 in ocpis
        and status_code is None
        and exchange.status not in https
        and rule_id != INVALID_PARAMETERS  # judged as it is: the deviation is its own
        and validation_error(ledger, rule_id, exchange, body)
    ):
        https, ocpis = (*https, FRAMEWORK_VALIDATION_STATUS), None
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
    if not ok and dispute is None:
        dispute = other_reading(ledger.rule(rule_id), exchange.status, status_code, ocpis)
    return ledger.check(
        rule_id,
        ok,
        expected=wanted,
        actual=f"HTTP {exchange.status}, OCPI {status_code}",
        exchange=exchange,
        dispute=dispute,
    )


def other_reading(
    rule: Rule, http: int | None, status_code: Any, ocpis: tuple[int, ...] | None
) -> str | None:
    """The reading of `rule`'s ambiguity (specs/ambiguities.yaml) that accepts an answer the
    applied reading refuses: `http-<status>` when one names this HTTP status; `ocpi-status` for
    HTTP 200 carrying the wanted OCPI error (or, none named, any 2xxx client error)."""
    ambiguity = rule.ambiguity
    if ambiguity is None:
        return None
    # A 403 where 401 is due counts as the 401 (as in check_status: TRANS-001/002 judge it).
    for named in (f"http-{http}", *(["http-401"] if http == 403 else [])):
        if named in ambiguity.readings and named != ambiguity.applied:
            return named
    in_envelope = (
        status_code in ocpis
        if ocpis
        else isinstance(status_code, int) and (2000 <= status_code < 3000)
    )
    if "ocpi-status" in ambiguity.readings and http == 200 and in_envelope:
        return "ocpi-status"
    return None
