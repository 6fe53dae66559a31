"""A Hypothesis state machine over the credentials lifecycle (§7), checked against a model.

Steps: register with a fresh TOKEN_A, rotate (PUT), unregister (DELETE), and use tokens that
are current or stale. The model says which token must work (200) and which must not (401).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from conformance.checks.objects import check_status
from conformance.session import Judge, Registration

pytestmark = pytest.mark.phase("credentials_changes")


class CredentialsLifecycle(RuleBasedStateMachine):
    judge: Judge  # set by the test below

    def __init__(self) -> None:
        super().__init__()
        self.current: Registration | None = None
        self.stale: list[str] = []
        self.rotated: set[str] = set()  # replaced by a PUT: the token-rotation ambiguity

    @precondition(lambda self: self.current is None)
    @rule()
    def register(self) -> None:
        token_a = self.judge.mint()
        assert token_a is not None
        reply, registration = self.judge.register(token_a)
        check_status(self.judge.ledger, "CRED-001", reply.exchange, http=200, ocpi=1000)
        self.current = registration
        self.stale.append(token_a)  # TOKEN_A is spent once registered

    @precondition(lambda self: self.current is not None)
    @rule()
    def rotate(self) -> None:
        assert self.current is not None
        handle, token_b = self.judge.token_b()
        reply = self.judge.send_credentials("PUT", self.current.token, token_b)
        check_status(self.judge.ledger, "CRED-009", reply.exchange, http=200, ocpi=1000)
        self.stale.append(self.current.token)
        self.rotated.add(self.current.token)
        self.current = self.judge.accept(reply, handle, token_b)

    @precondition(lambda self: self.current is not None)
    @rule()
    def unregister(self) -> None:
        assert self.current is not None
        reply = self.judge.send_credentials("DELETE", self.current.token)
        check_status(self.judge.ledger, "CRED-012", reply.exchange, http=200, ocpi=1000)
        self.stale.append(self.current.token)
        self.current = None

    @precondition(lambda self: self.current is not None)
    @rule()
    def post_again(self) -> None:
        assert self.current is not None
        _, token_b = self.judge.token_b()
        reply = self.judge.send_credentials("POST", self.current.token, token_b)
        check_status(self.judge.ledger, "CRED-002", reply.exchange, http=405)

    @invariant()
    def only_the_current_token_works(self) -> None:
        versions = self.judge.config.versions_url
        for token in self.stale[-2:]:
            stale = self.judge.get(versions, "versions", token)
            overlap = token in self.rotated and stale.status == 200
            check_status(self.judge.ledger, "CRED-011", stale.exchange, http=401,
                         dispute="transition" if overlap else None)  # fmt: skip
        if self.current is not None:
            fresh = self.judge.get(versions, "versions", self.current.token)
            check_status(self.judge.ledger, "CRED-011", fresh.exchange, http=200, ocpi=1000)

    def teardown(self) -> None:
        if self.current is not None:
            self.judge.send_credentials("DELETE", self.current.token)


@pytest.mark.rule("CRED-001", "CRED-002", "CRED-009", "CRED-011", "CRED-012")
def test_credentials_lifecycle_state_machine(judge: Judge) -> None:
    if judge.config.mint_token_command is None:
        pytest.skip("needs fresh TOKEN_As from the target: pass --mint-token-command")
    CredentialsLifecycle.judge = judge
    machine = CredentialsLifecycle.TestCase
    machine.settings = settings(
        max_examples=min(settings().max_examples, 5),
        stateful_step_count=5,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine().runTest()
