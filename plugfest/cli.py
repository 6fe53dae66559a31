"""`plugfest`: one console script, one sub-command per job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plugfest import cpo_commands, db_commands, emsp_commands, rules_command, token_commands

app = typer.Typer(
    name="plugfest",
    help="OCPI 2.2.1 conformance suite, reference CPO and eMSP simulator.",
    no_args_is_help=True,
    add_completion=False,
)


app.add_typer(cpo_commands.app, name="cpo")
app.add_typer(emsp_commands.app, name="emsp")
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


@app.command("check")
def check(
    role: Annotated[str, typer.Option("--role", help="The target's role: cpo or emsp.")],
    versions_url: Annotated[str, typer.Option("--versions-url", help="The target's versions URL.")],
    token: Annotated[
        str,
        typer.Option("--token", help="A TOKEN_A to register with (or --token-kind registered)."),
    ],
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where runs go.")] = Path(
        "reports"
    ),
    strict: Annotated[
        bool, typer.Option("--strict", help="SHOULD rules fail the run too.")
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Only this module or rule (repeatable).")
    ] = None,
    token_kind: Annotated[
        str, typer.Option("--token-kind", help="bootstrap (TOKEN_A) or registered (token C).")
    ] = "bootstrap",
    mint_token_command: Annotated[
        str | None,
        typer.Option("--mint-token-command", help="Prints a fresh TOKEN_A; {ttl} = seconds."),
    ] = None,
    act_command: Annotated[
        str | None,
        typer.Option(
            "--act-command",
            help="Makes the target act (send a command...): {action} = the action's name, "
            "its parameters as JSON on stdin.",
        ),
    ] = None,
    counterpart_url: Annotated[
        str | None, typer.Option("--counterpart-url", help="Our counterpart's public base URL.")
    ] = None,
    counterpart_host: Annotated[str, typer.Option("--counterpart-host")] = "127.0.0.1",
    counterpart_port: Annotated[int | None, typer.Option("--counterpart-port")] = None,
    hypothesis_profile: Annotated[
        str, typer.Option("--hypothesis-profile", help="dev, ci or thorough.")
    ] = "dev",
    max_wait: Annotated[
        float,
        typer.Option(
            "--max-wait",
            help="Seconds: the longest the judge waits for one answer, callback or push.",
        ),
    ] = 30.0,
) -> None:
    """Judge an OCPI 2.2.1 party by URL. Exit 1 when a MUST rule failed, 2 on a usage error
    (a target that cannot be reached), 0 otherwise."""
    from plugfest.check_command import run_check

    if role not in ("cpo", "emsp"):
        raise typer.BadParameter("--role must be cpo or emsp")
    if token_kind not in ("bootstrap", "registered"):
        raise typer.BadParameter("--token-kind must be bootstrap or registered")
    raise typer.Exit(
        run_check(
            role=role, versions_url=versions_url, token=token, report_dir=report_dir,
            strict=strict, only=only or [], token_kind=token_kind,
            mint_token_command=mint_token_command, counterpart_url=counterpart_url,
            counterpart_host=counterpart_host, counterpart_port=counterpart_port,
            hypothesis_profile=hypothesis_profile, act_command=act_command, max_wait=max_wait,
        )
    )  # fmt: skip


@app.command("selfcheck")
def selfcheck(
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where runs go.")] = Path(
        "reports"
    ),
    hypothesis_profile: Annotated[
        str, typer.Option("--hypothesis-profile", help="dev, ci or thorough.")
    ] = "ci",
    role: Annotated[
        list[str] | None, typer.Option("--role", help="Only judge this role (repeatable).")
    ] = None,
) -> None:
    """Our reference CPO and eMSP simulator on loopback, each judged by the other's suite."""
    from plugfest.selfcheck import run

    raise typer.Exit(run(report_dir, hypothesis_profile, tuple(role or ("cpo", "emsp"))))


@app.command("report")
def report(
    results: Annotated[Path, typer.Argument(help="A run's results.json.", exists=True)],
) -> None:
    """Render a run's index.html again from its results.json alone."""
    from conformance.report import render_index, rerender

    target = rerender(results)
    render_index(results.parent.parent)
    typer.echo(str(target))


def main() -> None:
    app()
