"""`plugfest diff OLD NEW`: what changed between two runs, as a table, Markdown (a pull-request
comment) or JSON; with `--fail-on new`, exit 1 when a rule newly fails (a CI gate)."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conformance.diff import (
    DiffInputError,
    RunDiff,
    compare,
    load_results,
    target_role,
)
from conformance.diff_render import render_markdown, render_table

#: Exit code for unusable input (click's usage-error code); 1 is kept for --fail-on.
EXIT_USAGE = 2
_RUN = "a run's results.json, its directory, or a report directory (its newest run)"


class DiffFormat(enum.StrEnum):
    """Output formats of `plugfest diff`."""

    table = "table"
    markdown = "markdown"
    json = "json"


class FailOn(enum.StrEnum):
    """When `plugfest diff` exits 1."""

    never = "never"
    new = "new"


def _rendered(result: RunDiff, output_format: DiffFormat, console: Console) -> str | None:
    """The diff as text, or None once printed on `console` (the table)."""
    if output_format is DiffFormat.markdown:
        return render_markdown(result)
    if output_format is DiffFormat.json:
        return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
    render_table(result, console)
    return None


def _write(result: RunDiff, output_format: DiffFormat, output: Path | None) -> None:
    if output is None:
        text = _rendered(result, output_format, Console(highlight=False))
        if text is not None:
            typer.echo(text, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8") as handle:
            console = Console(file=handle, highlight=False, width=160)
            text = _rendered(result, output_format, console)
            if text is not None:
                handle.write(text)
    except OSError as exc:
        raise DiffInputError(f"{output}: cannot be written ({exc.strerror or exc})") from None


def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help=f"The baseline: {_RUN}.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help=f"The run to compare: {_RUN}.")],
    format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="table for people, markdown for a PR, json."),
    ] = DiffFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write there instead of stdout.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="new: exit 1 when a rule newly fails.")
    ] = FailOn.never,
) -> None:
    """Compare two runs: rules newly failing, newly passing, to or from blocked, and changed
    evidence."""
    try:
        newer = load_results(new)
        result = compare(load_results(old, role=target_role(newer)), newer)
        _write(result, format, output)
    except DiffInputError as problem:
        typer.echo(f"Error: {problem}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if fail_on is FailOn.new and result.new_failures:
        raise typer.Exit(1)
