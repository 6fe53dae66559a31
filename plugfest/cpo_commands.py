"""`plugfest cpo`: run the reference CPO."""

from __future__ import annotations

from typing import Annotated

import typer

from plugfest.serving import serve_party
from simulator.cpo.app import CpoSettings, create_app

app = typer.Typer(help="The reference CPO.", no_args_is_help=True)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 9000,
) -> None:
    """Serve the reference CPO with uvicorn (OCPI, /admin, /health, /metrics, /schema)."""
    serve_party("Plugfest reference CPO", CpoSettings(), create_app, host, port)
