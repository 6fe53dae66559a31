"""`plugfest check`'s config file: `plugfest.toml`, or `[tool.plugfest]` in `pyproject.toml`.

Its keys are the names of conformance.config.OPTIONS (`versions_url`, or `versions-url`), its
values of the options' kinds. The token is never in it: `token_env` names the environment
variable that holds it. Paths are read relative to the current directory, as on the command
line. A replayed run's recorded options (`--replay RUN_DIR`) are read here too.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from conformance.config import BY_NAME, Option, UsageError

DEFAULT_FILES = ("plugfest.toml", "pyproject.toml")


def read_config(path: Path | None, cwd: Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """The options a config file gives, and the file they came from: `path`, else
    ./plugfest.toml, else ./pyproject.toml's [tool.plugfest]; none found gives no options."""
    if path is not None:
        if not path.is_file():
            raise UsageError(f"--config {path}: no such file")
        return _options(path, _table(path)), path
    for name in DEFAULT_FILES:
        candidate = (cwd or Path.cwd()) / name
        if candidate.is_file():
            table = _table(candidate)
            if table is not None:
                return _options(candidate, table), candidate
    return {}, None


def _table(path: Path) -> dict[str, Any] | None:
    """The file's plugfest table (None for a pyproject.toml without one)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable TOML file ({exc})") from exc
    if path.name != "pyproject.toml":
        return document
    table = document.get("tool", {}).get("plugfest")
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.plugfest] must be a table")
    return table


def _options(path: Path, table: dict[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in (table or {}).items():
        name = key.replace("-", "_")
        option = BY_NAME.get(name)
        if option is None or option.cli_only:
            raise UsageError(f"{path}: unknown option {key!r} (see plugfest check --help)")
        if option.secret:
            raise UsageError(
                f"{path}: the token never goes in a file; name the environment variable "
                f"that holds it with token_env"
            )
        values[name] = _typed(path, option, key, value)
    return values


def _typed(path: Path, option: Option, key: str, value: Any) -> Any:
    """`value` as `option` takes it, or a UsageError naming the key."""

    def wrong(kind: str) -> UsageError:
        return UsageError(f"{path}: {key} must be {kind}, not {value!r}")

    if option.repeat:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise wrong("a string or a list of strings")
        return items
    if option.kind is bool:
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if option.kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong("a number")
        if option.kind is int and not isinstance(value, int):
            raise wrong("a whole number")
        return option.kind(value)
    if not isinstance(value, str):
        raise wrong("a string")
    return Path(value) if option.kind is Path else value


def replayed(run: Path) -> dict[str, Any]:
    """The options and seed a run recorded (`run` a run directory or its results.json)."""
    results_path = run / "results.json" if run.is_dir() else run
    try:
        recorded = json.loads(results_path.read_text(encoding="utf-8"))["run"]
        options = dict(recorded["options"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"--replay {run}: not a run directory with a results.json recording its options "
            f"({exc.__class__.__name__}: {exc})"
        ) from exc
    values = {}
    for name, value in options.items():
        option = BY_NAME.get(name)
        if option is not None and not option.secret and value is not None:
            values[name] = Path(value) if option.kind is Path else value
    seed = str(recorded.get("seed"))
    if seed.isdigit():  # --seed takes a number; a run given another kind has none to repeat
        values["seed"] = int(seed)
    return values
