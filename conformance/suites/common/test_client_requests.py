"""The target as a client: the requests it sent the judge's counterpart during the run
(registration calls, pushes, command and charging-profile results, authorization requests).

Each request was judged as it arrived, before redaction (specs/client_rules.py: TRANS-005,
TRANS-006, TRANS-018); here those findings become verdicts with the request as evidence, and the
token it carried is judged against the registration (CRED-008). This file runs after every
phase that makes the target call us and before credentials change (phase `pushes`).
"""

from __future__ import annotations

import pytest

from conformance.exchange import Exchange
from conformance.session import TOKEN_B, Judge
from conformance.suites.conftest import registered

pytestmark = pytest.mark.phase("pushes")


def _requests(judge: Judge) -> list[Exchange]:
    if judge.counterpart_url() is None:
        pytest.skip("the judge ran no counterpart: the target had nothing to call")
    inbound = judge.counterpart.inbound()
    if not inbound:
        pytest.skip("the target sent the judge's counterpart no request during the run")
    return inbound


@pytest.mark.rule("TRANS-005", "TRANS-006", "TRANS-018")
def test_requests_are_well_formed(judge: Judge) -> None:
    """§4.1.2 the token Base64-encoded, §4.1.4 a body as JSON, §4.2 a fresh X-Request-ID and an
    X-Correlation-ID, on every request the target sent us."""
    for exchange in _requests(judge):
        findings, label = judge.counterpart.judged(exchange)
        for finding in findings:
            judge.ledger.check(finding.rule, finding.ok, expected=finding.expected,
                               actual=finding.actual, exchange=exchange,
                               dispute=finding.dispute)  # fmt: skip
            if finding.rule == "TRANS-005" and not finding.ok and label:
                judge.ledger.reading("TRANS-005", f"{finding.actual} was taken by the judge's "
                                     "counterpart, to go on", exchange)  # fmt: skip


@pytest.mark.rule("CRED-008")
def test_calls_carry_token_b(judge: Judge) -> None:
    """§7.1.1: the judge started the registration, so the target calls us with the token B we
    gave it (never its own token C, nor TOKEN_A)."""
    registered(judge)
    if judge.config.token_kind != "bootstrap":
        pytest.skip("the judge was given a token C, not TOKEN_A: it did not register, and does "
                    "not know which token the target was given")  # fmt: skip
    for exchange in _requests(judge):
        credential = judge.counterpart.credential(exchange)
        if credential is None:
            continue  # no `Token` credential at all: TRANS-005's finding, not this rule's
        label = credential.label
        judge.ledger.check(
            "CRED-008",
            label is not None and label.startswith(f"{TOKEN_B}#"),
            expected="the token B the judge handed over in its Credentials",
            actual=f"the {label.split('#')[0]}" if label else "no token the judge handed over",
            exchange=exchange,
        )
