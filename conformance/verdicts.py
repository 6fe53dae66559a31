"""Verdicts: typed violations, and the ledger that joins every check with the rule catalogue.

A check is a small function over an exchange; it either records a pass for its rule or raises a
`Violation` carrying the rule ID, what was expected, what came back, and the exchange. SHOULD
rules are graded separately: outside strict mode their violations are recorded, not raised.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from conformance.exchange import Exchange
from specs.catalogue import Catalogue, Rule


class Violation(AssertionError):
    """A rule broken, with the evidence."""

    def __init__(
        self, rule: Rule, expected: str, actual: str, exchange: Exchange | None = None
    ) -> None:
        where = f" [{exchange.method} {exchange.url} -> {exchange.status}]" if exchange else ""
        super().__init__(f"{rule.id} ({rule.level}, §{rule.section}) {rule.title}: "
                         f"expected {expected}; got {actual}{where}")  # fmt: skip
        self.rule = rule
        self.expected = expected
        self.actual = actual
        self.exchange = exchange

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "level": self.rule.level,
            "expected": self.expected,
            "actual": self.actual,
            "exchange": self.exchange.id if self.exchange else None,
            "curl": self.exchange.curl() if self.exchange else None,
        }


@dataclass
class RuleEvidence:
    passes: int = 0
    violations: list[Violation] = field(default_factory=list)
    tests: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)


class Ledger:
    """What every check found, per rule; shared by all tests of a run (thread-safe)."""

    def __init__(self, catalogue: Catalogue, *, strict: bool) -> None:
        self.catalogue = catalogue
        self.strict = strict
        self._lock = threading.Lock()
        self._evidence: dict[str, RuleEvidence] = defaultdict(RuleEvidence)
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
        """Record; raise unless the rule is a SHOULD outside strict mode."""
        with self._lock:
            evidence = self._evidence[violation.rule.id]
            evidence.violations.append(violation)
            if self.current_test:
                evidence.tests.add(self.current_test)
        if violation.rule.level == "MUST" or self.strict:
            raise violation

    def skipped(self, rule_id: str, reason: str) -> None:
        self.rule(rule_id)
        with self._lock:
            self._evidence[rule_id].skipped.append(reason)

    def check(
        self,
        rule_id: str,
        ok: bool,
        *,
        expected: str,
        actual: Any,
        exchange: Exchange | None = None,
    ) -> bool:
        """The one primitive: record a pass, or a violation (raised for MUST / strict)."""
        if ok:
            self.passed(rule_id)
            return True
        self.failed(Violation(self.rule(rule_id), expected, str(actual), exchange))
        return False

    def evidence(self) -> dict[str, RuleEvidence]:
        with self._lock:
            return dict(self._evidence)
