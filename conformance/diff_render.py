"""How a run-to-run diff (conformance.diff) reads: Markdown for a pull-request comment, and a rich
table for the console."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from conformance.diff import ABSENT, LABELS, Change, RunDiff, shorten


def _status(status: str | None) -> str:
    return status or ABSENT


def _first_evidence(change: Change) -> str:
    """The new run's first evidence line, else the old run's ('before: …'), else '' (one line,
    at most 200 characters)."""
    if change.new_evidence:
        line = change.new_evidence[0]
    else:
        line = f"before: {change.old_evidence[0]}" if change.old_evidence else ""
    return shorten(" ".join(line.split()), 200)


_MARKUP = re.compile(r"([\\`*_\[\]<>|~])")


def _cell(text: str) -> str:
    """Markdown text shown as is, in a table cell too: one line, `|` and other markup escaped."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _run_line(run: Mapping[str, Any]) -> str:
    return f"{run.get('id')} ({run.get('role')}, {run.get('versions_url')})"


def render_markdown(diff: RunDiff) -> str:
    """The diff as GitHub Markdown, for a pull-request comment."""
    lines = [
        f"### Plugfest: changes since run {_cell(str(diff.old_run.get('id')))}",
        "",
        f"{_cell(_run_line(diff.old_run))} → {_cell(_run_line(diff.new_run))}",
        "",
        f"**{diff.summary}**",
    ]
    if diff.changes:
        lines += ["", "| Rule | Level | Module | Was | Now | Change |", "|---|---|---|---|---|---|"]
        lines += [
            "| " + " | ".join(_cell(cell) for cell in (
                c.rule, c.level, c.module, _status(c.old), _status(c.new), LABELS[c.kind]
            )) + " |"
            for c in diff.changes
        ]  # fmt: skip
    if diff.new_failures:
        lines += ["", "#### Newly failing", ""]
        lines += [
            f"- **{_cell(c.rule)}** {_cell(c.title)}: {_cell(_first_evidence(c))}"
            for c in diff.new_failures
        ]
    return "\n".join(lines) + "\n"


_STYLES = {"newly_failed": "red", "newly_passed": "green", "to_blocked": "dark_orange",
           "from_blocked": "dark_orange"}  # fmt: skip


def render_table(diff: RunDiff, console: Console) -> None:
    """The diff as a rich table, newly failing rules in red, newly passing in green, blocked in
    orange, then the first evidence of each newly failing rule."""
    console.print(Text(f"Changes from run {diff.old_run.get('id')} to {diff.new_run.get('id')}"))
    if diff.changes:
        table = Table(header_style="bold")
        for column in ("Rule", "Level", "Module", "Was", "Now", "Change"):
            table.add_column(column, no_wrap=column != "Module")
        for c in diff.changes:
            cells = (c.rule, c.level, c.module, _status(c.old), _status(c.new), LABELS[c.kind])
            table.add_row(*(Text(cell) for cell in cells), style=_STYLES.get(c.kind))
        console.print(table)
    console.print(Text(diff.summary, style="bold"))
    for c in diff.new_failures:
        console.print(Text(f"{c.rule}: {_first_evidence(c)}", style="red"))
