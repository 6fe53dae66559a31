"""`plugfest fuzz` (`nox -s fuzz`, issue #16): plain `schemathesis run`, with its default phases
and checks, over the contract of each role bound to our own party of that role.

Each party runs on loopback (`plugfest.selfcheck.serve`); the judge's client registers with it
(token C); the role's contract is bound to the endpoints it publishes (`conformance/binding.py`)
and written beside a schemathesis configuration. The token reaches schemathesis through an
environment variable the configuration names, so it is in no command line and no log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, cast

from rich.console import Console

from conformance import schemathesis_ocpi
from conformance.binding import Bound, bind
from conformance.client import token_header
from conformance.config import DEFAULT_MAX_WAIT, JudgeConfig
from conformance.mint import mint
from conformance.session import Judge, Registration
from plugfest.selfcheck import Party, serve
from specs.contract import Role

console = Console()
AUTHORIZATION_ENV = "PLUGFEST_FUZZ_AUTHORIZATION"


def _registered(party: Party, workdir: Path) -> tuple[Judge, Registration]:
    """The judge's session with `party`, and its registration (token C, endpoints)."""
    token_a = mint(party.base_url, party.admin_token, 1800, "fuzz")
    config = JudgeConfig(
        versions_url=party.versions_url, role=cast(Role, party.role), token=token_a,
        token_kind="bootstrap", counterpart_host="127.0.0.1", counterpart_port=None,  # noqa: S106
        counterpart_url=None, strict=False, mint_token_command=None, act_command=None,
        report_dir=workdir, run_id="fuzz", only=(), party=("NL", "PFJ"),
        max_wait=DEFAULT_MAX_WAIT,
    )  # fmt: skip
    judge = Judge(config)
    judge.discover(token_a)
    _, registration = judge.register(token_a)
    if registration is None:
        raise RuntimeError(f"our {party.role} refused the registration: see its log")
    registration.target_role = party.role
    return judge, registration


def _config(bound: Bound, max_examples: int, seed: int) -> str:
    """schemathesis.toml for one bound document: credentials changes documented, not run; the
    built-in `negative_data_rejection` replaced by its OCPI reading (SCHEMATHESIS_HOOKS)."""
    lines = [
        f"base-url = {json.dumps(bound.origin)}",
        f"seed = {seed}",
        "[generation]",
        f"max-examples = {max_examples}",
        "[headers]",
        f'Authorization = "${{{AUTHORIZATION_ENV}}}"',
        'OCPI-from-country-code = "NL"',
        'OCPI-from-party-id = "PFJ"',
        "[checks.negative_data_rejection]",
        "enabled = false",
    ]
    for operation in [*bound.schemathesis_operations(), *schemathesis_ocpi.OPERATIONS]:
        lines += ["[[operations]]", *_toml_keys(operation)]
    return "\n".join(lines) + "\n"


def _toml_keys(table: dict[str, Any], prefix: str = "") -> list[str]:
    """`key = value` lines of a table, nested tables as dotted keys (JSON scalars are TOML's)."""
    lines = []
    for key, value in table.items():
        if isinstance(value, dict):
            lines += _toml_keys(value, f"{prefix}{key}.")
        else:
            lines.append(f"{prefix}{key} = {json.dumps(value)}")
    return lines


def fuzz_role(role: str, max_examples: int, seed: int, workdir: Path) -> int:
    """schemathesis run over `role`'s bound contract against our party of that role."""
    with serve(role, workdir, seed=role == "cpo") as party:
        judge, registration = _registered(party, workdir)
        details = judge.details.exchange.url if judge.details is not None else None
        binding = bind(cast(Role, role), registration.endpoint, party.versions_url, details)
        codes = []
        for index, bound in enumerate(binding.documents):
            document = workdir / f"{role}-{index}.json"
            document.write_text(json.dumps(bound.document), encoding="utf-8")
            config = workdir / f"{role}-{index}.toml"
            config.write_text(_config(bound, max_examples, seed), encoding="utf-8")
            command = ["schemathesis", "--config-file", str(config), "run", str(document)]
            console.rule(f"{role.upper()} {bound.origin}: {' '.join(command)}")
            done = subprocess.run(  # noqa: S603 - schemathesis's own CLI
                [sys.executable, "-m", "schemathesis.cli", *command[1:]],
                env={
                    **os.environ,
                    AUTHORIZATION_ENV: token_header(registration.token),
                    "SCHEMATHESIS_HOOKS": schemathesis_ocpi.__name__,
                },
            )
            codes.append(done.returncode)
        return max(codes, default=0)


def run(roles: tuple[str, ...], max_examples: int, seed: int) -> int:
    codes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="plugfest-fuzz-") as tmp:
        for role in roles:
            workdir = Path(tmp) / role
            workdir.mkdir()
            codes[role] = fuzz_role(role, max_examples, seed, workdir)
    for role, code in codes.items():
        verdict = "[green]no failure[/green]" if code == 0 else f"[red]failures ({code})[/red]"
        console.print(f"{role.upper()}: {verdict}")
    return 0 if all(code == 0 for code in codes.values()) else 1
