"""`plugfest rules`: the rule catalogue on the command line."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from plugfest.cli import app
from specs.catalogue import default_catalogue

ID = re.compile(r"\b[A-Z]+-[0-9]{3}\b")
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def ids_in(output: str) -> list[str]:
    return ID.findall(output)


def test_lists_every_rule_once(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules"], env=WIDE)
    assert result.exit_code == 0, result.output
    catalogue = default_catalogue()
    assert ids_in(result.output) == [rule.id for rule in catalogue]
    assert f"{len(catalogue)} rules" in result.output


def test_table_shows_the_columns(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules"], env=WIDE)
    for header in ("ID", "Level", "Section", "Applies to", "Testability", "Title"):
        assert header in result.output
    rule = default_catalogue().get("LOC-002")
    line = next(line for line in result.output.splitlines() if "LOC-002" in line)
    assert rule.title in line
    assert f"§{rule.section}" in line


@pytest.mark.parametrize("module", ["locations", "LOC", "loc", "Locations"])
def test_module_filter_by_name_or_prefix(runner: CliRunner, module: str) -> None:
    result = runner.invoke(app, ["rules", "--module", module], env=WIDE)
    assert result.exit_code == 0, result.output
    expected = [rule.id for rule in default_catalogue().for_module("locations")]
    assert ids_in(result.output) == expected


def test_json_format_parses_with_all_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    catalogue = default_catalogue()
    assert [item["id"] for item in data] == [rule.id for rule in catalogue]
    assert data[0] == next(iter(catalogue)).as_dict()


def test_json_format_with_module_filter(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "-m", "TOK", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data
    assert {item["module"] for item in data} == {"tokens"}


def test_unknown_module_exits_2_listing_valid_modules(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--module", "bookings"])
    assert result.exit_code == 2
    assert "unknown module 'bookings'" in result.output
    assert "locations (LOC)" in result.output
    assert result.stdout == ""


def test_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--format", "xml"])
    assert result.exit_code == 2
