"""The judge's configuration, declared once.

`OPTIONS` is every option of a judging run. `plugfest check` (typer) and the pytest plugin
(`--ocpi-*`) are both built from it, and `JudgeConfig` takes its values from the plugin's; so an
option is added, documented and defaulted in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the command line reads OPTIONS without importing pytest
    import pytest

TargetRole = Literal["cpo", "emsp"]
#: The longest the judge waits for any one thing (an HTTP answer, a callback, a push) unless
#: `--max-wait` says otherwise; the target's announced timeouts count only up to it.
DEFAULT_MAX_WAIT = 30.0


@dataclass(frozen=True)
class Option:
    """One option of a judging run: `--name` on `plugfest check`, `--ocpi-name` for pytest."""

    name: str  # the JudgeConfig field
    help: str
    kind: type = str  # str, int, float, bool (a flag) or Path
    default: Any = None
    choices: tuple[str, ...] = ()
    repeat: bool = False  # may be given several times
    required: bool = False
    pytest_flag: str | None = None  # an option of another plugin (not a JudgeConfig field)

    @property
    def cli(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def pytest(self) -> str:
        return self.pytest_flag or "--ocpi-" + self.name.replace("_", "-")


OPTIONS: tuple[Option, ...] = (
    Option("role", "The target's role.", choices=("cpo", "emsp"), required=True),
    Option("versions_url", "The target's versions URL.", required=True),
    Option("token", "A TOKEN_A to register with (or token C, with --token-kind registered).",
           required=True),
    Option("token_kind", "bootstrap: --token is a CREDENTIALS_TOKEN_A; registered: token C.",
           default="bootstrap", choices=("bootstrap", "registered")),
    Option("report_dir", "Where runs are written.", kind=Path, default=Path("reports")),
    Option("strict", "SHOULD rules fail the run too.", kind=bool, default=False),
    Option("only", "Run only this module (credentials), rule (CRED-002) or test (its function "
           "name); repeatable.", repeat=True),
    Option("mint_token_command", "A command printing a fresh TOKEN_A of the target on its last "
           "line; {ttl} is replaced by a lifetime in seconds."),
    Option("revoke_token_command", "A command that revokes the TOKEN_A it reads on stdin "
           "(exit 0 = revoked); with --mint-token-command the judge checks that a revoked "
           "TOKEN_A is refused."),
    Option("act_command", "A command that makes the target act (send a command, a "
           "ChargingProfiles request): {action} is replaced by the action's name, its parameters "
           "come as JSON on stdin; exit 0 = done, 3 = cannot (README: the act hook)."),
    Option("counterpart_url", "Our counterpart's public base URL, when the target is remote."),
    Option("counterpart_host", "The address our counterpart binds to.", default="127.0.0.1"),
    Option("counterpart_port", "The port our counterpart binds to.", kind=int),
    Option("max_wait", "Seconds: the longest the judge waits for one answer, callback or push.",
           kind=float, default=DEFAULT_MAX_WAIT),
    Option("hypothesis_profile", "Hypothesis profile: dev, ci or thorough.", default="dev",
           choices=("dev", "ci", "thorough"), pytest_flag="--hypothesis-profile"),
)  # fmt: skip


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
    revoke_token_command: str | None = None


def add_options(parser: pytest.Parser) -> None:
    """The plugin's `--ocpi-*` options, from `OPTIONS` (another plugin's are left to it)."""
    group = parser.getgroup("plugfest", "Plugfest OCPI 2.2.1 conformance")
    for option in OPTIONS:
        if option.pytest_flag:
            continue
        extra: dict[str, Any] = {"help": option.help}
        if option.kind is bool:
            extra["action"] = "store_true"
        elif option.repeat:
            extra.update(action="append", default=[])
        else:
            extra["default"] = option.default
            if option.kind in (int, float):
                extra["type"] = option.kind
            if option.choices:
                extra["choices"] = option.choices
        group.addoption(option.pytest, **extra)
    group.addoption("--ocpi-run-id", default=None, help="name of this run's report directory")


def judged_values(config: pytest.Config) -> dict[str, Any]:
    """The JudgeConfig fields the run's options give (by name)."""
    values = {o.name: config.getoption(o.pytest) for o in OPTIONS if not o.pytest_flag}
    values["only"] = tuple(values["only"] or ())
    values["report_dir"] = Path(values["report_dir"])
    return values


def pytest_args(values: Mapping[str, Any]) -> list[str]:
    """`plugfest check`'s values as the plugin's pytest arguments."""
    args: list[str] = []
    for option in OPTIONS:
        value = values.get(option.name)
        if value is None or value is False:
            continue
        if option.kind is bool:
            args.append(option.pytest)
        elif option.repeat:
            args += [f"{option.pytest}={item}" for item in value]
        else:
            args.append(f"{option.pytest}={value}")
    return args
