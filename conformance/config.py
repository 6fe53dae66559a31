"""The judge's configuration, from pytest options (`plugfest check` passes them through)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

TargetRole = Literal["cpo", "emsp"]
#: The longest the judge waits for any one thing (an HTTP answer, a callback, a push) unless
#: `--max-wait` says otherwise; the target's announced timeouts count only up to it.
DEFAULT_MAX_WAIT = 30.0


@dataclass(frozen=True)
class JudgeConfig:
    versions_url: str
    role: TargetRole
    token: str = field(repr=False)  # a secret: kept out of tracebacks
    token_kind: Literal["bootstrap", "registered"]
    counterpart_host: str
    counterpart_port: int | None
    counterpart_url: str | None
    strict: bool
    mint_token_command: str | None
    act_command: str | None
    report_dir: Path
    run_id: str
    only: tuple[str, ...]
    party: tuple[str, str]  # the judge's own country code and party id
    max_wait: float = DEFAULT_MAX_WAIT  # seconds: the bound of every single wait (README)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("plugfest", "Plugfest OCPI 2.2.1 conformance")
    group.addoption("--ocpi-versions-url", help="the target's versions URL")
    group.addoption("--ocpi-role", choices=("cpo", "emsp"), help="the target's role")
    group.addoption("--ocpi-token", help="a TOKEN_A to register with, or a registered token")
    group.addoption(
        "--ocpi-token-kind",
        choices=("bootstrap", "registered"),
        default="bootstrap",
        help="bootstrap: --ocpi-token is a CREDENTIALS_TOKEN_A (default); registered: token C",
    )
    group.addoption("--ocpi-counterpart-host", default="127.0.0.1", help="bind address")
    group.addoption("--ocpi-counterpart-port", type=int, default=None, help="bind port")
    group.addoption(
        "--ocpi-counterpart-url",
        default=None,
        help="public base URL of our counterpart when the target is remote",
    )
    group.addoption("--ocpi-strict", action="store_true", help="SHOULD rules fail the run too")
    group.addoption(
        "--ocpi-mint-token-command",
        default=None,
        help="shell command printing a fresh TOKEN_A of the target on its last line; "
        "{ttl} is replaced by a lifetime in seconds",
    )
    group.addoption(
        "--ocpi-act-command",
        default=None,
        help="shell command that makes the target act (send a command, a ChargingProfile "
        "request); {action} is replaced by the action's name, its parameters come as a JSON "
        "object on stdin; exit 0 = done, 3 = the target cannot do it (README: the act hook)",
    )
    group.addoption(
        "--ocpi-max-wait",
        type=float,
        default=DEFAULT_MAX_WAIT,
        help="seconds: the longest the judge waits for one answer, callback or push",
    )
    group.addoption("--ocpi-report-dir", default="reports", help="where runs are written")
    group.addoption("--ocpi-run-id", default=None, help="name of this run's report directory")
    group.addoption(
        "--ocpi-only",
        action="append",
        default=[],
        help="run only tests of this module (e.g. credentials) or rule (e.g. CRED-002), or "
        "the test of this function name",
    )
