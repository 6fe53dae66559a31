"""`plugfest`: one console script, one sub-command per job."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from conformance.config import OPTIONS, Option
from plugfest import cpo_commands, db_commands, emsp_commands, rules_command, token_commands

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
    """Judge an OCPI 2.2.1 party by URL. Exit 1 when a MUST rule failed, 2 on a usage error
    (a target that cannot be reached), 0 otherwise."""
    from plugfest.check_command import run_check

    for option in OPTIONS:
        value = values.get(option.name)
        if option.choices and value is not None and value not in option.choices:
            raise typer.BadParameter(f"{option.cli} must be one of {', '.join(option.choices)}")
    raise typer.Exit(run_check(values))


def _parameter(option: Option) -> inspect.Parameter:
    """A typer option for one of conformance.config.OPTIONS."""
    annotation: Any = option.kind
    if option.repeat:
        annotation = list[str] | None
    elif option.default is None and not option.required:
        annotation = option.kind | None
    default = ... if option.required else option.default
    return inspect.Parameter(
        option.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(default, option.cli, help=option.help),
        annotation=annotation,
    )


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


@app.command("report")
def report(
    results: Annotated[Path, typer.Argument(help="A run's results.json.", exists=True)],
) -> None:
    """Render a run's index.html again from its results.json alone."""
    from conformance.report import render_index, rerender

    target = rerender(results)
    render_index(results.parent.parent)
    typer.echo(str(target))


def main() -> None:
    app()
