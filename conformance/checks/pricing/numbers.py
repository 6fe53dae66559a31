"""JSON numbers read exactly, and the precision they are written with (§16: number; prices
and volumes are decimals, so they are read as Decimals, a float by its shortest text)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

ZERO: Final = Decimal(0)


def number(value: Any) -> Decimal | None:
    """A JSON number as a Decimal (a float by its shortest text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def decimals(value: Any) -> int:
    """How many decimals a JSON number is written with (0.5089: 4, 4.8e-05: 6, 300.0: 1)."""
    parsed = number(value)
    if parsed is None:
        return 0
    exponent = parsed.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def half_unit(value: Any) -> Decimal:
    """Half the last written digit of a volume: how far the measured value it was rounded from
    can be. JSON drops trailing zeros (0.700000 is written 0.7), so volumes are taken to be
    rounded to 3 decimals (1 Wh, 3.6 s) at the coarsest, 9 at the finest."""
    return Decimal(1).scaleb(-min(max(decimals(value), 3), 9)) / 2


def excl_vat(price: Any) -> Decimal | None:
    """The `excl_vat` of a Price object (§16.4), else None."""
    return number(price.get("excl_vat")) if isinstance(price, dict) else None


def money(value: Decimal) -> str:
    """An amount as shown in verdicts: at most 4 decimals, no trailing zeros."""
    try:
        return f"{value.quantize(Decimal('0.0001')).normalize():f}"
    except InvalidOperation:  # more digits than the context holds: shown as it is
        return f"{value.normalize():f}"
