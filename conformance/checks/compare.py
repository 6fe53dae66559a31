"""Semantic comparison of what the judge sent with what a party gives back.

Round trips compare meaning, not text: DateTimes as instants (§16.2: every form of it names
one instant; no designator means UTC), CiStrings case-insensitively (§16.1), numbers as numbers
(`1` and `1.0` are one JSON number). Anything else is compared as it is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_DATETIME = re.compile(
    r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?\s*$"
)
_FRACTION = re.compile(r"\.(\d+)")

#: Fields whose type is CiString in every OCPI 2.2.1 object that has them (fields.json; `type`
#: is CiString only in Image, so it is left out). §16.1: compared case-insensitively.
CISTRING_FIELDS = frozenset({
    "authorization_reference", "connector_id", "contract_id", "country_code",
    "credit_reference_id", "encoding_method", "evse_id", "evse_uid", "evse_uids", "group_id",
    "id", "invoice_reference_id", "location_id", "nature", "party_id", "reservation_id",
    "session_id", "tariff_id", "tariff_ids", "uid",
})  # fmt: skip


def instant(value: Any) -> datetime | None:
    """An OCPI DateTime (§16.2) as an aware UTC datetime, or None when it is not one. Every
    RFC 3339 form is read (an offset too: the form is judged by TRANS-039, not here)."""
    if not isinstance(value, str) or not _DATETIME.match(value):
        return None
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), value.strip())
    try:
        parsed = datetime.fromisoformat(text.upper().removesuffix("Z"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def normalised(value: Any, name: str | None = None) -> Any:
    """`value` as meaning: DateTimes as instants, numbers as floats, CiString fields (by the
    field `name` they stand under) upper-cased, absent and null alike (§2.8: `?` fields)."""
    if isinstance(value, dict):
        return {k: normalised(v, k) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalised(v, name) for v in value]
    if isinstance(value, bool):
        return ("boolean", value)  # never equal to the number 1 or 0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        moment = instant(value)
        if moment is not None:
            return moment
        if name in CISTRING_FIELDS:
            return value.upper()
    return value


def same(sent: Any, got: Any, name: str | None = None) -> bool:
    """Whether `got` means what `sent` meant (see `normalised`)."""
    return bool(normalised(sent, name) == normalised(got, name))


def differences(sent: Any, got: Any, path: str = "$", *, most: int = 5) -> list[str]:
    """Where `got` differs in meaning from `sent`, as short paths (at most `most`)."""
    out: list[str] = []
    _diff(normalised(sent), normalised(got), path, out, most)
    return out


def _diff(a: Any, b: Any, path: str, out: list[str], most: int) -> None:
    if len(out) >= most:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            _diff(a.get(key), b.get(key), f"{path}.{key}", out, most)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{n}]", out, most)
    elif a != b:
        out.append(f"{path}: sent {str(a)[:60]!r}, got {str(b)[:60]!r}")
