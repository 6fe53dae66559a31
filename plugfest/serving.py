"""Serving a party from the command line: shared by `plugfest cpo serve` and `emsp serve`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
import uvicorn
from litestar import Litestar
from rich.console import Console

from plugfest.db_commands import EXIT_SETTINGS
from simulator.platform.settings import PartySettings, SettingsError

S = TypeVar("S", bound=PartySettings)


def listening_settings(settings: S, host: str, port: int) -> S:
    """The base URL defaults to where this run listens, unless the environment sets it."""
    if "ocpi_base_url" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"ocpi_base_url": f"http://{host}:{port}"})


def serve_party(
    title: str, settings: Callable[[], S], factory: Callable[[S], Litestar], host: str, port: int
) -> None:
    """Read the settings and build the app, refusing bad ones with a message (pydantic's
    `ValidationError` is a `ValueError`, so is a bound that does not fit another); say where it
    is, run uvicorn."""
    try:
        chosen = listening_settings(settings(), host, port)
        application = factory(chosen)
    except (SettingsError, ValueError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_SETTINGS) from None
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{title}[/bold] ({chosen.plugfest_mode} mode)")
    console.print(f"versions URL: [bold cyan]{chosen.versions_url}[/bold cyan]")
    console.print(f"admin API:    {chosen.ocpi_base_url.rstrip('/')}/schema")
    uvicorn.run(application, host=host, port=port)
