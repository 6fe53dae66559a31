"""The CI examples for partners (examples/ci): they parse, and every command they run exists.

A `plugfest ...` line must name a real sub-command and only options that sub-command declares;
any other program must be one of a short allowlist of standard tools. The configuration's keys
must be options of `plugfest check` (conformance.config.OPTIONS), never the token itself, and
each waiver must name a rule of the catalogue.
"""

from __future__ import annotations

import datetime
import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from conformance.config import OPTIONS
from conformance.config_file import read_config
from conformance.waivers import load_waivers
from plugfest.cli import app
from specs.catalogue import default_catalogue

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"
CONFIG = CI / "plugfest.toml"
WAIVERS = CI / "waivers.toml"

#: The programs other than `plugfest` that the examples may run.
ALLOWED_PROGRAMS = frozenset(
    {"pip", "python", "curl", "mkdir", "cp", "test", "[", "echo", "ls", "cat", "true", "exit"}
)

_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")"})
_KEYWORDS = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!"})
_CLOSERS = frozenset({"fi", "done"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_REDIRECT = re.compile(r"^[0-9]*[<>]")


def _load_yaml(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    return data


# --- shell lines ---------------------------------------------------------------------------


def _logical_lines(block: str) -> Iterator[str]:
    """A shell block's lines, `\\` continuations joined, comments and blank lines left out."""
    pending = ""
    for raw in block.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line and not line.startswith("#"):
            yield line
    if pending.strip():
        yield pending.strip()


def _commands(line: str) -> Iterator[list[str]]:
    """The simple commands of one shell line, as words: split on `&&`, `||`, `;` and `|`,
    leading `VAR=value` assignments, shell keywords and redirections left out."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    tokens = iter(list(lexer))
    for token in tokens:
        if token in _SEPARATORS:
            yield from _simple(words)
            words = []
        elif _REDIRECT.match(token) and set(token) <= set("0123456789<>&"):
            next(tokens, None)  # the redirection's target
        else:
            words.append(token)
    yield from _simple(words)


def _simple(words: list[str]) -> Iterator[list[str]]:
    while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if words and words[0] not in _CLOSERS:
        yield words


def _shell_commands(blocks: list[str]) -> list[list[str]]:
    return [
        words for block in blocks for line in _logical_lines(block) for words in _commands(line)
    ]


def _github_blocks(workflow: dict[Any, Any]) -> list[str]:
    return [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]


def _gitlab_jobs(pipeline: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: job
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job and not str(name).startswith(".")
    }


def _flatten(entries: Any) -> Iterator[str]:
    """A GitLab script: a string, or a list of strings and (nested) lists of strings."""
    if isinstance(entries, str):
        yield entries
    else:
        assert isinstance(entries, list), f"a script is a string or a list, not {entries!r}"
        for entry in entries:
            yield from _flatten(entry)


def _gitlab_blocks(pipeline: dict[Any, Any]) -> list[str]:
    sections = [pipeline.get("default", {}), *_gitlab_jobs(pipeline).values()]
    return [
        block
        for section in sections
        for key in ("before_script", "script", "after_script")
        for block in _flatten(section.get(key, []))
    ]


def _all_commands() -> dict[str, list[list[str]]]:
    return {
        GITHUB.name: _shell_commands(_github_blocks(_load_yaml(GITHUB))),
        GITLAB.name: _shell_commands(_gitlab_blocks(_load_yaml(GITLAB))),
    }


def _plugfest(commands: list[list[str]], sub_command: str) -> list[list[str]]:
    return [words for words in commands if words[:2] == ["plugfest", sub_command]]


# --- the command line ----------------------------------------------------------------------


def _resolve(words: list[str]) -> tuple[Any, str, list[str]]:
    """The click command a `plugfest ...` line runs (None: there is none, and the reason),
    its name and the words after it. (Typer may bring its own copy of click: groups and options
    are told apart by their attributes.)"""
    command = typer.main.get_command(app)
    rest = words[1:]
    path = "plugfest"
    while hasattr(command, "commands"):
        if not rest:
            return None, f"{path} needs a sub-command", []
        name, rest = rest[0], rest[1:]
        if name not in command.commands:
            return None, f"{path} has no sub-command {name!r} (has {sorted(command.commands)})", []
        command = command.commands[name]
        path += f" {name}"
    return command, path, rest


def _declared(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if param.param_type_name == "option":
            names.update(param.opts, param.secondary_opts)
    return names


def _check_line(words: list[str]) -> list[str]:
    """What is wrong with one command (nothing: an empty list)."""
    program = words[0]
    if program != "plugfest":
        if program in ALLOWED_PROGRAMS:
            return []
        return [f"unknown program {program!r}: {shlex.join(words)}"]
    command, path, rest = _resolve(words)
    if command is None:
        return [f"{path}: {shlex.join(words)}"]
    declared = _declared(command)
    problems = []
    for word in rest:
        if word == "--":
            break
        if word.startswith("-") and len(word) > 1:
            option = word.split("=", 1)[0]
            if option not in declared:
                problems.append(
                    f"{path} has no option {option} "
                    f"(has {', '.join(sorted(declared))}): {shlex.join(words)}"
                )
    return problems


# --- the examples' structure ---------------------------------------------------------------


def test_github_workflow_structure() -> None:
    workflow = _load_yaml(GITHUB)
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), "the workflow has no `on`"
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers
    assert workflow["jobs"], "the workflow has no jobs"
    for name, job in workflow["jobs"].items():
        assert "runs-on" in job, name
        assert job["steps"], f"job {name} has no steps"
        for step in job["steps"]:
            assert ("run" in step) != ("uses" in step), f"a step runs or uses one thing: {step}"
            if "uses" in step:
                # Third-party actions pinned to a major version at least.
                assert re.search(r"@v[0-9]+$", step["uses"]), step["uses"]
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    setup = uses["actions/setup-python"]
    assert str(setup["with"]["python-version"]) == "3.11"
    upload = uses["actions/upload-artifact"]
    assert upload["if"] == "always()"
    assert upload["with"]["path"].rstrip("/") == "reports"
    junit = uses["mikepenz/action-junit-report"]
    assert junit["with"]["report_paths"] == "reports/*/rules.junit.xml"
    assert uses["dawidd6/action-download-artifact"]["with"]["name"] == upload["with"]["name"]
    assert uses["marocchino/sticky-pull-request-comment"]["with"]["path"] == "diff.md"
    # The token comes from a secret, exported under the name the configuration gives.
    token_env = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["token_env"]
    exported = {name: value for step in steps for name, value in step.get("env", {}).items()}
    assert exported[token_env] == f"${{{{ secrets.{token_env} }}}}"


def test_gitlab_job_structure() -> None:
    jobs = _gitlab_jobs(_load_yaml(GITLAB))
    assert jobs, "no job with a script"
    for name, job in jobs.items():
        assert job["image"] == "python:3.11", name
        assert list(_flatten(job["script"])), f"job {name} has an empty script"
        artifacts = job["artifacts"]
        assert artifacts["when"] == "always"
        assert "reports/" in artifacts["paths"]
        assert artifacts["reports"]["junit"] == "reports/*/rules.junit.xml"


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=lambda p: p.name)
def test_examples_judge_gate_and_diff(path: Path) -> None:
    """Each example judges with the shipped configuration, writes the Markdown diff and gates
    pull/merge requests on new failures."""
    commands = _all_commands()[path.name]
    checks = _plugfest(commands, "check")
    assert checks, f"{path.name} never runs plugfest check"
    for words in checks:
        config = words[words.index("--config") + 1]
        assert (ROOT / config).resolve() == CONFIG
    diffs = [shlex.join(words) for words in _plugfest(commands, "diff")]
    assert any("--format markdown --output diff.md" in line for line in diffs), diffs
    assert any("--fail-on new" in line for line in diffs), diffs


# --- every command exists ------------------------------------------------------------------


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=lambda p: p.name)
def test_every_command_exists(path: Path) -> None:
    commands = _all_commands()[path.name]
    assert commands, f"{path.name} runs nothing"
    problems = [problem for words in commands for problem in _check_line(words)]
    assert not problems, "\n".join(problems)


def test_command_extraction() -> None:
    """The extraction itself: continuations, operators, assignments, keywords, redirections."""
    block = (
        "# a comment\n"
        "\n"
        "status=0\n"
        "if [ -d baseline ]; then\n"
        "  plugfest check --config c.toml \\\n"
        "    --seed 3 || status=$?\n"
        "fi\n"
        'echo "status=$status" >> "$GITHUB_OUTPUT"\n'
        "A=1 B=2 curl -s x | python -c 'print(1)' && ls  # trailing\n"
    )
    assert _shell_commands([block]) == [
        ["[", "-d", "baseline", "]"],
        ["plugfest", "check", "--config", "c.toml", "--seed", "3"],
        ["echo", "status=$status"],
        ["curl", "-s", "x"],
        ["python", "-c", "print(1)"],
        ["ls"],
    ]
    assert _check_line(["wget", "x"]) == ["unknown program 'wget': wget x"]
    assert _check_line(["plugfest", "rules", "--format", "json"]) == []
    assert _check_line(["plugfest", "rules", "--nope"])
    assert "plugfest has no sub-command 'nope'" in _check_line(["plugfest", "nope"])[0]
    assert "plugfest token needs a sub-command" in _check_line(["plugfest", "token"])[0]


# --- the configuration and the waivers ----------------------------------------------------


def test_config_keys_are_options() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    # A config file takes the options of a run, not those of the command (config, replay),
    # and never a secret: token_env names the variable holding the token.
    options = {
        option.name: option
        for option in OPTIONS
        if not getattr(option, "cli_only", False) and not getattr(option, "secret", False)
    }
    assert "token" not in config, "the token is never in the file: token_env names its variable"
    unknown = set(config) - set(options)
    assert not unknown, f"not options of plugfest check: {sorted(unknown)}"
    for key, value in config.items():
        option = options[key]
        if option.choices:
            assert value in option.choices, f"{key} = {value!r}: one of {option.choices}"
        if option.repeat:
            assert isinstance(value, list), f"{key} is repeatable: a list"
        elif option.kind is bool:
            assert isinstance(value, bool), f"{key} is a flag: true or false"
        elif option.kind in (int, float):
            assert isinstance(value, int | float), f"{key} is a number"
        else:
            assert isinstance(value, str), f"{key} is a string"
    assert config["token_env"] == "OCPI_TOKEN_A"
    assert (ROOT / config["waivers"]).resolve() == WAIVERS
    # And the judge reads it as it is.
    values, source = read_config(CONFIG)
    assert source == CONFIG
    assert set(values) == set(config)


def test_waivers() -> None:
    raw = tomllib.loads(WAIVERS.read_text(encoding="utf-8"))
    catalogue = default_catalogue()
    # The judge's own loader: the format, and every rule in the catalogue (UsageError if not).
    waivers = load_waivers(WAIVERS, catalogue)
    assert len(waivers) == len(raw["waiver"]) > 0
    for waiver in waivers:
        assert waiver.rule in catalogue
        assert waiver.reason
        assert type(waiver.expires) is datetime.date, "expires is a TOML date"
        assert waiver.expires > datetime.date(2026, 12, 31), "an example should not expire soon"
