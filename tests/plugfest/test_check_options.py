"""The options of a judging run are declared once (conformance.config.OPTIONS): `plugfest check`
and the pytest plugin both offer every one of them, and the command passes each through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _pytest.config.argparsing import Parser
from _pytest.monkeypatch import MonkeyPatch
from typer.testing import CliRunner

from conformance.config import OPTIONS, add_options, pytest_args
from plugfest.cli import app


def test_plugfest_check_offers_every_option() -> None:
    shown = CliRunner().invoke(app, ["check", "--help"], terminal_width=200).output
    for option in OPTIONS:
        assert option.cli in shown, option.name


def test_the_plugin_offers_every_option_of_its_own() -> None:
    parser = Parser()
    add_options(parser)
    names = {name for group in parser._groups for opt in group.options for name in opt.names()}
    for option in OPTIONS:
        if not (option.pytest_flag or option.cli_only):
            assert option.pytest in names, option.name


def test_values_pass_through_to_the_plugin() -> None:
    values = {"role": "cpo", "versions_url": "http://t/versions", "token": "a", "strict": True,
              "only": ["CRED-001", "locations"], "report_dir": Path("r"), "max_wait": 5.0,
              "counterpart_port": None, "hypothesis_profile": "ci"}  # fmt: skip
    args = pytest_args(values)
    assert "--ocpi-strict" in args
    assert "--ocpi-only=CRED-001" in args
    assert "--ocpi-only=locations" in args
    assert "--ocpi-max-wait=5.0" in args
    assert "--hypothesis-profile=ci" in args
    assert not [a for a in args if a.startswith("--ocpi-counterpart-port")]


def _checked(monkeypatch: MonkeyPatch, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """What `plugfest check ARGS` would judge, run in `tmp_path` (run_check stubbed out)."""
    seen: dict[str, Any] = {}

    def run_check(values: dict[str, Any]) -> int:
        seen.update(values)
        return 0

    monkeypatch.setattr("plugfest.check_command.run_check", run_check)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, {**seen, "output": result.output}


def test_the_command_line_overrides_plugfest_toml(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    (tmp_path / "plugfest.toml").write_text(
        'role = "cpo"\nversions_url = "http://t/versions"\ntoken_env = "PF_TOKEN"\n'
        "max_wait = 7\nonly = ['credentials']\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PF_TOKEN", "secret")
    code, values = _checked(monkeypatch, tmp_path, "--role", "emsp", "--strict")
    assert code == 0, values["output"]
    assert (values["role"], values["strict"], values["max_wait"]) == ("emsp", True, 7.0)
    assert values["only"] == ["credentials"]
    assert values["token_env"] == "PF_TOKEN"
    code, values = _checked(monkeypatch, tmp_path, "--only", "tokens", "--max-wait", "3")
    assert (values["only"], values["max_wait"], values["strict"]) == (["tokens"], 3.0, False)


def test_a_usage_error_exits_2_with_one_line(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    (tmp_path / "plugfest.toml").write_text('role = "cpo"\ntoken = "abc"\n', encoding="utf-8")
    code, values = _checked(monkeypatch, tmp_path)
    assert code == 2
    assert "plugfest check:" in values["output"]
    assert "token_env" in values["output"]
    assert "abc" not in values["output"]
    code, values = _checked(monkeypatch, tmp_path, "--config", "absent.toml")
    assert (code, "no such file" in values["output"]) == (2, True)


def test_a_bad_waiver_file_exits_2_naming_its_line(tmp_path: Path) -> None:
    """Read before the target is even asked: the line is named, the TOML shown as written."""
    waivers = tmp_path / "waivers.toml"
    target = ["check", "--role", "cpo", "--versions-url", "http://127.0.0.1:9/v", "--token", "t"]
    waivers.write_text('[[waiver]]\nrule = "TRANS-999"\nreason = "r"\nexpires = 2027-01-01\n')
    result = CliRunner().invoke(app, [*target, "--waivers", str(waivers)], terminal_width=300)
    assert result.exit_code == 2
    assert f"{waivers}:2: unknown rule 'TRANS-999'" in result.output
    waivers.write_text("[other]\nx = 1\n")
    result = CliRunner().invoke(app, [*target, "--waivers", str(waivers)], terminal_width=300)
    assert result.exit_code == 2
    assert "only [[waiver]] tables belong here" in result.output
