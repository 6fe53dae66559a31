"""`plugfest cpo`: run the reference CPO."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.settings import SettingsError

app = typer.Typer(help="The reference CPO.", no_args_is_help=True)


def serve_settings(host: str, port: int) -> CpoSettings:
    """The CPO's settings; OCPI_BASE_URL defaults to where this run listens."""
    settings = CpoSettings()
    if "ocpi_base_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"ocpi_base_url": f"http://{host}:{port}"})
    return settings


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 9000,
) -> None:
    """Serve the reference CPO with uvicorn (OCPI, /admin, /health, /metrics, /schema)."""
    settings = serve_settings(host, port)
    try:
        application = create_app(settings)
    except SettingsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]Plugfest reference CPO[/bold] ({settings.plugfest_mode} mode)")
    console.print(f"versions URL: [bold cyan]{settings.versions_url}[/bold cyan]")
    console.print(f"admin API:    {settings.ocpi_base_url.rstrip('/')}/schema")
    uvicorn.run(application, host=host, port=port)
