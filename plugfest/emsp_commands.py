"""`plugfest emsp`: run the eMSP simulator and drive it.

`serve` runs it; `register`, `refresh`, `unregister` and `command` call a running simulator's
admin API over HTTP (EMSP_ADMIN_TOKEN, or the development secrets file in EMSP_DATA_DIR);
`pull` works on the simulator's database directly, like `plugfest token`, to show its progress.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated, Any, cast

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from plugfest.db_commands import Role, role_settings
from plugfest.serving import serve_party
from simulator.emsp.app import EmspSettings, create_app
from simulator.emsp.pull import PULLABLE, pull
from simulator.emsp.services import Emsp
from simulator.platform.errors import OcpiError
from simulator.platform.migrate import upgrade
from simulator.platform.services import Platform

app = typer.Typer(help="The eMSP simulator.", no_args_is_help=True)

#: Exit code when the running simulator (or the CPO behind it) refused or failed.
EXIT_REFUSED = 3


class Command(enum.StrEnum):
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    RESERVE_NOW = "RESERVE_NOW"
    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="The running simulator's base URL (default EMSP_OCPI_BASE_URL)."),
]


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 9001,
) -> None:
    """Serve the eMSP simulator with uvicorn (OCPI, /admin, /admin/emsp, /health, /metrics,
    /schema)."""
    serve_party("Plugfest eMSP simulator", EmspSettings, create_app, host, port)


# --- the admin API of a running simulator --------------------------------------------------------


def _settings() -> EmspSettings:
    return cast(EmspSettings, role_settings(Role.emsp))


def _admin(method: str, path: str, url: str | None, **kwargs: Any) -> Any:
    settings = _settings()
    base = (url or settings.ocpi_base_url).rstrip("/")
    assert settings.admin_token is not None
    headers = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    try:
        response = httpx.request(method, f"{base}{path}", headers=headers, timeout=60, **kwargs)
    except httpx.HTTPError as exc:
        typer.echo(f"Error: the eMSP simulator at {base} is not reachable ({exc})", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if response.status_code >= 400:
        message = body.get("status_message") if isinstance(body, dict) else body
        typer.echo(f"Error: HTTP {response.status_code}: {message}", err=True)
        raise typer.Exit(EXIT_REFUSED)
    return body


@app.command("register")
def register(
    versions_url: Annotated[str, typer.Option("--versions-url", help="The CPO's versions URL.")],
    token: Annotated[str, typer.Option("--token", help="The TOKEN_A the CPO issued us.")],
    url: UrlOption = None,
) -> None:
    """Register the running simulator with a CPO (§7.1.1); prints the partner id."""
    body = {"versions_url": versions_url, "token": token}
    partner = _admin("POST", "/admin/partners", url, json=body)
    roles = ", ".join(f"{r['country_code']}/{r['party_id']} {r['role']}" for r in partner["roles"])
    typer.echo(f"registered: {roles}")
    typer.echo(f"partner id: {partner['id']}")


@app.command("refresh")
def refresh(
    partner_id: Annotated[str, typer.Argument(help="The partner's id.")], url: UrlOption = None
) -> None:
    """New credentials tokens both ways with a registered CPO (§7.2.3)."""
    _admin("POST", f"/admin/partners/{partner_id}/refresh", url)
    typer.echo(f"refreshed {partner_id}")


@app.command("unregister")
def unregister(
    partner_id: Annotated[str, typer.Argument(help="The partner's id.")], url: UrlOption = None
) -> None:
    """Unregister from a CPO (§7.2.4)."""
    _admin("DELETE", f"/admin/partners/{partner_id}", url)
    typer.echo(f"unregistered {partner_id}")


@app.command("command")
def command(
    name: Annotated[Command, typer.Argument(help="The command (§13.4.3).")],
    partner: Annotated[str, typer.Option("--partner", help="The CPO's partner id.")],
    location: Annotated[str | None, typer.Option("--location", help="Location id.")] = None,
    evse: Annotated[str | None, typer.Option("--evse", help="EVSE uid.")] = None,
    connector: Annotated[str | None, typer.Option("--connector", help="Connector id.")] = None,
    token: Annotated[str | None, typer.Option("--token", help="Uid of one of our Tokens.")] = None,
    session: Annotated[str | None, typer.Option("--session", help="Session id.")] = None,
    reservation: Annotated[
        str | None, typer.Option("--reservation", help="Reservation id.")
    ] = None,
    expiry: Annotated[
        str | None, typer.Option("--expiry", help="RESERVE_NOW expiry (DateTime).")
    ] = None,
    authorization_reference: Annotated[
        str | None, typer.Option("--authorization-reference", help="Our reference.")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Send a command to a CPO with a response_url of ours; prints the CommandResponse."""
    fields = {
        "location_id": location, "evse_uid": evse, "connector_id": connector, "token": token,
        "session_id": session, "reservation_id": reservation, "expiry_date": expiry,
        "authorization_reference": authorization_reference,
    }  # fmt: skip
    body = {k: v for k, v in fields.items() if v is not None}
    record = _admin(
        "POST", f"/admin/emsp/commands/{name.value}", url, json=body, params={"partner": partner}
    )
    response = record.get("response") or {}
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"command id:   {record['id']}")
    console.print(f"response_url: {record['request']['response_url']}")
    console.print(
        f"answer:       HTTP {record.get('http_status')}, OCPI {record.get('status_code')}, "
        f"result {response.get('result')}, timeout {response.get('timeout')}"
    )


# --- pull, in process -----------------------------------------------------------------------------


@app.command("pull")
def pull_command(
    partner: Annotated[str, typer.Option("--partner", help="The CPO's partner id.")],
    module: Annotated[
        str | None, typer.Option("--module", help=f"One of {', '.join(PULLABLE)} (default all).")
    ] = None,
) -> None:
    """Pull Locations, Sessions, CDRs and Tariffs from a CPO, following its Link headers."""
    modules = [module] if module else list(PULLABLE)
    if any(m not in PULLABLE for m in modules):
        raise typer.BadParameter(f"use one of {', '.join(PULLABLE)}", param_hint="--module")
    settings = _settings()
    upgrade(settings.effective_database_url)
    console = Console(highlight=False, soft_wrap=True)

    async def main() -> list[dict[str, Any]]:
        platform = Platform.build(settings, "EMSP", [])
        emsp = Emsp.build(platform)
        results = []
        try:
            with Progress(
                TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                console=console,
            ) as progress:  # fmt: skip
                for name in modules:
                    task = progress.add_task(name, total=None)

                    def update(done: int, total: int | None, task: Any = task) -> None:
                        progress.update(task, completed=done, total=total)

                    result = await pull(emsp, partner, name, progress=update)
                    progress.update(task, completed=result.received, total=result.received)
                    results.append(result.view())
        finally:
            await platform.close()
        return results

    try:
        results = asyncio.run(main())
    except OcpiError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    for result in results:
        console.print(
            f"{result['module']}: {result['stored']} stored, {result['invalid']} invalid, "
            f"{result['removed']} removed, {result['pages']} page(s)"
        )
