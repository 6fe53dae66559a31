"""What the pricing evaluator says of one rule on one CDR, for the suite to record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["passed", "failed", "blocked", "unobserved"]


@dataclass(frozen=True)
class Verdict:
    """`reason`: why it is blocked or unobserved; `expected`/`actual`: the evidence of a pass
    or a failure (never prefixed by the CDR id: the suite says which CDR)."""

    outcome: Outcome
    reason: str = ""
    expected: str = ""
    actual: str = ""


@dataclass(frozen=True)
class Caveat:
    """Something in a CDR the spec leaves open, or an assumption the judge took to price it.
    With one, a rule may pass but never fail (a failure is blamed only with certainty).
    `files_under`: the rule a reading is filed under when a verdict relied on it."""

    text: str
    files_under: str | None = None
