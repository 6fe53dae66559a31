"""`plugfest db`: database maintenance for a party (Alembic migrations)."""

from __future__ import annotations

import enum
import importlib
from typing import Annotated

import typer
from rich.console import Console

from simulator.cpo.app import CpoSettings
from simulator.platform.migrate import upgrade
from simulator.platform.settings import PartySettings, SettingsError

#: Exit codes: a setting that cannot run the party; a role that does not exist yet.
EXIT_SETTINGS = 1
EXIT_NOT_YET = 2

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


class Role(enum.StrEnum):
    """The party whose settings (and database) a command uses."""

    cpo = "cpo"
    emsp = "emsp"


def role_settings(role: Role) -> PartySettings:
    """The role's settings from the environment, with development secrets filled in.

    Uses exactly what the server uses (`with_generated_secrets`), so tokens minted here verify
    there; exits 1 on settings production mode refuses, 2 for a party not built yet.
    """
    try:
        if role is Role.cpo:
            settings: PartySettings = CpoSettings()
        else:
            settings = _emsp_settings()
        return settings.with_generated_secrets()
    except SettingsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_SETTINGS) from None


def _emsp_settings() -> PartySettings:
    try:
        module = importlib.import_module("simulator.emsp.app")
    except ModuleNotFoundError:
        module = None
    settings_class = getattr(module, "EmspSettings", None)
    if settings_class is None:
        typer.echo("The eMSP simulator arrives with issue #5.", err=True)
        raise typer.Exit(EXIT_NOT_YET)
    settings: PartySettings = settings_class()
    return settings


RoleOption = Annotated[Role, typer.Option("--role", help="Whose database: cpo or emsp.")]


@app.command("upgrade")
def upgrade_command(role: RoleOption = Role.cpo) -> None:
    """Run the Alembic migrations on the role's DATABASE_URL (up to the newest revision)."""
    settings = role_settings(role)
    upgrade(settings.effective_database_url)
    Console(highlight=False).print(f"[green]{role.value} database is up to date[/green]")
