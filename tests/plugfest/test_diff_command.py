"""`plugfest diff OLD NEW` (plugfest/diff_command.py), through the plugfest app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plugfest.cli import app


def _results(run_id: str, statuses: dict[str, str], role: str = "cpo") -> dict[str, Any]:
    rules = [{"id": rule_id, "level": "MUST", "module": "transport", "title": f"title {rule_id}",
              "status": status, "violation_count": 1 if status == "failed" else 0,
              "violations": [{"expected": "HTTP 401", "actual": "HTTP 403 | 500"}]
              if status == "failed" else []}
             for rule_id, status in statuses.items()]  # fmt: skip
    return {"run": {"id": run_id, "started_at": f"2026-01-01T00:00:0{run_id[-1]}+00:00",
                    "target": {"role": role, "versions_url": "http://t/ocpi/versions"}},
            "rules": rules}  # fmt: skip


def _write(path: Path, results: dict[str, Any]) -> Path:
    path.mkdir(parents=True)
    (path / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return path


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(baseline, a run with a new failure, a run like the baseline), in one report directory."""
    base = {"TRANS-001": "passed", "TRANS-002": "failed", "TRANS-003": "passed"}
    worse = {"TRANS-001": "failed", "TRANS-002": "passed", "TRANS-003": "blocked"}
    return (
        _write(tmp_path / "reports" / "run-1", _results("run-1", base)),
        _write(tmp_path / "reports" / "run-2", _results("run-2", worse)),
        _write(tmp_path / "reports" / "run-3", _results("run-3", base)),
    )


def _invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(app, ["diff", *map(str, args)], env={"COLUMNS": "200"})


def test_the_table_by_default(runs: tuple[Path, Path, Path]) -> None:
    result = _invoke(runs[0], runs[1])
    assert result.exit_code == 0, result.output
    assert "Changes from run run-1 to run-2" in result.output
    assert "1 newly failing, 1 newly passing, 1 now blocked" in result.output
    assert "TRANS-001: expected HTTP 401; got HTTP 403 | 500" in result.output


def test_markdown(runs: tuple[Path, Path, Path]) -> None:
    result = _invoke(runs[0], runs[1], "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("### Plugfest: changes since run run-1\n")
    assert "| TRANS-001 | MUST | transport | passed | failed | newly failing |" in result.output
    assert r"expected HTTP 401; got HTTP 403 \| 500" in result.output


def test_json_parses_back(runs: tuple[Path, Path, Path]) -> None:
    result = _invoke(runs[0] / "results.json", runs[1], "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["schema"] == "plugfest-diff/1"
    assert (document["old"]["id"], document["new"]["id"]) == ("run-1", "run-2")
    assert [(c["rule"], c["kind"]) for c in document["changes"]] == [
        ("TRANS-001", "newly_failed"),
        ("TRANS-002", "newly_passed"),
        ("TRANS-003", "to_blocked"),
    ]


def test_output_to_a_file(runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    for output_format in ("json", "markdown", "table"):
        target = tmp_path / f"diff.{output_format}"
        result = _invoke(runs[0], runs[1], "-f", output_format, "-o", target)
        assert result.exit_code == 0, result.output
        assert result.output == ""
        assert "TRANS-001" in target.read_text(encoding="utf-8")
        assert "\x1b[" not in target.read_text(encoding="utf-8")  # no colour codes in a file


def test_a_report_directory_means_its_newest_run(runs: tuple[Path, Path, Path]) -> None:
    result = _invoke(runs[0], runs[0].parent, "-f", "json")  # run-3, as run-1
    assert json.loads(result.output)["new"]["id"] == "run-3"
    assert json.loads(result.output)["changes"] == []


def test_a_report_directory_baseline_is_the_newest_run_of_the_same_role(
    runs: tuple[Path, Path, Path],
) -> None:
    other = _results("run-9", {"TRANS-001": "failed"}, role="emsp")
    _write(runs[0].parent / "run-9", other)
    result = _invoke(runs[0].parent, runs[1], "-f", "json")
    assert json.loads(result.output)["old"]["id"] == "run-3"


@pytest.mark.parametrize(("new_run", "code"), [(1, 1), (2, 0)])
def test_fail_on_new(runs: tuple[Path, Path, Path], new_run: int, code: int) -> None:
    """Exit 1 with a newly failing rule, 0 without one (run-3 is the baseline again)."""
    result = _invoke(runs[0], runs[new_run], "--fail-on", "new", "-f", "json")
    assert result.exit_code == code, result.output
    assert _invoke(runs[0], runs[new_run]).exit_code == 0  # --fail-on never, the default


def test_unusable_input_exits_2_with_one_line(
    runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    for old in (tmp_path / "nowhere", tmp_path / "broken.json"):
        result = _invoke(old, runs[1], "--fail-on", "new")
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith(f"Error: {old}: ")


def test_an_unwritable_output_exits_2(runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    result = _invoke(runs[0], runs[1], "-o", tmp_path / "no" / "such" / "dir" / "x.md")
    assert result.exit_code == 2
    assert "cannot be written" in result.stderr


def test_a_bad_choice_is_a_usage_error(runs: tuple[Path, Path, Path]) -> None:
    assert _invoke(runs[0], runs[1], "--format", "xml").exit_code == 2
    assert _invoke(runs[0], runs[1], "--fail-on", "always").exit_code == 2
