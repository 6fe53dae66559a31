"""Time, injectable: expiry, session timelines and audit times all read a `Clock`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Protocol

from simulator.platform.errors import InvalidDateTime


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to: for tests of expiry and timelines."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        self._now = moment


_OCPI_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$")


def parse_ocpi_datetime(value: str) -> datetime:
    """§16.2: RFC 3339 in UTC, `Z` optional (absent means UTC), fractional seconds optional."""
    match = _OCPI_DATETIME.fullmatch(value)
    if match is None:
        raise InvalidDateTime(f"not an OCPI DateTime: {value!r}")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0")[:6])
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as exc:  # 2026-02-30, year 0, ...: invalid input, never a 500
        raise InvalidDateTime(f"not a real date and time: {value!r}") from exc


def ocpi_datetime(moment: datetime) -> str:
    """§16.2: RFC 3339 in UTC with a `Z`, milliseconds only when there are any."""
    utc = moment.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
