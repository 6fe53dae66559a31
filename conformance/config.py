"""The judge's configuration, declared once.

`OPTIONS` is every option of a judging run. `plugfest check` (typer), its config file
(`plugfest.toml` or `[tool.plugfest]`, conformance.config_file) and the pytest plugin
(`--ocpi-*`) are all built from it, and `JudgeConfig` takes its values from the plugin's; so an
option is added, documented and defaulted in one place. `resolve` merges the sources: the command
line over the config file (or a replayed run's options) over the defaults.
"""

from __future__ import annotations

import os
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
    cli_only: bool = False  # read by `plugfest check` itself, never passed to the suites
    secret: bool = False  # never in a config file, never recorded in results.json

    @property
    def cli(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def pytest(self) -> str:
        return self.pytest_flag or "--ocpi-" + self.name.replace("_", "-")


OPTIONS: tuple[Option, ...] = (
    Option("config", "A config file of these options (default: ./plugfest.toml, else "
           "[tool.plugfest] in ./pyproject.toml); the command line overrides it.", kind=Path,
           cli_only=True),
    Option("replay", "Repeat the run in this directory: its seed and options (from its "
           "results.json); the command line overrides them.", kind=Path, cli_only=True),
    Option("role", "The target's role.", choices=("cpo", "emsp"), required=True),
    Option("versions_url", "The target's versions URL.", required=True),
    Option("token", "A TOKEN_A to register with (or token C, with --token-kind registered). "
           "Prefer --token-env: it keeps the token out of shell history.", secret=True),
    Option("token_env", "The name of an environment variable holding the token (a config "
           "file names the variable, never the token)."),
    Option("token_kind", "bootstrap: the token is a CREDENTIALS_TOKEN_A; registered: token C.",
           default="bootstrap", choices=("bootstrap", "registered")),
    Option("report_dir", "Where runs are written.", kind=Path, default=Path("reports")),
    Option("strict", "SHOULD rules fail the run too, and so do disputed verdicts.", kind=bool,
           default=False),
    Option("waivers", "A TOML file of waivers: known failures, each with a reason and an expiry "
           "date, reported `waived` instead of failing the run (README: Gating your CI).",
           kind=Path),
    Option("strict_waivers", "A stale waiver (expired, or its rule no longer fails) fails the "
           "run.", kind=bool, default=False),
    Option("baseline", "A previous run (its results.json, its directory, or a report directory: "
           "the newest run): the report shows what changed since.", kind=Path),
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
    Option("seed", "The Hypothesis seed; a random one when not given. Every run records its "
           "seed (results.json), so that --replay repeats it.", kind=int,
           pytest_flag="--hypothesis-seed"),
)  # fmt: skip
BY_NAME = {option.name: option for option in OPTIONS}


class UsageError(Exception):
    """Options that cannot make a run: a one-line message for the user (exit 2)."""


@dataclass(frozen=True)
class JudgeConfig:
    versions_url: str
    role: TargetRole
    token: str = field(repr=False)  # a secret: kept out of tracebacks, never recorded
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
    token_env: str | None = None
    waivers: Path | None = None
    strict_waivers: bool = False
    baseline: Path | None = None

    def recorded(self) -> dict[str, Any]:
        """The options of the run as results.json records them (for --replay): no secret."""
        recorded: dict[str, Any] = {}
        for option in OPTIONS:
            if option.secret or not _judged(option):
                continue
            value = getattr(self, option.name)
            recorded[option.name] = list(value) if option.repeat else _plain(value)
        return recorded


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def resolve_token(token: str | None, token_env: str | None) -> str | None:
    """The token given directly, else the value of the environment variable `token_env`."""
    if token:
        return token
    if token_env:
        return os.environ.get(token_env) or None
    return None


def add_options(parser: pytest.Parser) -> None:
    """The plugin's `--ocpi-*` options, from `OPTIONS` (another plugin's are left to it)."""
    group = parser.getgroup("plugfest", "Plugfest OCPI 2.2.1 conformance")
    for option in OPTIONS:
        if not _judged(option):
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
    values = {o.name: config.getoption(o.pytest) for o in OPTIONS if _judged(o)}
    values["only"] = tuple(values["only"] or ())
    for option in OPTIONS:
        if option.kind is Path and values.get(option.name) is not None:
            values[option.name] = Path(values[option.name])
    return values


def _judged(option: Option) -> bool:
    """Whether `option` is a JudgeConfig field (not another plugin's, not the command's own)."""
    return not (option.pytest_flag or option.cli_only)


def pytest_args(values: Mapping[str, Any]) -> list[str]:
    """`plugfest check`'s values as the plugin's pytest arguments."""
    args: list[str] = []
    for option in OPTIONS:
        value = values.get(option.name)
        if option.cli_only:
            continue
        if value is None or value is False:
            continue
        if option.kind is bool:
            args.append(option.pytest)
        elif option.repeat:
            args += [f"{option.pytest}={item}" for item in value]
        else:
            args.append(f"{option.pytest}={value}")
    return args


def resolve(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Every option's value: the first layer (command line, then config file or replayed run)
    that gives it, else its default. Checks what no layer can leave out: the required options,
    the choices and a token (UsageError)."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        given = [layer[option.name] for layer in layers if _given(layer.get(option.name))]
        value = given[0] if given else option.default
        if option.choices and value is not None and value not in option.choices:
            raise UsageError(f"{option.cli} must be one of {', '.join(option.choices)}, "
                             f"not {value!r}")  # fmt: skip
        if option.required and value is None:
            raise UsageError(f"{option.cli} is required (on the command line or in the config "
                             f"file as {option.name})")  # fmt: skip
        values[option.name] = list(value) if option.repeat and value else value
    if resolve_token(values["token"], values["token_env"]) is None:
        where = f"the environment variable {values['token_env']} is not set or empty"
        raise UsageError(
            f"no token: {where}"
            if values["token_env"]
            else "no token: give --token-env VAR "
            "(the name of an environment variable holding it) or --token"
        )
    return values


def _given(value: Any) -> bool:
    return value is not None and value != [] and value != ()
