"""Refusals and absences every module owes alike: an unknown object's 404 in the envelope
(TRANS-010, §5), nothing stored under a party none of the caller's roles (TRANS-036, §4.1.5.1),
and whether a GET found anything at all."""

from __future__ import annotations

from typing import Any

from conformance.checks.objects import bare_error
from conformance.client import Reply
from conformance.verdicts import Ledger, NoAnswer


def check_not_found(ledger: Ledger, reply: Reply) -> bool:
    """TRANS-010 (§5): a GET of a URL that names no resource gets HTTP 404. Judged on a path
    no module has: an unknown object of a module is that module's rule (LOC-010, ...), and the
    envelope of the answer TRANS-013's, so that one deviation is one finding."""
    if reply.status is None:
        raise NoAnswer(reply.exchange)
    return ledger.check(
        "TRANS-010",
        reply.status == 404,
        expected="HTTP 404 for a URL that names no resource",
        actual=f"HTTP {reply.status}",
        exchange=reply.exchange,
    )


def check_foreign_party(ledger: Ledger, foreign: dict[str, str], put: Reply, get: Reply) -> None:
    """TRANS-036 (§4.1.5.1): an object PUT (URL and body alike) under `foreign`, a party none of
    the caller's credentials roles, is not stored: the PUT is refused (HTTP 4xx or an OCPI
    error; 404 is the advised answer) and the GET of its URL serves nothing."""
    code = put.ocpi_status
    refusal = (put.status or 0) >= 400 or (isinstance(code, int) and code >= 2000)
    if not refusal and bare_error(put.body):
        ledger.reading(
            "TRANS-036", "an error body without the OCPI envelope read as a refusal", put.exchange
        )
        refusal = True
    party = f"{foreign['country_code']}/{foreign['party_id']}"
    ledger.check(
        "TRANS-036",
        refusal,
        expected=f"HTTP 4xx or an OCPI error for a PUT under {party}, none of the caller's roles",
        actual=f"HTTP {put.status}, OCPI {code}",
        exchange=put.exchange,
    )
    ledger.check(
        "TRANS-036",
        not stored(get),
        expected=f"nothing served under {party}, none of the caller's roles",
        actual=f"HTTP {get.status}, data {str(get.data)[:120]}",
        exchange=get.exchange,
    )


def stored(reply: Any) -> bool:
    """Whether a GET found something (HTTP 200, 1xxx and data)."""
    code = reply.ocpi_status
    return bool(reply.status == 200 and isinstance(code, int) and code < 2000 and reply.data)
