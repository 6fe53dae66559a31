"""`plugfest cpo`: run the reference CPO, and refresh its token cache from an eMSP.

`tokens refresh` works on the CPO's database directly, like `plugfest emsp pull`, to show its
progress; `POST /admin/partners/{id}/tokens/refresh` does the same in a running CPO.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from plugfest.db_commands import Role, role_settings
from plugfest.serving import serve_party
from simulator.cpo.app import CpoSettings, create_app
from simulator.cpo.token_refresh import RefreshResult, refresh_tokens
from simulator.platform.audit import RequestContext
from simulator.platform.errors import OcpiError
from simulator.platform.migrate import upgrade
from simulator.platform.services import Platform

app = typer.Typer(help="The reference CPO.", no_args_is_help=True)
tokens = typer.Typer(help="The CPO's token cache (§12).", no_args_is_help=True)
app.add_typer(tokens, name="tokens")

#: Exit code when the eMSP could not be used (a page failed): nothing was completed.
EXIT_REFUSED = 3


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 9000,
) -> None:
    """Serve the reference CPO with uvicorn (OCPI, /admin, /health, /metrics, /schema)."""
    serve_party("Plugfest reference CPO", CpoSettings, create_app, host, port)


@tokens.command("refresh")
def refresh(
    partner: Annotated[str, typer.Option("--partner", help="The eMSP's partner id.")],
    full: Annotated[
        bool, typer.Option("--full", help="Pull every Token, not only what changed since.")
    ] = False,
) -> None:
    """Pull the eMSP's Tokens into the token cache (§12.2.2), following its Link headers:
    everything the first time (or with --full), else what changed since the last complete pull.
    Tokens it no longer lists are kept; invalid ones are counted, never stored."""
    settings = cast(CpoSettings, role_settings(Role.cpo))
    upgrade(settings.effective_database_url)
    console = Console(highlight=False, soft_wrap=True)

    async def main() -> RefreshResult:
        platform = Platform.build(settings, "CPO", [])
        try:
            with Progress(
                TextColumn("tokens"), BarColumn(), MofNCompleteColumn(), console=console
            ) as progress:
                task = progress.add_task("tokens", total=None)
                result = await refresh_tokens(
                    platform, partner, RequestContext(client_address="cli"), full=full,
                    progress=lambda done, total: progress.update(task, completed=done,
                                                                 total=total),
                )  # fmt: skip
                progress.update(task, completed=result.received, total=result.received)
                return result
        finally:
            await platform.close()

    try:
        result = asyncio.run(main())
    except OcpiError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    since = f"changed since {result.date_from}" if result.date_from else "all"
    console.print(
        f"tokens ({since}): {result.stored} stored, {result.invalid} invalid, "
        f"{result.pages} page(s); the next pull starts from {result.complete_from}"
    )
    for problem in result.problems:
        console.print(f"  invalid: {problem}")
