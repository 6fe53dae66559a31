"""`plugfest db`: database maintenance for a party (Alembic migrations)."""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated

import typer
from rich.console import Console

from simulator.cpo import seed
from simulator.cpo.app import CpoSettings
from simulator.emsp.app import EmspSettings
from simulator.platform.clock import SystemClock
from simulator.platform.database import Database
from simulator.platform.migrate import upgrade
from simulator.platform.outbox import Outbox
from simulator.platform.settings import PartySettings, SettingsError

#: Exit code: a setting that cannot run the party.
EXIT_SETTINGS = 1

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


class Role(enum.StrEnum):
    """The party whose settings (and database) a command uses."""

    cpo = "cpo"
    emsp = "emsp"


def role_settings(role: Role) -> PartySettings:
    """The role's settings from the environment, with development secrets filled in.

    Uses exactly what the server uses (`with_generated_secrets`), so tokens minted here verify
    there; exits 1 on settings production mode refuses.
    """
    try:
        if role is Role.cpo:
            settings: PartySettings = CpoSettings()
        else:
            settings = EmspSettings()
        return settings.with_generated_secrets()
    except SettingsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_SETTINGS) from None


RoleOption = Annotated[Role, typer.Option("--role", help="Whose database: cpo or emsp.")]


@app.command("upgrade")
def upgrade_command(role: RoleOption = Role.cpo) -> None:
    """Run the Alembic migrations on the role's DATABASE_URL (up to the newest revision)."""
    settings = role_settings(role)
    upgrade(settings.effective_database_url)
    Console(highlight=False).print(f"[green]{role.value} database is up to date[/green]")


async def _seed(settings: PartySettings, locations: int) -> seed.SeedResult:
    database = Database(settings.effective_database_url)
    clock = SystemClock()
    try:
        return await seed.seed_catalog(
            database,
            Outbox(clock),
            country_code=settings.ocpi_country_code,
            party_id=settings.ocpi_party_id,
            now=clock.now(),
            locations=locations,
            operator=settings.ocpi_business_name,
        )
    finally:
        await database.dispose()


@app.command("seed")
def seed_command(
    locations: Annotated[
        int, typer.Option("--locations", min=1, help="How many Locations to generate.")
    ] = seed.DEFAULT_LOCATIONS,
) -> None:
    """Fill the CPO's database with a deterministic demo network (Locations, Tariffs).

    Migrates first; Locations and Tariffs with the same ids are replaced, others are kept.
    Pushes are queued only for registered partners that receive locations or tariffs.
    """
    settings = role_settings(Role.cpo)
    upgrade(settings.effective_database_url)
    result = asyncio.run(_seed(settings, locations))
    Console(highlight=False).print(
        f"[green]seeded {result.locations} locations, {result.evses} EVSEs, "
        f"{result.connectors} connectors, {result.tariffs} tariffs; "
        f"{result.pushes} pushes queued ({result.seconds:.1f} s)[/green]"
    )
