"""`plugfest check`: judge a party by URL and write its reports; `plugfest report`: re-render.

Runs the conformance suites (a pytest plugin) in-process with a rich progress display. Exit
codes: 1 when a MUST rule failed (with --strict, a SHOULD rule too), 2 for a usage error (among
them a target that cannot be reached at all: one line says what failed), 0 otherwise.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conformance.config import pytest_args, resolve_token
from conformance.preflight import unreachable, unusable_files
from conformance.report import STATUSES

console = Console()
USAGE_ERROR = 2


class _ProgressPlugin:
    """Shows one line per test as the suites run (pytest's own terminal output is off)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("collecting", total=None)
        self.failed = 0

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.update(self.task, total=len(session.items), description="judging")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed += 1
            name = report.nodeid.split("::")[-1]
            self.progress.console.print(f"[red]✗[/red] {name}")
        if report.when == "teardown":
            self.progress.advance(self.task)


def run_check(values: Mapping[str, Any]) -> int:
    """Judge the target `values` name (the options of conformance.config.OPTIONS, by name, as
    conformance.config.resolve gives them)."""
    token = resolve_token(values["token"], values["token_env"])
    assert token is not None, "resolve() checked that a token was given"
    problem = unusable_files(values["waivers"], values["baseline"], values["role"]) or unreachable(
        values["versions_url"], token, timeout=values["max_wait"]
    )
    if problem:
        console.print(f"[red]plugfest check: {escape(problem)}[/red]", soft_wrap=True)
        return USAGE_ERROR
    report_dir = Path(values["report_dir"])
    run_id = (
        datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{values['role']}-{uuid.uuid4().hex[:6]}"
    )
    run_dir = report_dir / run_id
    suites = Path(str(files("conformance").joinpath("suites")))
    args = [
        str(suites),
        f"--rootdir={suites}",
        "-c", os.devnull,  # the suites' own settings only, never a surrounding project's
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
        "-W", "ignore::DeprecationWarning",
        f"--ocpi-run-id={run_id}",
        f"--junitxml={run_dir / 'junit.xml'}",
        f"--html={run_dir / 'pytest.html'}",
        "--self-contained-html",
        *pytest_args(values),
    ]  # fmt: skip
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        code = pytest.main(args, plugins=[_ProgressPlugin(progress)])
    results_path = run_dir / "results.json"
    if not results_path.exists():
        console.print(f"[red]no results were written (pytest exit code {int(code)})[/red]")
        return USAGE_ERROR
    results = json.loads(results_path.read_text(encoding="utf-8"))
    print_summary(results, run_dir)
    return int(results["run"]["exit_status"])


def print_summary(results: dict[str, Any], run_dir: Path) -> None:
    summary, target = results["summary"], results["run"]["target"]
    table = Table(title=f"{target['role'].upper()} {target['versions_url']}")
    table.add_column("Level")
    shown = [s for s in STATUSES if summary["must"].get(s) or summary["should"].get(s)]
    for status in shown:
        table.add_column(status.replace("_", " "), justify="right")
    for level in ("must", "should"):
        table.add_row(level.upper(), *(str(summary[level].get(s, 0)) for s in shown))
    console.print(table)
    for rule in results["rules"]:
        if rule["status"] == "failed":
            console.print(f"[red]FAILED[/red] {rule['id']} ({rule['level']}) {rule['title']}")
        elif rule["status"] == "disputed":
            readings = {v["dispute"]["reading"] for v in rule["violations"] if v.get("dispute")}
            console.print(
                f"[yellow]DISPUTED[/yellow] {rule['id']} ({rule['level']}) "
                f"{rule['title']}: passes if read as {', '.join(sorted(readings))}"
            )
        elif rule["status"] == "waived":
            waiver = rule["waiver"]
            console.print(f"[cyan]WAIVED[/cyan] {rule['id']} ({rule['level']}) until "
                          f"{waiver['expires']}: {escape(waiver['reason'])}")  # fmt: skip
    for waiver in results.get("waivers", []):
        if waiver["stale"]:
            why = "expired" if waiver["state"] == "expired" else "its rule passes"
            console.print(f"[dark_orange]STALE WAIVER[/dark_orange] {waiver['rule']} (line "
                          f"{waiver['line']}): {why}")  # fmt: skip
    for rule in results["rules"]:
        if rule["status"] == "blocked":
            reasons = sorted({b["reason"] for b in rule["blocked_by"]})
            console.print(
                f"[dark_orange]BLOCKED[/dark_orange] {rule['id']} ({rule['level']}) by: "
                f"{reasons[0][:160]}" + (f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else "")
            )
    errors = [t["nodeid"].split("::")[-1] for t in results["tests"] if t["outcome"] == "error"]
    if errors:
        console.print(
            f"[magenta]The judge itself crashed in {len(errors)} test(s)[/magenta] (not counted "
            f"against the target; see the report): {', '.join(errors[:5])}"
        )
    verdict = summary["verdict"].upper()
    colour = "green" if verdict == "PASS" else "red"
    console.print(f"[{colour}]{verdict}[/{colour}]  report: {run_dir / 'index.html'}")
