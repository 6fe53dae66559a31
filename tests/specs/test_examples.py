"""Every official OCPI 2.2.1 example validates against its schema (two are known to be wrong)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specs import contract

# file -> (schema, key wrapping the value or None). See ../shared/ocpi-2.2.1/examples/README.md.
EXAMPLES: dict[str, tuple[str, str | None]] = {
    "cdr_example.json": ("CDR", None),
    "credentials_example.json": ("Credentials", None),
    "credentials_example2.json": ("Credentials", None),
    "credentials_example3.json": ("Credentials", None),
    "credentials_example4.json": ("Credentials", None),
    "location_energymix_example_complete.json": ("EnergyMix", "energy_mix"),
    "location_energymix_example_energy_provider.json": ("EnergyMix", "energy_mix"),
    "location_energymix_example_simple.json": ("EnergyMix", "energy_mix"),
    "location_example.json": ("Location", None),
    "location_example_parking_garage_opening_hours.json": ("Location", None),
    "location_example_uc2_destination_charger.json": ("Location", None),
    "location_example_uc3_destination_charger_not_published.json": ("Location", None),
    "location_example_uc4_limited_visibility.json": ("Location", None),
    "location_example_uc5_home_charge_point.json": ("Location", None),
    "location_hours_247_open_exception_closing.json": ("Hours", None),
    "location_hours_opening_hours_with_exceptional_closing.json": ("Hours", None),
    "location_hours_opening_hours_with_exceptional_opening.json": ("Hours", None),
    "location_patch_example_location.json": ("LocationPatch", None),
    "location_patch_example_remove_evse.json": ("EVSEPatch", None),
    "location_patch_example_status.json": ("EVSEPatch", None),
    "location_patch_example_tariff.json": ("ConnectorPatch", None),
    "location_put_example_add_evse.json": ("EVSE", None),
    "location_regularhours_example.json": ("Hours", "opening_times"),
    "session_example_1_simple_start.json": ("Session", None),
    "session_example_2_short_finished.json": ("Session", None),
    "session_patch_example_charging_period.json": ("SessionPatch", None),
    "session_patch_example_total_cost.json": ("SessionPatch", None),
    "tariff_10_025kwh_parking_start.json": ("Tariff", None),
    "tariff_11_not_possible_alt_text.json": ("Tariff", None),
    "tariff_12_025kwh_min_price.json": ("Tariff", None),
    "tariff_13_simple_3hour_5parking.json": ("Tariff", None),
    "tariff_14_step_size.json": ("Tariff", None),
    "tariff_15_reservation_5_euro_per_hour.json": ("Tariff", None),
    "tariff_16_reservation_2_euro_fee_5_euro_per_hour.json": ("Tariff", None),
    "tariff_17_reservation_with_expire_fee.json": ("Tariff", None),
    "tariff_18_reservation_with_expire_time.json": ("Tariff", None),
    "tariff_1_simple_2hour.json": ("Tariff", None),
    "tariff_2_alt_text.json": ("Tariff", None),
    "tariff_3_alt_url.json": ("Tariff", None),
    "tariff_4_complex.json": ("Tariff", None),
    "tariff_5_free_of_charge.json": ("Tariff", None),
    "tariff_6_025kwh_start_max_price.json": ("Tariff", None),
    "tariff_8_simple_025kwh.json": ("Tariff", None),
    "tariff_9_025kwh_start.json": ("Tariff", None),
    "tariff_put_example.json": ("Tariff", None),
    "tariffrestriction_example_max_duration.json": ("Tariff", None),
    "tariffrestriction_example_max_power.json": ("Tariff", None),
    "token_example_1_app_user.json": ("Token", None),
    "token_example_2_full_rfid.json": ("Token", None),
    "token_patch_example.json": ("TokenPatch", None),
    "token_put_example.json": ("Token", None),
    "transport_and_format_get_token_example.json": ("TokenResponse", None),
    "transport_and_format_get_token_list_example.json": ("TokenListResponse", None),
    "transport_and_format_version_details_example.json": ("VersionDetailsResponse", None),
    "transport_and_format_version_info_example.json": ("VersionListResponse", None),
    "type_displaytext_example.json": ("DisplayText", None),
    "version_details_example.json": ("VersionDetails", None),
    "version_details_example2.json": ("VersionDetails", None),
    # The bare `data` of the versions endpoint: Version[] (validated as the envelope's data).
    "versions_info_example.json": ("VersionListResponse", None),
}

# The examples README and DIGEST 8.22 list these as contradicting the object definitions.
KNOWN_BAD: dict[str, tuple[str, ...]] = {
    "location_put_example_add_evse.json": (
        "'floor' was unexpected",
        "'power_type' is a required property",
        "'max_voltage' is a required property",
        "'max_amperage' is a required property",
        "'last_updated' is a required property",
        "is not of type 'string'",  # physical_reference is a number
    ),
    "tariff_put_example.json": ("'last_updated' is a required property",),
}


def _load(shared: Path, name: str) -> Any:
    value = json.loads((shared / "examples" / name).read_text(encoding="utf-8"))
    if name == "versions_info_example.json":
        return {"data": value, "status_code": 1000, "timestamp": "2024-01-01T00:00:00Z"}
    wrapper = EXAMPLES[name][1]
    return value[wrapper] if wrapper else value


def test_every_example_file_is_listed(ocpi_shared: Path) -> None:
    on_disk = {p.name for p in (ocpi_shared / "examples").glob("*.json")}
    assert on_disk == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(set(EXAMPLES) - set(KNOWN_BAD)))
def test_example_validates(ocpi_shared: Path, name: str) -> None:
    schema = EXAMPLES[name][0]
    assert contract.errors(_load(ocpi_shared, name), schema) == []


@pytest.mark.parametrize("name", sorted(KNOWN_BAD))
def test_known_bad_example_fails_for_the_documented_reasons(ocpi_shared: Path, name: str) -> None:
    """Expected failures: the schema must reject them, and for exactly the reasons on record."""
    found = contract.errors(_load(ocpi_shared, name), EXAMPLES[name][0])
    for reason in KNOWN_BAD[name]:
        assert any(reason in line for line in found), f"{reason!r} not among {found}"
    assert len(found) == len(KNOWN_BAD[name]), found
