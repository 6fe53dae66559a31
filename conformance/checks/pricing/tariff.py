"""A Tariff read for pricing (§11.3.1 Tariff, §11.3.2 TariffElement, §11.4.4 PriceComponent):
its elements in order, each with at most one component per dimension and its restrictions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from conformance.checks.pricing.numbers import excl_vat, number

ENERGY: Final = "ENERGY"
FLAT: Final = "FLAT"
TIME: Final = "TIME"
PARKING_TIME: Final = "PARKING_TIME"
RESERVATION_TIME: Final = "RESERVATION_TIME"
METERED: Final = (ENERGY, TIME, PARKING_TIME)
#: Step units per dimension unit (§11.4.5): ENERGY steps are Wh of kWh, time steps s of hours.
UNITS: Final = {ENERGY: Decimal(1000), TIME: Decimal(3600), PARKING_TIME: Decimal(3600)}
#: The restrictions read on the Location's local clock (§11.4.6).
LOCAL_TIME_KEYS: Final = ("start_time", "end_time", "start_date", "end_date", "day_of_week")


@dataclass(frozen=True)
class Component:
    tariff: str
    element: int  # 0-based index in the tariff's elements
    dimension: str
    price: Decimal
    step_size: int

    def name(self) -> str:
        return f"{self.tariff} element #{self.element + 1} {self.dimension} {self.price}"


@dataclass(frozen=True)
class Element:
    index: int
    components: Mapping[str, Component]
    restrictions: Mapping[str, Any]

    @property
    def reservation(self) -> bool:
        return self.restrictions.get("reservation") is not None

    @property
    def restricted(self) -> bool:
        return any(value not in (None, []) for value in self.restrictions.values())

    def describe(self) -> str:
        shown = {k: v for k, v in self.restrictions.items() if v not in (None, [])}
        return f"element #{self.index + 1} ({shown or 'no restrictions'})"


@dataclass(frozen=True)
class Tariff:
    id: str
    elements: tuple[Element, ...]
    min_price: Decimal | None
    max_price: Decimal | None

    def candidates(self, dimension: str) -> list[Element]:
        """The charging elements with a component for `dimension`, in order (reservation
        elements price only a reservation, §11.4.6)."""
        return [e for e in self.elements if dimension in e.components and not e.reservation]

    @property
    def charging(self) -> list[Element]:
        return [e for e in self.elements if not e.reservation]


def parse_tariff(raw: Any) -> Tariff | str:
    """A Tariff, or why it cannot be priced with."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return "a tariff without an id"
    tariff_id = raw["id"]
    elements_raw = raw.get("elements")
    if not isinstance(elements_raw, list) or not elements_raw:
        return f"tariff {tariff_id} has no elements"
    elements = []
    for index, element in enumerate(elements_raw):
        if not isinstance(element, dict) or not isinstance(element.get("price_components"), list):
            return f"tariff {tariff_id} element #{index + 1} has no price_components"
        components: dict[str, Component] = {}
        for pc in element["price_components"]:
            kind = pc.get("type") if isinstance(pc, dict) else None
            price = number(pc.get("price")) if isinstance(pc, dict) else None
            if kind not in (*METERED, FLAT) or price is None:
                return f"tariff {tariff_id} element #{index + 1} has an unreadable price component"
            step = pc.get("step_size")
            step_size = step if isinstance(step, int) and not isinstance(step, bool) else 1
            # Two components of one dimension in one element: the first counts.
            components.setdefault(
                str(kind), Component(tariff_id, index, str(kind), price, max(step_size, 1))
            )
        restrictions = element.get("restrictions")
        elements.append(
            Element(index, components, restrictions if isinstance(restrictions, dict) else {})
        )
    return Tariff(
        tariff_id, tuple(elements), excl_vat(raw.get("min_price")), excl_vat(raw.get("max_price"))
    )


def needs_local_time(tariffs: Iterable[Any]) -> bool:
    """Whether any element is restricted by local time of day, day of week or date."""
    return any(
        isinstance(e, dict) and isinstance(e.get("restrictions"), dict)
        and any(e["restrictions"].get(k) not in (None, []) for k in LOCAL_TIME_KEYS)
        for t in tariffs if isinstance(t, dict) and isinstance(t.get("elements"), list)
        for e in t["elements"]
    )  # fmt: skip
