"""Semantic comparison (conformance/checks/compare.py): what a party reads back means what was
sent even when its text differs as the spec allows, and differs when its meaning does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.checks.compare import differences, instant, same


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00",  # no designator: UTC (§16.2)
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:00.000000",
        "2024-01-01T01:00:00+01:00",  # an offset is read too; its form is TRANS-039's
        "2024-01-01t00:00:00z",
    ],
)
def test_every_form_of_one_instant_is_that_instant(text: str) -> None:
    assert instant(text) == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2024-01-01", "yesterday", "2024-13-01T00:00:00Z", ""])
def test_what_is_no_datetime_is_none(text: str) -> None:
    assert instant(text) is None


def test_a_token_read_back_without_the_z_is_the_token_sent() -> None:
    sent = {"uid": "ABC123", "last_updated": "2024-01-01T00:00:00Z", "valid": True}
    got = {"uid": "ABC123", "last_updated": "2024-01-01T00:00:00", "valid": True}
    assert differences(sent, got) == []


def test_cistrings_compare_case_insensitively_and_strings_do_not() -> None:
    assert same({"id": "LOC-1", "party_id": "ABC"}, {"id": "loc-1", "party_id": "abc"})
    assert differences({"name": "Keizersgracht"}, {"name": "keizersgracht"}) == [
        "$.name: sent 'Keizersgracht', got 'keizersgracht'"
    ]
    assert same({"evse_uids": ["E-1"]}, {"evse_uids": ["e-1"]})


def test_numbers_compare_as_numbers_and_null_as_absent() -> None:
    assert same({"kwh": 1, "max_power": None}, {"kwh": 1.0})
    assert not same({"kwh": 1}, {"kwh": 1.5})
    assert not same({"valid": True}, {"valid": 1})  # a boolean is no number


def test_a_different_instant_is_a_difference() -> None:
    found = differences({"last_updated": "2024-01-01T00:00:00Z"},
                        {"last_updated": "2024-01-01T00:00:01Z"})  # fmt: skip
    assert len(found) == 1
    assert found[0].startswith("$.last_updated")
