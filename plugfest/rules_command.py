"""`plugfest rules`: print the rule catalogue as a table or as JSON."""

from __future__ import annotations

import enum
import json

import typer
from rich.console import Console
from rich.table import Table

from specs.catalogue import Catalogue, Rule, default_catalogue

#: Exit code for an unknown --module (click's usage-error code).
EXIT_USAGE = 2


class OutputFormat(enum.StrEnum):
    """Output formats of `plugfest rules`."""

    table = "table"
    json = "json"


def select_rules(catalogue: Catalogue, module: str | None) -> list[Rule]:
    """All rules, or those of one module given by name or ID prefix (KeyError if unknown)."""
    if module is None:
        return list(catalogue)
    return catalogue.for_module(module)


def render_table(rules: list[Rule], console: Console) -> None:
    """Print the rules as a rich table with a MUST/SHOULD summary line."""
    table = Table(show_lines=False, header_style="bold")
    table.add_column("ID", no_wrap=True, style="cyan")
    table.add_column("Level", no_wrap=True)
    table.add_column("Section", no_wrap=True)
    table.add_column("Applies to", no_wrap=True)
    table.add_column("Testability", no_wrap=True)
    table.add_column("Title", overflow="fold")
    for rule in rules:
        level = rule.level if rule.level == "SHOULD" else f"[bold]{rule.level}[/bold]"
        table.add_row(
            rule.id,
            level,
            f"§{rule.section}",
            ", ".join(rule.applies_to),
            rule.testability,
            rule.title,
        )
    console.print(table)
    must = sum(1 for rule in rules if rule.level == "MUST")
    console.print(f"{len(rules)} rules ({must} MUST, {len(rules) - must} SHOULD)")


def render_json(rules: list[Rule]) -> str:
    """The rules as a JSON list of objects carrying every field."""
    return json.dumps([rule.as_dict() for rule in rules], indent=2, ensure_ascii=False)


def run(module: str | None, output: OutputFormat) -> None:
    """Body of `plugfest rules`; exits with code 2 on an unknown module."""
    catalogue = default_catalogue()
    try:
        rules = select_rules(catalogue, module)
    except KeyError as exc:
        typer.echo(f"Error: {exc.args[0]}", err=True)
        raise typer.Exit(code=EXIT_USAGE) from None
    if output is OutputFormat.json:
        typer.echo(render_json(rules))
    else:
        render_table(rules, Console(highlight=False))
