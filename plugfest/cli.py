"""`plugfest`: one console script, one sub-command per job."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from conformance.config import OPTIONS, Option
from plugfest import (
    cpo_commands,
    db_commands,
    diff_command,
    emsp_commands,
    rules_command,
    token_commands,
)

app = typer.Typer(
    name="plugfest",
    help="OCPI 2.2.1 conformance suite, reference CPO and eMSP simulator.",
    no_args_is_help=True,
    add_completion=False,
)


app.add_typer(cpo_commands.app, name="cpo")
app.add_typer(emsp_commands.app, name="emsp")
app.add_typer(token_commands.app, name="token")
app.add_typer(db_commands.app, name="db")


@app.callback()
def _root() -> None:
    """OCPI 2.2.1 conformance suite, reference CPO and eMSP simulator."""


@app.command("rules")
def rules(
    module: Annotated[
        str | None,
        typer.Option(
            "--module", "-m", help="Only this module, by name or ID prefix (e.g. locations, LOC)."
        ),
    ] = None,
    output: Annotated[
        rules_command.OutputFormat,
        typer.Option("--format", "-f", help="table for people, json for scripts."),
    ] = rules_command.OutputFormat.table,
) -> None:
    """List the rule catalogue (specs/rules): ID, level, section, roles, testability, title."""
    rules_command.run(module, output)


def check(**values: Any) -> None:
    """Judge an OCPI 2.2.1 party by URL. Exit 1 when a MUST rule failed (and was not waived), 2 on
    a usage error (a target that cannot be reached, a bad config or waiver file), 0 otherwise.
    Options come from the command line, then the config file (or the run given to --replay)."""
    from conformance.config import UsageError, resolve
    from conformance.config_file import read_config, replayed
    from plugfest.check_command import USAGE_ERROR, run_check

    try:
        if values.get("replay") is not None:
            underneath = replayed(values["replay"])
        else:
            underneath = read_config(values.get("config"))[0]
        resolved = resolve(values, underneath)
    except UsageError as problem:
        typer.echo(f"plugfest check: {problem}", err=True)
        raise typer.Exit(USAGE_ERROR) from None
    raise typer.Exit(run_check(resolved))


def _parameter(option: Option) -> inspect.Parameter:
    """A typer option for one of conformance.config.OPTIONS. Its default is None: `resolve`
    tells a value given on the command line from one left to the config file or the default."""
    annotation: Any = list[str] | None if option.repeat else option.kind | None
    return inspect.Parameter(
        option.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(None, option.cli, help=_help(option)),
        annotation=annotation,
    )


def _help(option: Option) -> str:
    extra = [f"one of {', '.join(option.choices)}"] if option.choices else []
    if option.required:
        extra.append("required")
    elif option.default not in (None, False):
        extra.append(f"default {option.default}")
    text = option.help.replace("[", "\\[")  # rich markup would take [tool.plugfest] for a style
    return f"{text} ({'; '.join(extra)})" if extra else text


# The options are declared once, in conformance.config.OPTIONS (the pytest plugin's too).
check.__signature__ = inspect.Signature([_parameter(o) for o in OPTIONS])  # type: ignore[attr-defined]
app.command("check")(check)


@app.command("selfcheck")
def selfcheck(
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where runs go.")] = Path(
        "reports"
    ),
    hypothesis_profile: Annotated[
        str, typer.Option("--hypothesis-profile", help="dev, ci or thorough.")
    ] = "ci",
    role: Annotated[
        list[str] | None, typer.Option("--role", help="Only judge this role (repeatable).")
    ] = None,
) -> None:
    """Our reference CPO and eMSP simulator on loopback, each judged by the other's suite."""
    from plugfest.selfcheck import run

    raise typer.Exit(run(report_dir, hypothesis_profile, tuple(role or ("cpo", "emsp"))))


@app.command("fuzz")
def fuzz(
    role: Annotated[
        list[str] | None, typer.Option("--role", help="Only this role (repeatable).")
    ] = None,
    max_examples: Annotated[
        int, typer.Option("--max-examples", help="Examples per operation and phase.")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="schemathesis's seed.")] = 0,
) -> None:
    """`schemathesis run` (default phases and checks) over each role's contract, bound to our
    own party of that role on loopback; exit 1 if schemathesis reports a failure."""
    from plugfest.fuzz_command import run

    raise typer.Exit(run(tuple(role or ("cpo", "emsp")), max_examples, seed))


app.command("diff")(diff_command.diff)


@app.command("report")
def report(
    results: Annotated[Path, typer.Argument(help="A run's results.json.", exists=True)],
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Show the changes since this run (results.json, its "
            "directory, or a report directory: its newest run of the same role).",
        ),
    ] = None,
) -> None:
    """Render a run's index.html again from its results.json alone (with --baseline, the diff
    is written into results.json first)."""
    from conformance.diff import DiffInputError
    from conformance.report import render_index, rerender

    try:
        target = rerender(results, baseline)
    except DiffInputError as problem:
        typer.echo(f"Error: {problem}", err=True)
        raise typer.Exit(2) from None
    render_index(results.parent.parent)
    typer.echo(str(target))


def main() -> None:
    app()
