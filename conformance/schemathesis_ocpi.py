"""OCPI's readings for schemathesis, registered on import (issue #16): the judge imports this
module before it fuzzes, and `plugfest fuzz` names it in `SCHEMATHESIS_HOOKS` for the
schemathesis command line, so both run the same checks.

- `map_case`: a fuzzed `response_url` goes nowhere (a judge never makes a target call out
  anywhere else).
- `ocpi_negative_data_rejection`: schemathesis's `negative_data_rejection`, read as OCPI reports
  errors: a refusal may travel in HTTP 200 with an OCPI 2xxx status_code (§5). It replaces the
  built-in, whose HTTP reading would blame every party that follows §5.
- `OPERATIONS`: per-operation settings where OCPI's semantics differ from what schemathesis
  infers.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.specs.openapi.checks import negative_data_rejection

from conformance.checks.objects import bare_error
from conformance.client import ocpi_code

NOWHERE = "http://127.0.0.1:9/plugfest-fuzz"  # where fuzzed callbacks (response_url) go
CHECK = "ocpi_negative_data_rejection"

#: §14.2: DELETE of ChargingProfiles clears a profile; the URL still answers its GET (with
#: UNKNOWN_SESSION or the active profile), so "deleted, yet available" is no violation there.
OPERATIONS: list[dict[str, Any]] = [
    {"include-path-regex": "/chargingprofiles/", "checks": {"use_after_free": {"enabled": False}}}
]


@schemathesis.hook
def map_case(ctx: Any, case: Any) -> Any:
    """A fuzzed `response_url` goes nowhere: never let the target call out anywhere else."""
    if isinstance(case.body, dict) and "response_url" in case.body:
        case.body = {**case.body, "response_url": NOWHERE}
    if case.query and "response_url" in case.query:
        case.query = {**case.query, "response_url": NOWHERE}
    return case


@schemathesis.check
def ocpi_negative_data_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's `negative_data_rejection`; a refusal in HTTP 200 with an OCPI 2xxx
    status_code counts as one (§5: OCPI errors travel in the envelope). Lenient readings: an
    error body without the envelope is the refusal it stands for (TRANS-012/013's deviation,
    judged on every exchange), and only a broken body is judged: an id in the path the contract
    would not allow may be answered as an unknown object, a header ignored, and a query value
    the server can still read unambiguously (a DateTime longer than string(25)) taken."""
    if not judged_input(case):
        return True
    try:
        result: bool | None = negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        body = parsed(response)
        if response.status_code == 200 and (_ocpi_client_error(body) or bare_error(body)):
            return True
        raise
    return result


def judged_input(case: Any) -> bool:
    """Whether a case is negative in its body (what `ocpi_negative_data_rejection` judges)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    broken = {str(getattr(where, "value", where)) for where, info in meta.components.items()
              if info.mode.is_negative}  # fmt: skip
    return "body" in broken


def bare_refusal(case: Any, response: Any) -> bool:
    """Whether `ocpi_negative_data_rejection` passed by reading an error body without the
    envelope as a refusal (the judge says so under TRANS-042)."""
    return judged_input(case) and response.status_code == 200 and bare_error(parsed(response))


def parsed(response: Any) -> Any:
    """A schemathesis response's body as JSON, or None."""
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _ocpi_client_error(body: Any) -> bool:
    code = ocpi_code(body)  # leniently: "2001" is 2001 (a string is TRANS-012's deviation)
    return isinstance(code, int) and 2000 <= code < 3000
