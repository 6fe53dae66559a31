"""Ways of pricing a CDR: for each cost rule, the spec's reading and the wrong readings a CPO
may have taken (TAR-007 §11.3.1, TAR-008 §11.4.6, CDR-008 §10.3.1). A `Reading` takes one
option per rule; `SPEC` takes the spec's everywhere."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Final, Literal


class Selection(Enum):
    """TAR-007 (§11.3.1): which element prices a dimension."""

    FIRST = "first"  # the spec's
    LAST = "last"
    ANY = "any"
    FALLBACK = "fallback"


class Power(Enum):
    """TAR-008 (§11.4.6): how current and power restrictions are taken."""

    RESPECT = "respect"  # the spec's
    IGNORE = "ignore"
    START = "start"


class Step(Enum):
    """CDR-008 (§10.3.1): where step_size rounds."""

    SESSION = "session"  # the spec's
    PERIOD = "period"
    ELEMENT = "element"
    NONE = "none"
    FIRST = "first"
    EACH = "each"


Option = Selection | Power | Step
CostRule = Literal["TAR-007", "TAR-008", "CDR-008"]
COST_RULES: Final[tuple[CostRule, ...]] = ("TAR-007", "TAR-008", "CDR-008")
#: Each rule's options, the spec's first.
OPTIONS: Final[dict[CostRule, tuple[Option, ...]]] = {
    "TAR-007": tuple(Selection),
    "TAR-008": tuple(Power),
    "CDR-008": tuple(Step),
}
DESCRIPTIONS: Final[dict[Option, str]] = {
    Selection.FIRST: "per dimension the first element whose restrictions all match",
    Selection.LAST: "a later (the last) matching element instead of the first",
    Selection.ANY: "an element whose restrictions match only in part (OR, not AND)",
    Selection.FALLBACK: "a dimension no element matches priced by its last element, not free",
    Power.RESPECT: "current and power restrictions switching elements per period",
    Power.IGNORE: "current and power restrictions ignored",
    Power.START: "current and power of the session start used for every period",
    Step.SESSION: "step_size once on the session total (only parking when billed)",
    Step.PERIOD: "step_size applied to every ChargingPeriod",
    Step.ELEMENT: "step_size applied at every element switch",
    Step.NONE: "step_size not applied",
    Step.FIRST: "the step_size of the first, not the last, PriceComponent",
    Step.EACH: "TIME and PARKING_TIME each rounded (not only parking)",
}


@dataclass(frozen=True)
class Reading:
    """One way of pricing: an option per rule (the defaults are the spec's)."""

    selection: Selection = Selection.FIRST  # TAR-007
    power: Power = Power.RESPECT  # TAR-008
    step: Step = Step.SESSION  # CDR-008

    def option(self, rule: CostRule) -> Option:
        match rule:
            case "TAR-007":
                return self.selection
            case "TAR-008":
                return self.power
            case "CDR-008":
                return self.step

    def keeps(self, rule: CostRule) -> bool:
        return self.option(rule) == OPTIONS[rule][0]

    def taking(self, option: Option) -> Reading:
        """This reading, but for the rule `option` belongs to read as `option`."""
        match option:
            case Selection():
                return replace(self, selection=option)
            case Power():
                return replace(self, power=option)
            case Step():
                return replace(self, step=option)

    def describe(self) -> str:
        wrong = [DESCRIPTIONS[self.option(r)] for r in COST_RULES if not self.keeps(r)]
        return "; ".join(wrong) or "the spec's reading"


SPEC: Final = Reading()
#: The spec's reading of every rule, spelt out.
SPEC_TEXT: Final = ", ".join(DESCRIPTIONS[SPEC.option(rule)] for rule in COST_RULES)


def every_reading() -> list[Reading]:
    """Every combination of the rules' options, the spec's reading first."""
    return [
        Reading(selection, power, step)
        for selection in Selection for power in Power for step in Step
    ]  # fmt: skip
