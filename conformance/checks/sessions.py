"""What a CPO answers about a Session it runs: charging preferences (§9.2.1.2), taken at an EVSE
that can use them and refused at one that cannot."""

from __future__ import annotations

from collections.abc import Collection

from conformance.checks.objects import check_object, check_status
from conformance.client import Reply
from conformance.verdicts import Ledger

PREFERENCES_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"


def check_preferences(
    ledger: Ledger, reply: Reply, capabilities: Collection[str], evse: str
) -> None:
    """The answer to charging preferences PUT for an active Session at EVSE `evse` (with
    `capabilities`): at an EVSE with CHARGING_PREFERENCES_CAPABLE, data = a
    ChargingPreferencesResponse (SES-009); at one without, HTTP 404 with OCPI 2001 (SES-010,
    §9.4.1)."""
    if PREFERENCES_CAPABLE in capabilities:
        ledger.skipped("SES-010", f"the session's EVSE {evse} is {PREFERENCES_CAPABLE}")
        if check_status(ledger, "SES-009", reply.exchange, http=200, ocpi=1000):
            check_object(ledger, "SES-009", reply.data, "ChargingPreferencesResponse",
                         reply.exchange)  # fmt: skip
    else:
        ledger.skipped("SES-009", f"the session's EVSE {evse} is not {PREFERENCES_CAPABLE}")
        check_status(ledger, "SES-010", reply.exchange, http=404, ocpi=2001)
