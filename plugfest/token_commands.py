"""`plugfest token`: bootstrap tokens (CREDENTIALS_TOKEN_A, §7.1.1) minted straight in the database.

The same settings and TOKEN_HMAC_SECRET as the server (development mode reads the generated
secrets file in the data directory), so a token minted here is accepted by a running server.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from plugfest.db_commands import EXIT_SETTINGS, Role, RoleOption, role_settings
from simulator.platform import audit
from simulator.platform.audit import RequestContext
from simulator.platform.migrate import upgrade
from simulator.platform.services import Platform
from simulator.platform.settings import PartySettings

T = TypeVar("T")

app = typer.Typer(help="Bootstrap tokens (CREDENTIALS_TOKEN_A).", no_args_is_help=True)

CLI_CONTEXT = RequestContext(client_address="cli")
_TTL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_PARTY = re.compile(r"^([A-Za-z]{2})[/-]([A-Za-z0-9]{3})$")


def parse_ttl(value: str) -> timedelta:
    """`90s`, `15m`, `1h`, `2d` (a bare number is seconds); positive only."""
    match = _TTL.match(value.lower())
    if match is None or int(match.group(1)) <= 0:
        raise typer.BadParameter("use a positive duration such as 90s, 15m, 1h or 2d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def parse_party(value: str | None) -> tuple[str, str] | None:
    """`NL/ABC`: country code and party id (§7.3.1 CredentialsRole), upper-cased."""
    if value is None:
        return None
    match = _PARTY.match(value.strip())
    if match is None:
        raise typer.BadParameter("use COUNTRY/PARTY, e.g. NL/ABC")
    return match.group(1).upper(), match.group(2).upper()


def _run(
    settings: PartySettings, role: Role, job: Callable[[Platform], Awaitable[T]], migrate: bool
) -> T:
    """Run `job` against the role's database (migrated first when asked)."""
    if migrate:
        upgrade(settings.effective_database_url)

    async def main() -> T:
        platform = Platform.build(settings, role.value.upper(), [])
        try:
            return await job(platform)
        finally:
            await platform.close()

    return asyncio.run(main())


@app.command("create")
def create(
    ttl: Annotated[str, typer.Option("--ttl", help="Time to live: 90s, 15m, 1h, 2d.")] = "1h",
    label: Annotated[str | None, typer.Option("--label", help="A note for the listing.")] = None,
    role: RoleOption = Role.cpo,
    party: Annotated[
        str | None,
        typer.Option("--party", help="Only this party may redeem it: COUNTRY/PARTY, e.g. NL/ABC."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print the token alone (for scripts and hooks).")
    ] = False,
) -> None:
    """Mint a bootstrap token and print it (once) with its id, expiry and the versions URL."""
    lifetime, expected = parse_ttl(ttl), parse_party(party)
    settings = role_settings(role)

    async def job(platform: Platform) -> Any:
        minted = await platform.bootstrap.create(
            lifetime, CLI_CONTEXT, label=label, expected_party=expected
        )
        await platform.audit.record(
            audit.ADMIN_ACTION,
            CLI_CONTEXT,
            token_id=minted.id,
            detail={"action": "bootstrap_token.create", "via": "cli"},
        )
        return minted

    minted = _run(settings, role, job, migrate=True)
    if quiet:
        typer.echo(minted.token)
        return
    console = Console(highlight=False, soft_wrap=True)
    console.print("[bold]Bootstrap token created[/bold] (shown only this once)")
    console.print(f"token:        [bold green]{minted.token}[/bold green]")
    console.print(f"id:           {minted.id}")
    console.print(f"expires at:   {minted.expires_at.isoformat()}")
    console.print(f"versions URL: {settings.versions_url}")
    if expected:
        console.print(f"for party:    {expected[0]}/{expected[1]}")


@app.command("list")
def list_tokens(role: RoleOption = Role.cpo) -> None:
    """List bootstrap tokens and their state (never the tokens themselves)."""
    settings = role_settings(role)

    async def job(platform: Platform) -> list[dict[str, Any]]:
        return await platform.bootstrap.listing()

    rows = _run(settings, role, job, migrate=True)
    table = Table(header_style="bold")
    for column in ("id", "label", "state", "expires_at", "expected_party"):
        table.add_column(column, no_wrap=column == "id")
    for row in rows:
        table.add_row(
            *(str(row[c] or "") for c in ("id", "label", "state", "expires_at", "expected_party"))
        )
    console = Console(highlight=False)
    console.print(table)
    console.print(f"{len(rows)} token(s)")


@app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (see `plugfest token list`).")],
    role: RoleOption = Role.cpo,
) -> None:
    """Revoke a bootstrap token; exits 1 if it is unknown or already revoked."""
    settings = role_settings(role)

    async def job(platform: Platform) -> bool:
        done = await platform.bootstrap.revoke(token_id, CLI_CONTEXT)
        if done:
            await platform.audit.record(
                audit.ADMIN_ACTION,
                CLI_CONTEXT,
                token_id=token_id,
                detail={"action": "bootstrap_token.revoke", "via": "cli"},
            )
        return done

    if not _run(settings, role, job, migrate=True):
        typer.echo(f"Error: no live or spent token {token_id} to revoke", err=True)
        raise typer.Exit(EXIT_SETTINGS)
    typer.echo(f"revoked {token_id}")
