"""The tariff pricing engine (`simulator.cpo.pricing`) against the spec's worked examples.

Section numbers are those of OCPI 2.2.1-d2 (branch release-2.2.1-bugfixes): §10.3.1 is the CDR
object (mod_cdrs.asciidoc, step_size and the CDR example), §11.3.1.1 the Tariff examples,
§11.4.2 PriceComponent (its step_size examples), §11.4.6 TariffRestrictions (its max_power and
max_duration examples). Prices of the spec are usually stated in cents; the engine keeps 4
decimals, so where the spec rounds, the comment shows the exact value and its rounding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.cpo.pricing import CdrCosts, Reservation, price_cdr, tariff_boundaries
from simulator.platform.clock import ocpi_datetime, parse_ocpi_datetime

TZ = "Europe/Amsterdam"
ZONE = ZoneInfo(TZ)
MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)
SATURDAY = date(2026, 3, 7)
SUNDAY = date(2026, 3, 8)

Loader = Callable[[str], dict[str, Any]]
Steps = Sequence[tuple[float, Mapping[str, float]]]


@pytest.fixture(scope="module")
def example(ocpi_shared: Path) -> Loader:
    def load(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((ocpi_shared / "examples" / name).read_text("utf-8"))
        return data

    return load


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=ZONE)


def period(
    moment: datetime, tariff: Mapping[str, Any], dims: Mapping[str, float]
) -> dict[str, Any]:
    return {
        "start_date_time": ocpi_datetime(moment),
        "dimensions": [{"type": kind, "volume": volume} for kind, volume in dims.items()],
        "tariff_id": tariff["id"],
    }


def session(
    tariff: Mapping[str, Any],
    start: datetime,
    steps: Steps,
    minutes: float,
    *,
    reservation: Reservation | None = None,
    tz: str = TZ,
) -> CdrCosts:
    """Price a session from `start`: `steps` are (minutes after start, dimensions) of each
    ChargingPeriod, `minutes` the session length."""
    periods = [period(start + timedelta(minutes=m), tariff, dims) for m, dims in steps]
    end = start + timedelta(minutes=minutes)
    return price_cdr(tariff, periods, start=start, end=end, time_zone=tz, reservation=reservation)


def tariff_of(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "country_code": "NL",
        "party_id": "PLF",
        "id": "T1",
        "currency": "EUR",
        "elements": list(elements),
        "last_updated": "2026-01-01T00:00:00Z",
        **extra,
    }


def component(kind: str, price: float, step: int = 1, vat: float | None = None) -> dict[str, Any]:
    pc: dict[str, Any] = {"type": kind, "price": price, "step_size": step}
    if vat is not None:
        pc["vat"] = vat
    return pc


# --------------------------------------------------------------------------- §10.3.1 CDR example


@pytest.mark.shared
def test_cdr_example_totals(example: Loader) -> None:
    """§10.3.1.1 (cdr_example.json): one TIME period of 1.973 h at €2.00/h, 10 % VAT, step 300 s:
    stated total_cost and total_time_cost €4.00 / €4.40."""
    cdr = example("cdr_example.json")
    start = parse_ocpi_datetime(cdr["start_date_time"])
    end = parse_ocpi_datetime(cdr["end_date_time"])
    result = price_cdr(
        cdr["tariffs"][0],
        cdr["charging_periods"],
        start=start,
        end=end,
        time_zone="Europe/Brussels",
    )
    # 1.973 h = 7102.8 s -> 24 steps of 300 s = 7200 s = 2 h; 2 h x 2.00 = 4.00; x 1.10 = 4.40
    assert result["total_cost"] == cdr["total_cost"] == {"excl_vat": 4.0, "incl_vat": 4.4}
    assert result["total_time_cost"] == cdr["total_time_cost"]
    # 21:39:09 -> 23:37:32 is 7103 s; the example states it to 3 decimals (1.973).
    assert result["total_time"] == 7103 / 3600
    assert round(result["total_time"], 3) == cdr["total_time"]
    # Its periods carry no ENERGY dimension, so its total_energy (15.342) is not derivable.
    assert result["total_energy"] == 0.0
    assert result["total_parking_time"] == 0.0
    assert set(result) == {
        "total_cost",
        "total_time_cost",
        "total_energy",
        "total_time",
        "total_parking_time",
    }


# --------------------------------------------------------------------------- §10.3.1 step_size


def test_cdr_step_size_energy_total_not_last_period() -> None:
    """§10.3.1 step_size: €0.20/kWh before 17:00, €0.27 after, step 500 Wh; 4.3 kWh before and
    1.1 kWh after: the TOTAL 5.4 kWh rounds to 5.5 (not the after-17:00 part to 1.5)."""
    tariff = tariff_of(
        {
            "price_components": [component("ENERGY", 0.20, 500)],
            "restrictions": {"end_time": "17:00"},
        },
        {"price_components": [component("ENERGY", 0.27, 500)]},
    )
    start = at(MONDAY, "16:00")
    result = session(tariff, start, [(0, {"ENERGY": 4.3}), (60, {"ENERGY": 1.1})], 120)
    # 4.3 x 0.20 = 0.86; (1.1 + 0.1 surplus) x 0.27 = 0.324; total 1.184
    assert result["total_energy_cost"] == {"excl_vat": 1.184}
    assert result["total_cost"] == {"excl_vat": 1.184}
    assert result["total_energy"] == 5.4


def test_cdr_step_size_time_total_not_last_period() -> None:
    """§10.3.1 step_size: €5/h before 17:00, €7/h after, step 10 min; 6 min + 22 min = 28 min
    rounds to 30, so 24 minutes after 17:00 are billed."""
    tariff = tariff_of(
        {"price_components": [component("TIME", 5, 600)], "restrictions": {"end_time": "17:00"}},
        {"price_components": [component("TIME", 7, 600)]},
    )
    result = session(tariff, at(MONDAY, "16:54"), [(0, {"TIME": 0.1}), (6, {"TIME": 22 / 60})], 28)
    # 6 min x 5/h = 0.50; 24 min x 7/h = 2.80; total 3.30
    assert result["total_time_cost"] == {"excl_vat": 3.3}
    assert result["total_cost"] == {"excl_vat": 3.3}


@pytest.mark.parametrize(
    ("charging", "parking", "step", "time_cost", "parking_cost"),
    [
        # §10.3.1: both steps 10 min, €1/h charging, €2/h parking: 21 min charging stays 21
        # (0.35), 16 min parking -> 20 min x 2/h = 0.666.. -> 0.6667.
        (21, 16, 600, 0.35, 0.6667),
        # §10.3.1: both steps 5 min: "charging based on 21 minutes (not 25)", parking 7 -> 10 min:
        # 21/60 x 1 = 0.35; 10/60 x 2 = 0.3333.
        (21, 7, 300, 0.35, 0.3333),
    ],
)
def test_cdr_step_size_only_parking_rounded(
    charging: int, parking: int, step: int, time_cost: float, parking_cost: float
) -> None:
    """§10.3.1 step_size: with TIME and PARKING_TIME both used only the parking total is rounded."""
    tariff = tariff_of(
        {"price_components": [component("TIME", 1, step), component("PARKING_TIME", 2, step)]}
    )
    result = session(
        tariff,
        at(MONDAY, "10:00"),
        [(0, {"ENERGY": 5}), (charging, {"ENERGY": 0})],
        charging + parking,
    )
    assert result["total_time_cost"] == {"excl_vat": time_cost}
    assert result["total_parking_cost"] == {"excl_vat": parking_cost}
    assert result["total_cost"] == {"excl_vat": time_cost + parking_cost}
    assert result["total_parking_time"] == parking / 60


# --------------------------------------------------------------------------- §11.4.2 step_size


@pytest.mark.parametrize(("step", "cost"), [(1, 0.029), (25, 0.0313), (500, 0.125)])
def test_price_component_step_size_note(step: int, cost: float) -> None:
    """§11.4.2 NOTE: 115.2 Wh at €0.25/kWh: step 1 -> 116 Wh, €0.029; step 25 -> 125 Wh,
    €0.031 (exact 0.03125, 4 decimals half-up 0.0313); step 500 -> 500 Wh, €0.125."""
    tariff = tariff_of({"price_components": [component("ENERGY", 0.25, step)]})
    result = session(tariff, at(MONDAY, "10:00"), [(0, {"ENERGY": 0.1152})], 5)
    assert result["total_cost"] == {"excl_vat": cost}


@pytest.mark.shared
def test_step_size_switching_element_1(example: Loader) -> None:
    """§11.4.2 "switching to different Tariff Element #1" (tariff_14): plug in 16:55, charge 10
    min, park 2 min: stated €0.55."""
    tariff = example("tariff_14_step_size.json")
    start = at(MONDAY, "16:55")
    assert tariff_boundaries(tariff, start, start + timedelta(minutes=12), TZ) == [
        at(MONDAY, "17:00").astimezone(UTC)
    ]
    result = session(
        tariff, start, [(0, {"ENERGY": 1}), (5, {"ENERGY": 1}), (10, {"ENERGY": 0})], 12
    )
    # 5 min x 1.20/h = 0.10; 5 min x 2.40/h = 0.20; parking 2 min -> 15 min x 1.00/h = 0.25
    assert result["total_time_cost"] == {"excl_vat": 0.3}
    assert result["total_parking_cost"] == {"excl_vat": 0.25}
    assert result["total_cost"] == {"excl_vat": 0.55}  # no vat in tariff_14: no incl_vat


@pytest.mark.shared
def test_step_size_switching_element_2(example: Loader) -> None:
    """§11.4.2 "switching to different Tariff Element #2" (tariff_14): plug in 16:35, charge 35
    min, leave: stated €1.30."""
    tariff = example("tariff_14_step_size.json")
    result = session(tariff, at(MONDAY, "16:35"), [(0, {"ENERGY": 3}), (25, {"ENERGY": 1})], 35)
    # 35 min -> 45 min (step 900 of the last TIME component); 25 min x 1.20/h = 0.50,
    # (10 + 10 surplus) min x 2.40/h = 0.80; total 1.30
    assert result["total_cost"] == {"excl_vat": 1.3}
    assert "total_parking_cost" not in result


@pytest.mark.shared
def test_step_size_switching_to_free_element(example: Loader) -> None:
    """§11.4.2 "switching to Free-of-Charge Tariff Element" (tariff_14): plug in 19:40, charge 12
    min, park 20 min (free after 20:00): stated €0.73."""
    tariff = example("tariff_14_step_size.json")
    start = at(MONDAY, "19:40")
    assert tariff_boundaries(tariff, start, start + timedelta(minutes=32), TZ) == [
        at(MONDAY, "20:00").astimezone(UTC)
    ]
    result = session(
        tariff, start, [(0, {"ENERGY": 2}), (12, {"ENERGY": 0}), (20, {"ENERGY": 0})], 32
    )
    # 12 min x 2.40/h = 0.48; billable parking 8 min (19:52-20:00) -> 15 min x 1.00/h = 0.25
    assert result["total_time_cost"] == {"excl_vat": 0.48}
    assert result["total_parking_cost"] == {"excl_vat": 0.25}
    assert result["total_cost"] == {"excl_vat": 0.73}
    assert result["total_parking_time"] == 20 / 60


# --------------------------------------------------------------------------- §11.3.1.1 tariffs


@pytest.mark.shared
def test_tariff_1_simple_2_per_hour(example: Loader) -> None:
    """§11.3.1.1 "€ 2 per hour": 2.5 h charging -> stated €5.00 / €5.50."""
    result = session(
        example("tariff_1_simple_2hour.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": 20})], 150
    )
    # 2.5 h x 2.00 = 5.00; x 1.10 = 5.50
    assert result["total_cost"] == {"excl_vat": 5.0, "incl_vat": 5.5}
    assert result["total_time_cost"] == {"excl_vat": 5.0, "incl_vat": 5.5}


@pytest.mark.shared
def test_tariff_2_alt_text(example: Loader) -> None:
    """§11.3.1.1 ad-hoc "multiple languages": 2.5 h -> stated €4.75 / €5.00."""
    result = session(
        example("tariff_2_alt_text.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": 9})], 150
    )
    # 2.5 h x 1.90 = 4.75; x 1.052 = 4.997 (stated in cents: 5.00)
    assert result["total_cost"] == {"excl_vat": 4.75, "incl_vat": 4.997}


@pytest.mark.shared
def test_tariff_3_alt_url(example: Loader) -> None:
    """§11.3.1.1 "alternative URL": 20.45 kWh, energy billed per 100 Wh -> stated start fee
    €0.50/€0.60, energy €5.13/€5.64, total €5.63/€6.24 (cents)."""
    result = session(
        example("tariff_3_alt_url.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": 20.45})], 90
    )
    # 20.45 -> 20.5 kWh x 0.25 = 5.125 (5.13); x 1.10 = 5.6375 (5.64)
    assert result["total_energy_cost"] == {"excl_vat": 5.125, "incl_vat": 5.6375}
    assert result["total_fixed_cost"] == {"excl_vat": 0.5, "incl_vat": 0.6}
    # 0.50 + 5.125 = 5.625 (5.63); 0.60 + 5.6375 = 6.2375 (6.24)
    assert result["total_cost"] == {"excl_vat": 5.625, "incl_vat": 6.2375}


@pytest.mark.shared
def test_tariff_4_complex_monday(example: Loader) -> None:
    """§11.3.1.1 complex example, Monday 09:30, 165 min charging at max 16 A, 42 min parking:
    stated €9.00 / €10.30."""
    tariff = example("tariff_4_complex.json")
    start = at(MONDAY, "09:30")
    # Only 10:00 (the Saturday element's start_time) falls inside; the simulator cuts there.
    assert tariff_boundaries(tariff, start, start + timedelta(minutes=207), TZ) == [
        at(MONDAY, "10:00").astimezone(UTC)
    ]
    steps = [
        (0, {"ENERGY": 2, "MAX_CURRENT": 16}),
        (30, {"ENERGY": 9, "MAX_CURRENT": 16}),
        (165, {"ENERGY": 0, "MAX_CURRENT": 0}),
    ]
    result = session(tariff, start, steps, 207)
    # flat 2.50 / x1.15 = 2.875; charging 165 min x 1.00/h = 2.75 / x1.20 = 3.30;
    # parking 42 -> 45 min (step 300) x 5.00/h = 3.75 / x1.10 = 4.125
    assert result["total_fixed_cost"] == {"excl_vat": 2.5, "incl_vat": 2.875}
    assert result["total_time_cost"] == {"excl_vat": 2.75, "incl_vat": 3.3}
    assert result["total_parking_cost"] == {"excl_vat": 3.75, "incl_vat": 4.125}
    assert result["total_cost"] == {"excl_vat": 9.0, "incl_vat": 10.3}


@pytest.mark.shared
def test_tariff_4_complex_saturday(example: Loader) -> None:
    """§11.3.1.1 complex example, Saturday 13:30, 114 min charging at 43 A, 71 min parking.

    The spec states €12.28 / €13.861, but its charging line (114 min, "1.25 per hour", 2.28) is
    114 min x €1.20: 1.9 h x €1.25 is €2.375. Its flat and parking lines (2.50 and 7.50) match.
    Here: 2.50 + 2.375 + 7.50 = 12.375; 2.875 + 2.85 + 8.25 = 13.975.
    """
    steps = [(0, {"ENERGY": 40, "MIN_CURRENT": 43}), (114, {"ENERGY": 0, "MIN_CURRENT": 0})]
    result = session(example("tariff_4_complex.json"), at(SATURDAY, "13:30"), steps, 185)
    # charging 1.9 h x 1.25 = 2.375 / x1.20 = 2.85 (not rounded: parking follows)
    assert result["total_time_cost"] == {"excl_vat": 2.375, "incl_vat": 2.85}
    # parking 71 -> 75 min x 6.00/h = 7.50 / x1.10 = 8.25 (Saturday 10:00-17:00 element)
    assert result["total_parking_cost"] == {"excl_vat": 7.5, "incl_vat": 8.25}
    assert result["total_cost"] == {"excl_vat": 12.375, "incl_vat": 13.975}


@pytest.mark.shared
def test_tariff_5_free_of_charge(example: Loader) -> None:
    """§11.3.1.1 free of charge: one FLAT 0.00 without vat -> €0, no incl_vat."""
    result = session(
        example("tariff_5_free_of_charge.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": 30})], 60
    )
    assert result["total_cost"] == {"excl_vat": 0.0}
    assert result["total_fixed_cost"] == {"excl_vat": 0.0}
    assert result["total_energy"] == 30.0


@pytest.mark.shared
@pytest.mark.parametrize(
    ("kwh", "total", "energy"),
    [
        # 0.50 + 50 x 0.25 = 13.00 -> max 10.00; 0.60 + 13.75 = 14.35 -> max 11.00
        (50, {"excl_vat": 10.0, "incl_vat": 11.0}, {"excl_vat": 12.5, "incl_vat": 13.75}),
        # 0.50 + 30 x 0.25 = 8.00; 0.60 + 8.25 = 8.85 (below max)
        (30, {"excl_vat": 8.0, "incl_vat": 8.85}, {"excl_vat": 7.5, "incl_vat": 8.25}),
    ],
)
def test_tariff_6_max_price(
    example: Loader, kwh: float, total: dict[str, float], energy: dict[str, float]
) -> None:
    """§11.3.1.1 "+ start fee + max price": 50 kWh -> stated €10.00 / €11.00; 30 kWh -> stated
    €8.00 / €8.85. The parts are not capped, only the total."""
    tariff = example("tariff_6_025kwh_start_max_price.json")
    result = session(tariff, datetime(2019, 6, 1, 10, tzinfo=ZONE), [(0, {"ENERGY": kwh})], 240)
    assert result["total_cost"] == total
    assert result["total_energy_cost"] == energy


@pytest.mark.shared
def test_tariff_8_simple_per_kwh(example: Loader) -> None:
    """§11.3.1.1 "€ 0.25 per kWh": 20 kWh -> stated €5.00 / €5.50."""
    result = session(
        example("tariff_8_simple_025kwh.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": 20})], 60
    )
    assert result["total_cost"] == {"excl_vat": 5.0, "incl_vat": 5.5}
    assert "total_fixed_cost" not in result
    assert "total_time_cost" not in result


@pytest.mark.shared
def test_tariff_9_per_kwh_and_start_fee(example: Loader) -> None:
    """§11.3.1.1 "+ start fee": 20 kWh -> stated €5.50 / €6.10."""
    result = session(
        example("tariff_9_025kwh_start.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": 20})], 60
    )
    # 0.50 + 5.00 = 5.50; 0.60 + 5.50 = 6.10
    assert result["total_cost"] == {"excl_vat": 5.5, "incl_vat": 6.1}
    assert result["total_fixed_cost"] == {"excl_vat": 0.5, "incl_vat": 0.6}


@pytest.mark.shared
def test_tariff_10_parking_and_start_fee(example: Loader) -> None:
    """§11.3.1.1 "+ parking fee + start fee": 20 kWh, then parked 40 min -> stated €7.00 /
    €7.90 (45 min of parking billed)."""
    steps = [(0, {"ENERGY": 20}), (120, {"ENERGY": 0})]
    result = session(
        example("tariff_10_025kwh_parking_start.json"), at(MONDAY, "10:00"), steps, 160
    )
    # 0.50 + 20 x 0.25 + 45 min x 2.00/h = 0.50 + 5.00 + 1.50 = 7.00
    # 0.60 + 5.50 + 1.80 = 7.90
    assert result["total_parking_cost"] == {"excl_vat": 1.5, "incl_vat": 1.8}
    assert result["total_cost"] == {"excl_vat": 7.0, "incl_vat": 7.9}


@pytest.mark.shared
def test_tariff_11_flat_and_time(example: Loader) -> None:
    """§11.3.1.1 "not possible with OCPI" (no stated price): FLAT 0.40 (25 %), TIME 1.90/h
    (5.2 %) per 5 min; 62 min of charging."""
    result = session(
        example("tariff_11_not_possible_alt_text.json"),
        at(MONDAY, "10:00"),
        [(0, {"ENERGY": 7})],
        62,
    )
    # 62 -> 65 min x 1.90/h = 2.058333.. -> 2.0583; x 1.052 = 2.165366.. -> 2.1654
    assert result["total_time_cost"] == {"excl_vat": 2.0583, "incl_vat": 2.1654}
    # 0.40 + 2.0583 = 2.4583; 0.50 + 2.1654 = 2.6654
    assert result["total_cost"] == {"excl_vat": 2.4583, "incl_vat": 2.6654}


@pytest.mark.shared
@pytest.mark.parametrize(
    ("kwh", "total"),
    [
        (20, {"excl_vat": 5.0, "incl_vat": 5.5}),  # 20 x 0.25 = 5.00; x 1.10 = 5.50
        (1, {"excl_vat": 0.5, "incl_vat": 0.55}),  # 0.25 / 0.275 -> min 0.50 / 0.55
    ],
)
def test_tariff_12_min_price(example: Loader, kwh: float, total: dict[str, float]) -> None:
    """§11.3.1.1 "+ minimum price": 20 kWh -> stated €5.00 / €5.50; under 2 kWh -> €0.50 /
    €0.55."""
    result = session(
        example("tariff_12_025kwh_min_price.json"), at(MONDAY, "10:00"), [(0, {"ENERGY": kwh})], 60
    )
    assert result["total_cost"] == total
    assert result["total_energy_cost"]["excl_vat"] == kwh * 0.25


@pytest.mark.shared
def test_tariff_13_time_and_parking(example: Loader) -> None:
    """§11.3.1.1 "€ 3 per hour, € 5 per hour parking": 150 min charging + 42 min parking ->
    stated €11.25 / €12.75."""
    steps = [(0, {"ENERGY": 30}), (150, {"ENERGY": 0})]
    result = session(
        example("tariff_13_simple_3hour_5parking.json"), at(MONDAY, "10:00"), steps, 192
    )
    # 2.5 h x 3.00 = 7.50 / x1.10 = 8.25; 42 -> 45 min x 5.00/h = 3.75 / x1.20 = 4.50
    assert result["total_time_cost"] == {"excl_vat": 7.5, "incl_vat": 8.25}
    assert result["total_parking_cost"] == {"excl_vat": 3.75, "incl_vat": 4.5}
    assert result["total_cost"] == {"excl_vat": 11.25, "incl_vat": 12.75}
    assert result["total_time"] == 3.2
    assert result["total_parking_time"] == 0.7


# --------------------------------------------------------------------------- reservations


def _reserved(tariff: Mapping[str, Any], minutes_before: int, kwh: float = 20) -> CdrCosts:
    start = at(MONDAY, "10:00")
    booking = Reservation(start=start - timedelta(minutes=minutes_before), end=start)
    return session(tariff, start, [(0, {"ENERGY": kwh})], 90, reservation=booking)


@pytest.mark.shared
def test_tariff_15_reservation_per_hour(example: Loader) -> None:
    """§11.3.1.1 "reservation price": started 15 min after reserving, 20 kWh -> stated €6.75 /
    €7.60."""
    result = _reserved(example("tariff_15_reservation_5_euro_per_hour.json"), 15)
    # reservation 15 min x 5.00/h = 1.25 / 1.50; flat 0.50 / 0.60; energy 5.00 / 5.50
    assert result["total_reservation_cost"] == {"excl_vat": 1.25, "incl_vat": 1.5}
    assert result["total_fixed_cost"] == {"excl_vat": 0.5, "incl_vat": 0.6}
    assert result["total_cost"] == {"excl_vat": 6.75, "incl_vat": 7.6}


@pytest.mark.shared
def test_tariff_16_reservation_fee_and_per_hour(example: Loader) -> None:
    """§11.3.1.1 "reservation price and fee": started 13 min after reserving, 20 kWh -> stated
    €8.75 / €10.00."""
    result = _reserved(example("tariff_16_reservation_2_euro_fee_5_euro_per_hour.json"), 13)
    # fee 2.00 + (13 -> 15 min) x 5.00/h = 1.25 -> 3.25 / 3.90; + 0.50 + 5.00 = 8.75
    assert result["total_reservation_cost"] == {"excl_vat": 3.25, "incl_vat": 3.9}
    assert result["total_cost"] == {"excl_vat": 8.75, "incl_vat": 10.0}


@pytest.mark.shared
def test_tariff_17_reservation_expire_fee(example: Loader) -> None:
    """§11.3.1.1 "reservation price and expire fee": used after 22 min -> stated €6.50 / €7.30;
    expired after 1 h unused -> stated €6.00 / €7.20."""
    tariff = example("tariff_17_reservation_with_expire_fee.json")
    used = _reserved(tariff, 22)
    # 22 -> 30 min x 2.00/h = 1.00 / 1.20 (no expiry fee); + 0.50 + 5.00 = 6.50 / 7.30
    assert used["total_reservation_cost"] == {"excl_vat": 1.0, "incl_vat": 1.2}
    assert used["total_cost"] == {"excl_vat": 6.5, "incl_vat": 7.3}

    made = at(MONDAY, "10:00")
    expiry = made + timedelta(hours=1)
    expired = price_cdr(
        tariff,
        [],
        start=expiry,
        end=expiry,
        time_zone=TZ,
        reservation=Reservation(start=made, end=expiry, expired=True),
    )
    # expiry fee 4.00 / 4.80 + 60 min x 2.00/h = 2.00 / 2.40; no session, so no start fee
    assert expired["total_cost"] == {"excl_vat": 6.0, "incl_vat": 7.2}
    assert expired["total_reservation_cost"] == {"excl_vat": 6.0, "incl_vat": 7.2}
    assert "total_fixed_cost" not in expired
    assert expired["total_time"] == 0.0


@pytest.mark.shared
def test_tariff_18_reservation_expire_time(example: Loader) -> None:
    """§11.3.1.1 "reservation time and expire time": used after 22 min -> stated €7.00 / €7.90;
    expired after 1.5 h -> stated €9.00 / €10.80 (RESERVATION_EXPIRES TIME wins)."""
    tariff = example("tariff_18_reservation_with_expire_time.json")
    # 22 -> 30 min x 3.00/h = 1.50 / 1.80; + 0.50 / 0.60 + 5.00 / 5.50 = 7.00 / 7.90
    assert _reserved(tariff, 22)["total_cost"] == {"excl_vat": 7.0, "incl_vat": 7.9}
    made = at(MONDAY, "10:00")
    expiry = made + timedelta(minutes=90)
    expired = price_cdr(
        tariff,
        [],
        start=expiry,
        end=expiry,
        time_zone=TZ,
        reservation=Reservation(start=made, end=expiry, expired=True),
    )
    # 90 min x 6.00/h = 9.00; x 1.20 = 10.80
    assert expired["total_cost"] == {"excl_vat": 9.0, "incl_vat": 10.8}


# --------------------------------------------------------------------------- §11.4.6 restrictions


@pytest.mark.shared
@pytest.mark.parametrize("explicit_power", [True, False], ids=["MAX_POWER", "derived"])
def test_restriction_max_power(example: Loader, explicit_power: bool) -> None:
    """§11.4.6 max_power example: 1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW -> stated
    €20.30. Power from MAX_POWER, or derived as energy / charging time."""
    tariff = example("tariffrestriction_example_max_power.json")
    rows = [(0.0, 1.0, 6.0), (10.0, 40.0, 48.0), (60.0, 0.5, 4.0)]  # 10 min, 50 min, 7.5 min
    steps = [
        (m, {"ENERGY": kwh, "MAX_POWER": kw} if explicit_power else {"ENERGY": kwh})
        for m, kwh, kw in rows
    ]
    result = session(tariff, at(MONDAY, "10:00"), steps, 67.5)
    # 1 x 0.20 + 40 x 0.50 (fallback: 48 kW >= 32) + 0.5 x 0.20 = 0.20 + 20.00 + 0.10 = 20.30
    # incl: x 1.20 = 24.36
    assert result["total_cost"] == {"excl_vat": 20.3, "incl_vat": 24.36}
    assert result["total_energy"] == 41.5


@pytest.mark.shared
def test_restriction_max_duration(example: Loader) -> None:
    """§11.4.6 max_duration example: 40 min, 5 kWh in the first 30 min, 1.2 kWh after -> stated
    €0.30."""
    tariff = example("tariffrestriction_example_max_duration.json")
    start = at(MONDAY, "10:00")
    # The duration tiers cut at +30 min and +60 min.
    assert tariff_boundaries(tariff, start, start + timedelta(hours=2), TZ) == [
        (start + timedelta(minutes=30)).astimezone(UTC),
        (start + timedelta(minutes=60)).astimezone(UTC),
    ]
    result = session(tariff, start, [(0, {"ENERGY": 5}), (30, {"ENERGY": 1.2})], 40)
    # 5 x 0.00 (duration < 1800 s) + 1.2 x 0.25 (1800 <= duration < 3600) = 0.30; x 1.20 = 0.36
    assert result["total_cost"] == {"excl_vat": 0.3, "incl_vat": 0.36}
    # Third tier: a period starting at +60 min is priced 0.40/kWh: + 2 x 0.40 = 0.80 -> 1.10
    later = session(
        tariff, start, [(0, {"ENERGY": 5}), (30, {"ENERGY": 1.2}), (60, {"ENERGY": 2})], 70
    )
    assert later["total_cost"] == {"excl_vat": 1.1, "incl_vat": 1.32}


def test_time_of_day_wraps_past_midnight() -> None:
    """§11.4.6 end_time < start_time wraps: a night rate 22:00-06:00 (€0.10/kWh), else €0.30."""
    tariff = tariff_of(
        {
            "price_components": [component("ENERGY", 0.10)],
            "restrictions": {"start_time": "22:00", "end_time": "06:00"},
        },
        {"price_components": [component("ENERGY", 0.30)]},
    )
    start = at(MONDAY, "21:00")
    assert tariff_boundaries(tariff, start, start + timedelta(hours=10), TZ) == [
        at(MONDAY, "22:00").astimezone(UTC),
        at(date(2026, 3, 3), "06:00").astimezone(UTC),
    ]
    # A session starting on a boundary: the start itself is not listed.
    assert tariff_boundaries(tariff, at(MONDAY, "22:00"), at(MONDAY, "23:00"), TZ) == []
    steps = [(0, {"ENERGY": 5}), (60, {"ENERGY": 5}), (180, {"ENERGY": 5}), (540, {"ENERGY": 5})]
    result = session(tariff, start, steps, 600)
    # 21:00 5 x 0.30; 22:00 5 x 0.10; 00:00 5 x 0.10; 06:00 5 x 0.30 = 1.5 + 0.5 + 0.5 + 1.5 = 4.00
    assert result["total_cost"] == {"excl_vat": 4.0}


def test_end_time_midnight_is_end_of_day_in_local_time() -> None:
    """§11.4.6 end_time "00:00" = end of day, in the Location's time zone: 20:00-00:00 costs
    €2.40/h, any other time €1.00/h; the session is given in UTC (CET = UTC+1)."""
    tariff = tariff_of(
        {
            "price_components": [component("TIME", 2.40)],
            "restrictions": {"start_time": "20:00", "end_time": "00:00"},
        },
        {"price_components": [component("TIME", 1.00)]},
    )
    start = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 local
    assert tariff_boundaries(tariff, start, start + timedelta(hours=1), TZ) == [
        datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # local midnight
    ]
    result = session(tariff, start, [(0, {"ENERGY": 3}), (30, {"ENERGY": 3})], 60)
    # 23:30-00:00 local 0.5 h x 2.40 = 1.20; 00:00-00:30 0.5 h x 1.00 = 0.50 -> 1.70
    assert result["total_cost"] == {"excl_vat": 1.7}
    # The same instants read as UTC would be 22:30 and 23:00: all at 2.40 -> 2.40
    assert session(tariff, start, [(0, {"ENERGY": 3}), (30, {"ENERGY": 3})], 60, tz="UTC")[
        "total_cost"
    ] == {"excl_vat": 2.4}


@pytest.mark.shared
@pytest.mark.parametrize(
    ("day", "total"),
    [
        (WEDNESDAY, {"excl_vat": 4.5, "incl_vat": 5.275}),  # 2.50 + 1 h x 2.00 (weekday >= 32 A)
        (SUNDAY, {"excl_vat": 3.75, "incl_vat": 4.375}),  # 2.50 + 1 h x 1.25 (weekend >= 32 A)
    ],
)
def test_day_of_week(example: Loader, day: date, total: dict[str, float]) -> None:
    """§11.4.6 day_of_week with min_current (tariff_4): 1 h at 43 A on a weekday vs a Sunday.
    incl: 2.875 + 2.40 = 5.275; 2.875 + 1.50 = 4.375."""
    tariff = example("tariff_4_complex.json")
    result = session(tariff, at(day, "10:00"), [(0, {"ENERGY": 20, "CURRENT": 43})], 60)
    assert result["total_cost"] == total
    # day_of_week switches at local midnight: Friday 23:00 -> Saturday 01:00 is cut at 00:00.
    friday_night = at(date(2026, 3, 6), "23:00")
    assert tariff_boundaries(tariff, friday_night, friday_night + timedelta(hours=2), TZ) == [
        at(SATURDAY, "00:00").astimezone(UTC)
    ]


@pytest.mark.shared
def test_current_restriction_without_current_does_not_match(example: Loader) -> None:
    """Decision: an unknown current never satisfies min/max_current, so tariff_4's TIME elements
    (all current-restricted) bill nothing; only the start fee 2.50 / 2.875 remains."""
    result = session(
        example("tariff_4_complex.json"), at(WEDNESDAY, "10:00"), [(0, {"ENERGY": 20})], 60
    )
    assert result["total_cost"] == {"excl_vat": 2.5, "incl_vat": 2.875}
    assert "total_time_cost" not in result


def test_kwh_tiers_use_energy_before_the_period() -> None:
    """§11.4.6 min_kwh inclusive / max_kwh exclusive on the energy consumed so far: €0.50/kWh
    below 10 kWh, €0.30/kWh from 10 kWh."""
    tariff = tariff_of(
        {"price_components": [component("ENERGY", 0.50)], "restrictions": {"max_kwh": 10}},
        {"price_components": [component("ENERGY", 0.30)], "restrictions": {"min_kwh": 10}},
    )
    steps = [(0, {"ENERGY": 6}), (20, {"ENERGY": 4}), (40, {"ENERGY": 5})]
    result = session(tariff, at(MONDAY, "10:00"), steps, 60)
    # before: 0 and 6 kWh (< 10) -> (6 + 4) x 0.50 = 5.00; before: 10 kWh (>= 10) -> 5 x 0.30 = 1.50
    assert result["total_cost"] == {"excl_vat": 6.5}


def test_date_and_duration_restrictions() -> None:
    """§11.4.6 start_date inclusive / end_date exclusive (local dates) and min_duration
    inclusive: a promotion on 2026-03-02 only, and a surcharge from 1 h on."""
    tariff = tariff_of(
        {
            "price_components": [component("TIME", 5.0)],
            "restrictions": {"min_duration": 3600},
        },
        {
            "price_components": [component("TIME", 1.0)],
            "restrictions": {"start_date": "2026-03-02", "end_date": "2026-03-03"},
        },
        {"price_components": [component("TIME", 2.0)]},
    )
    start = at(MONDAY, "23:30")
    assert tariff_boundaries(tariff, start, start + timedelta(minutes=90), TZ) == [
        at(date(2026, 3, 3), "00:00").astimezone(UTC),  # end_date
        at(date(2026, 3, 3), "00:30").astimezone(UTC),  # min_duration
    ]
    steps = [(0, {"ENERGY": 2}), (30, {"ENERGY": 2}), (60, {"ENERGY": 2})]
    result = session(tariff, start, steps, 90)
    # 23:30 (Mar 2, 0 s): promotion 0.5 h x 1.00 = 0.50; 00:00 (Mar 3 = end_date, 1800 s):
    # fallback 0.5 h x 2.00 = 1.00; 00:30 (3600 s): surcharge 0.5 h x 5.00 = 2.50 -> 4.00
    assert result["total_cost"] == {"excl_vat": 4.0}
    # The day before start_date: no promotion, fallback 0.5 h x 2.00 = 1.00
    before = session(tariff, at(date(2026, 3, 1), "10:00"), [(0, {"ENERGY": 2})], 30)
    assert before["total_cost"] == {"excl_vat": 1.0}


def test_tariff_boundaries_across_dst() -> None:
    """tariff_boundaries in local time across the spring-forward night (2026-03-29, Amsterdam):
    local 00:00 and 06:00 are 23:00 and 04:00 UTC."""
    tariff = tariff_of(
        {
            "price_components": [component("ENERGY", 0.10)],
            "restrictions": {"start_time": "00:00", "end_time": "06:00", "day_of_week": ["SUNDAY"]},
        },
        {"price_components": [component("ENERGY", 0.30)]},
    )
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert tariff_boundaries(tariff, start, start + timedelta(hours=8), TZ) == [
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 4, 0, tzinfo=UTC),
    ]


# --------------------------------------------------------------------------- VAT, periods, errors


def test_vat_absent_differs_from_zero() -> None:
    """§11.4.2 vat: absent = no VAT applicable (no incl_vat), unlike 0 % (incl_vat = excl_vat)."""
    tariff = tariff_of(
        {"price_components": [component("FLAT", 1.00), component("ENERGY", 0.20, vat=0.0)]}
    )
    result = session(tariff, at(MONDAY, "10:00"), [(0, {"ENERGY": 10})], 60)
    assert result["total_fixed_cost"] == {"excl_vat": 1.0}
    assert result["total_energy_cost"] == {"excl_vat": 2.0, "incl_vat": 2.0}
    assert result["total_cost"] == {"excl_vat": 3.0}  # one contributor has no vat


def test_max_price_clamps_incl_and_excl_separately() -> None:
    """§11.3.1 NOTE max_price: excl and incl VAT totals are capped independently."""
    tariff = tariff_of(
        {"price_components": [component("ENERGY", 0.25, vat=21.0)]},
        max_price={"excl_vat": 10.0, "incl_vat": 11.0},
    )
    result = session(tariff, at(MONDAY, "10:00"), [(0, {"ENERGY": 38})], 60)
    # 38 x 0.25 = 9.50 (under 10.00); x 1.21 = 11.495 -> capped at 11.00
    assert result["total_cost"] == {"excl_vat": 9.5, "incl_vat": 11.0}


def test_min_price_without_incl_vat_clamps_excl_only() -> None:
    """Decision: a min_price without incl_vat raises only excl_vat."""
    tariff = tariff_of(
        {"price_components": [component("ENERGY", 0.25, vat=10.0)]}, min_price={"excl_vat": 1.0}
    )
    result = session(tariff, at(MONDAY, "10:00"), [(0, {"ENERGY": 2})], 60)
    # 2 x 0.25 = 0.50 -> 1.00; incl 0.55 stays
    assert result["total_cost"] == {"excl_vat": 1.0, "incl_vat": 0.55}


def test_periods_of_other_tariffs_are_not_priced() -> None:
    """§10.4.6: a period's tariff_id names the relevant tariff; absent means none. Only periods
    of this tariff are priced, though all count for the volume totals."""
    tariff = tariff_of({"price_components": [component("ENERGY", 1.00)]})
    start = at(MONDAY, "10:00")
    periods = [period(start, tariff, {"ENERGY": 1}), period(start, tariff, {"ENERGY": 2})]
    periods[1]["start_date_time"] = ocpi_datetime(start + timedelta(minutes=10))
    periods.append(
        {
            "start_date_time": ocpi_datetime(start + timedelta(minutes=20)),
            "dimensions": [{"type": "ENERGY", "volume": 4}],
        }
    )
    periods[1]["tariff_id"] = "OTHER"
    result = price_cdr(
        tariff, periods, start=start, end=start + timedelta(minutes=30), time_zone=TZ
    )
    assert result["total_cost"] == {"excl_vat": 1.0}
    assert result["total_energy"] == 7.0


def test_float_noise_does_not_add_a_step() -> None:
    """Decision: volumes are normalised to 1 ms / 1 mWh before step rounding. A TIME volume of
    0.1 + 0.2 h computed in floats (0.30000000000000004 h = 1080.000000000000144 s) bills 1080 s,
    not 1081 s, with step_size 1; likewise 0.1 + 0.2 kWh bills 300 Wh, not 301."""
    noisy = 0.1 + 0.2
    assert noisy != 0.3
    per_second = tariff_of({"price_components": [component("TIME", 3600.0)]})
    result = session(per_second, at(MONDAY, "10:00"), [(0, {"TIME": noisy})], 18)
    assert result["total_cost"] == {"excl_vat": 1080.0}
    per_wh = tariff_of({"price_components": [component("ENERGY", 1000.0)]})
    result = session(per_wh, at(MONDAY, "10:00"), [(0, {"ENERGY": noisy})], 18)
    assert result["total_cost"] == {"excl_vat": 300.0}


def test_step_size_can_make_more_energy_cheaper() -> None:
    """A consequence of §10.3.1 (total rounded, surplus at the LAST component's price), pinned:
    €0.10/kWh before 17:00, €1.00 after, step 500 Wh; 0.4 kWh after 17:00.
    0.5 kWh before: total 0.9 -> 1.0; 0.05 + 0.5 x 1.00 = 0.55.
    0.6 kWh before: total 1.0 exact; 0.06 + 0.4 x 1.00 = 0.46, cheaper with more energy."""
    tariff = tariff_of(
        {
            "price_components": [component("ENERGY", 0.10, 500)],
            "restrictions": {"end_time": "17:00"},
        },
        {"price_components": [component("ENERGY", 1.00, 500)]},
    )
    start = at(MONDAY, "16:00")

    def cost(before: float) -> CdrCosts:
        return session(tariff, start, [(0, {"ENERGY": before}), (60, {"ENERGY": 0.4})], 90)

    assert cost(0.5)["total_cost"] == {"excl_vat": 0.55}
    assert cost(0.6)["total_cost"] == {"excl_vat": 0.46}


def test_rejects_bad_input() -> None:
    tariff = tariff_of({"price_components": [component("ENERGY", 1.00)]})
    start = at(MONDAY, "10:00")
    with pytest.raises(ValueError, match="timezone-aware"):
        price_cdr(tariff, [], start=start.replace(tzinfo=None), end=start, time_zone=TZ)
    with pytest.raises(ValueError, match="chronological"):
        session(tariff, start, [(10, {"ENERGY": 1}), (0, {"ENERGY": 1})], 20)
    with pytest.raises(ValueError, match="elements"):
        price_cdr(tariff_of(), [], start=start, end=start, time_zone=TZ)


# --------------------------------------------------------------------------- properties

_prices = st.integers(min_value=0, max_value=300).map(lambda cents: cents / 100)
_steps = st.sampled_from([0, 1, 25, 100, 500, 1000])
_hours = st.integers(min_value=0, max_value=23).map(lambda h: f"{h:02d}:00")
_restrictions = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"start_time": _hours, "end_time": _hours}),
    st.fixed_dictionaries(
        {"day_of_week": st.lists(st.sampled_from(["MONDAY", "SATURDAY", "SUNDAY"]), min_size=1)}
    ),
    st.fixed_dictionaries({"max_duration": st.integers(min_value=60, max_value=7200)}),
    st.fixed_dictionaries({"min_duration": st.integers(min_value=0, max_value=7200)}),
    st.fixed_dictionaries({"min_kwh": st.integers(min_value=0, max_value=40)}),
    st.fixed_dictionaries({"max_kwh": st.integers(min_value=1, max_value=40)}),
)
_elements = st.lists(
    st.builds(
        lambda price, step, vat, restrictions: {
            "price_components": [component("ENERGY", price, step, vat)],
            "restrictions": restrictions,
        },
        _prices,
        _steps,
        st.one_of(st.none(), st.sampled_from([0.0, 9.0, 21.0])),
        _restrictions,
    ),
    min_size=1,
    max_size=4,
)
_energies = st.lists(
    st.integers(min_value=1, max_value=30_000).map(lambda wh: wh / 1000), min_size=1, max_size=5
)
_starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


def _energy_session(
    tariff: Mapping[str, Any], start: datetime, energies: Sequence[float]
) -> CdrCosts:
    return session(
        tariff,
        start,
        [(20 * i, {"ENERGY": kwh}) for i, kwh in enumerate(energies)],
        20 * len(energies),
    )


@given(
    elements=_elements,
    min_price=st.one_of(st.none(), _prices),
    start=_starts,
    energies=_energies,
    extra=st.integers(min_value=0, max_value=20_000).map(lambda wh: wh / 1000),
)
def test_energy_cost_is_non_negative_and_monotone(
    elements: list[dict[str, Any]],
    min_price: float | None,
    start: datetime,
    energies: list[float],
    extra: float,
) -> None:
    """Energy-only tariffs without max_price: total_cost.excl_vat >= 0, and charging more energy
    at the end of the session never lowers it (restrictions: time, day, duration, kWh). (More
    energy EARLIER can lower it: see test_step_size_can_make_more_energy_cheaper.)"""
    extras = {} if min_price is None else {"min_price": {"excl_vat": min_price}}
    tariff = tariff_of(*elements, **extras)
    base = _energy_session(tariff, start, energies)
    more = _energy_session(tariff, start, [*energies[:-1], energies[-1] + extra])
    assert base["total_cost"]["excl_vat"] >= 0
    assert base["total_cost"].get("incl_vat", 0) >= 0
    assert more["total_cost"]["excl_vat"] >= base["total_cost"]["excl_vat"]


@given(
    price=_prices,
    step=_steps,
    start=_starts,
    watt_hours=st.lists(st.integers(min_value=1, max_value=30_000), min_size=1, max_size=5),
    index=st.integers(min_value=0, max_value=4),
    extra=st.integers(min_value=0, max_value=20_000),
)
def test_single_price_energy_cost_is_monotone_in_every_period(
    price: float, step: int, start: datetime, watt_hours: list[int], index: int, extra: int
) -> None:
    """One unrestricted ENERGY price: the cost is price x (total Wh rounded up to the step), so
    more energy in ANY period never lowers it."""
    tariff = tariff_of({"price_components": [component("ENERGY", price, step)]})
    index %= len(watt_hours)
    bigger = list(watt_hours)
    bigger[index] += extra
    base = _energy_session(tariff, start, [wh / 1000 for wh in watt_hours])
    more = _energy_session(tariff, start, [wh / 1000 for wh in bigger])
    total = sum(watt_hours)
    billed = -(-total // step) * step if step else total
    expected = (Decimal(repr(price)) * billed / 1000).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert base["total_cost"] == {"excl_vat": float(expected)}
    assert more["total_cost"]["excl_vat"] >= base["total_cost"]["excl_vat"] >= 0
