"""`plugfest`: one console script, one sub-command per job."""

from __future__ import annotations

from typing import Annotated

import typer

from plugfest import cpo_commands, db_commands, rules_command, token_commands

app = typer.Typer(
    name="plugfest",
    help="OCPI 2.2.1 conformance suite, reference CPO and eMSP simulator.",
    no_args_is_help=True,
    add_completion=False,
)


app.add_typer(cpo_commands.app, name="cpo")
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


def main() -> None:
    app()
