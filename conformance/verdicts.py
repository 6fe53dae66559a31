"""Verdicts: violations with their evidence, what blocked a test, and the ledger of every check.

A check is a small function over an exchange; it records a pass for its rule or a `Violation`
(rule, expected, actual, the exchange) and returns, so the test goes on: a cross-cutting
deviation never ends the tests it touches. A test stops only when it has nothing usable to go
on with: it raises `Blocked`, naming what blocked it, and the rules it could not reach are
reported `blocked`, never `failed`. Where the judge takes a lenient reading of a deviation to go
on, it says so with `Ledger.reading`, and the report shows which reading it took. Where the
spec itself reads two ways (a rule's `ambiguity` in the catalogue), a violation that the other
reading accepts names that reading (`dispute`): a rule with only such violations is `disputed`,
apart from `failed`, and fails the run only under --strict.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from _pytest.outcomes import Skipped

from conformance.exchange import Exchange
from specs.catalogue import Catalogue, Rule

KEPT_VIOLATIONS = 25  # per rule; the rest are counted (a Hypothesis run can repeat one often)


class Violation(AssertionError):
    """A rule broken, with the evidence."""

    def __init__(
        self,
        rule: Rule,
        expected: str,
        actual: str,
        exchange: Exchange | None = None,
        dispute: str | None = None,
    ) -> None:
        where = f" [{exchange.method} {exchange.url} -> {exchange.status}]" if exchange else ""
        super().__init__(f"{rule.id} ({rule.level}, §{rule.section}) {rule.title}: "
                         f"expected {expected}; got {actual}{where}")  # fmt: skip
        if dispute is not None and (
            rule.ambiguity is None
            or dispute not in rule.ambiguity.readings
            or dispute == rule.ambiguity.applied
        ):
            raise ValueError(f"{rule.id} has no other reading {dispute!r} in the catalogue")
        self.rule = rule
        self.expected = expected
        self.actual = actual
        self.exchange = exchange
        self.dispute = dispute  # the reading of the rule's ambiguity that accepts `actual`
        self.test: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "level": self.rule.level,
            "expected": self.expected,
            "actual": self.actual,
            "exchange": self.exchange.id if self.exchange else None,
            "curl": self.exchange.curl() if self.exchange else None,
            "test": self.test,
            "dispute": self.disputed_by(),
        }

    def disputed_by(self) -> dict[str, str] | None:
        """The reading under which this is no violation, with its text (None: undisputed)."""
        if self.dispute is None or self.rule.ambiguity is None:
            return None
        return {"reading": self.dispute, "text": self.rule.ambiguity.readings[self.dispute]}


class Blocked(Skipped):
    """A test cannot go on: nothing usable to continue with. Its rules without a verdict are
    reported `blocked` with this reason (and the exchange that showed it), never `failed`.
    A pytest skip underneath, so that a blocked session fixture blocks every test using it."""

    def __init__(self, reason: str, exchange: Exchange | None = None) -> None:
        super().__init__(f"blocked: {reason}")
        self.reason = reason
        self.exchange = exchange

    def as_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "exchange": self.exchange.id if self.exchange else None}


class NoAnswer(Blocked):
    """The target gave no HTTP answer (refused, reset, timed out): nothing to judge."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__(
            f"{exchange.method} {exchange.url} got no HTTP answer ({exchange.error})", exchange
        )


@dataclass(frozen=True)
class Reading:
    """A lenient reading the judge took of a deviation, to go on (§ and rule of the deviation)."""

    rule: str
    text: str
    exchange: int | None
    test: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "exchange": self.exchange, "test": self.test}


@dataclass
class RuleEvidence:
    passes: int = 0
    violations: list[Violation] = field(default_factory=list)
    violation_count: int = 0
    undisputed: int = 0  # violations no other reading of the rule accepts
    tests: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)


class Ledger:
    """What every check found, per rule; shared by all tests of a run (thread-safe)."""

    def __init__(self, catalogue: Catalogue, *, strict: bool) -> None:
        self.catalogue = catalogue
        self.strict = strict
        self._lock = threading.Lock()
        self._evidence: dict[str, RuleEvidence] = defaultdict(RuleEvidence)
        self._failing: dict[str | None, list[Violation]] = defaultdict(list)
        self.current_test: str | None = None

    def rule(self, rule_id: str) -> Rule:
        return self.catalogue.get(rule_id)

    def passed(self, rule_id: str) -> None:
        self.rule(rule_id)
        with self._lock:
            evidence = self._evidence[rule_id]
            evidence.passes += 1
            if self.current_test:
                evidence.tests.add(self.current_test)

    def failed(self, violation: Violation) -> None:
        """Record a violation; the test goes on (it fails at its end, see `failing`)."""
        violation.test = self.current_test
        with self._lock:
            evidence = self._evidence[violation.rule.id]
            evidence.violation_count += 1
            evidence.undisputed += violation.dispute is None
            if len(evidence.violations) < KEPT_VIOLATIONS:
                evidence.violations.append(violation)
            if self.current_test:
                evidence.tests.add(self.current_test)
            if self.strict or (violation.rule.level == "MUST" and violation.dispute is None):
                self._failing[self.current_test].append(violation)

    def failing(self, test: str | None) -> list[Violation]:
        """The violations recorded during `test` that fail it: undisputed ones of MUST rules;
        under --strict, every one."""
        with self._lock:
            return list(self._failing.get(test, []))

    def skipped(self, rule_id: str, reason: str) -> None:
        self.rule(rule_id)
        with self._lock:
            self._evidence[rule_id].skipped.append(reason)

    def blocked(self, rule_id: str, reason: str, exchange: Exchange | None = None) -> None:
        """`rule_id` could not be judged here (the test went on with its other rules)."""
        self.rule(rule_id)
        with self._lock:
            blocked = self._evidence[rule_id].blocked
            if all(b["reason"] != reason for b in blocked):  # said once per reason
                blocked.append({"reason": reason, "exchange": exchange.id if exchange else None,
                                "test": self.current_test})  # fmt: skip

    def reading(self, rule_id: str, text: str, exchange: Exchange | None = None) -> None:
        """The judge read a deviation of `rule_id` leniently, to go on; said once per text."""
        self.rule(rule_id)
        with self._lock:
            readings = self._evidence[rule_id].readings
            if all(r.text != text for r in readings):
                readings.append(
                    Reading(rule_id, text, exchange.id if exchange else None, self.current_test)
                )

    def check(
        self,
        rule_id: str,
        ok: bool,
        *,
        expected: str,
        actual: Any,
        exchange: Exchange | None = None,
        dispute: str | None = None,
    ) -> bool:
        """The one primitive: record a pass or a violation, and say which it was. `dispute`
        names the reading of the rule's catalogue ambiguity that would accept `actual`."""
        if ok:
            self.passed(rule_id)
            return True
        self.failed(Violation(self.rule(rule_id), expected, str(actual), exchange, dispute))
        return False

    def evidence(self) -> dict[str, RuleEvidence]:
        with self._lock:
            return dict(self._evidence)


class Violations(AssertionError):
    """Raised at the end of a test that recorded failing violations: its pytest outcome."""

    def __init__(self, violations: list[Violation]) -> None:
        lines = [str(v) for v in violations[:10]]
        if len(violations) > 10:
            lines.append(f"... and {len(violations) - 10} more")
        super().__init__("\n".join(lines))
        self.violations = violations
