"""The config file (conformance/config_file.py) and how the sources merge (config.resolve): the
command line over the file (or a replayed run) over the defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.config import OPTIONS, UsageError, resolve
from conformance.config_file import read_config, replayed

FILE = """\
role = "cpo"
versions-url = "https://cpo.example.com/ocpi/versions"
token_env = "OCPI_TOKEN_A"
strict = true
only = "credentials"
max_wait = 12
waivers = "ci/waivers.toml"
"""


def test_plugfest_toml_then_pyproject(tmp_path: Path) -> None:
    assert read_config(None, tmp_path) == ({}, None)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert read_config(None, tmp_path) == ({}, None)  # no [tool.plugfest]: nothing
    (tmp_path / "pyproject.toml").write_text('[tool.plugfest]\nrole = "emsp"\n', encoding="utf-8")
    assert read_config(None, tmp_path) == ({"role": "emsp"}, tmp_path / "pyproject.toml")
    (tmp_path / "plugfest.toml").write_text(FILE, encoding="utf-8")
    values, source = read_config(None, tmp_path)
    assert source == tmp_path / "plugfest.toml"
    assert values == {"role": "cpo", "versions_url": "https://cpo.example.com/ocpi/versions",
                      "token_env": "OCPI_TOKEN_A", "strict": True, "only": ["credentials"],
                      "max_wait": 12.0, "waivers": Path("ci/waivers.toml")}  # fmt: skip


def test_the_command_line_overrides_the_file_and_the_file_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plugfest.toml").write_text(FILE, encoding="utf-8")
    monkeypatch.setenv("OCPI_TOKEN_A", "secret-a")
    from_file, _ = read_config(None, tmp_path)
    command_line = {"role": "emsp", "max_wait": None, "only": [], "strict": None}
    values = resolve(command_line, from_file)
    assert values["role"] == "emsp"  # given on the command line
    assert values["max_wait"] == 12.0
    assert values["only"] == ["credentials"]
    assert values["strict"] is True
    assert values["report_dir"] == Path("reports")  # the default
    assert values["token"] is None
    assert values["token_env"] == "OCPI_TOKEN_A"
    assert set(values) == {option.name for option in OPTIONS}


def test_the_token_never_comes_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plugfest.toml"
    path.write_text('token = "abc"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"token never goes in a file.*token_env"):
        read_config(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [("rol = 'cpo'\n", "unknown option 'rol'"),
     ("strict = 'yes'\n", "strict must be true or false"),
     ("max_wait = 'soon'\n", "max_wait must be a number"),
     ("replay = 'x'\n", "unknown option"),
     ("role = \n", "not a readable TOML file")],
)  # fmt: skip
def test_a_bad_file_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plugfest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        read_config(path)


def test_what_cannot_make_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    target = {"role": "cpo", "versions_url": "http://t/versions"}
    with pytest.raises(UsageError, match="--versions-url is required"):
        resolve({"role": "cpo", "token": "t"})
    with pytest.raises(UsageError, match="--role must be one of cpo, emsp"):
        resolve({**target, "role": "hub", "token": "t"})
    with pytest.raises(UsageError, match="no token: give --token-env"):
        resolve(target)
    monkeypatch.delenv("NOT_SET", raising=False)
    with pytest.raises(UsageError, match="environment variable NOT_SET is not set"):
        resolve({**target, "token_env": "NOT_SET"})


def test_a_replayed_run_gives_its_options_and_seed(tmp_path: Path) -> None:
    options = {"role": "emsp", "versions_url": "http://t/versions", "token_env": "T",
               "report_dir": "out", "only": ["tokens"], "hypothesis_profile": "ci",
               "waivers": None}  # fmt: skip
    run = {"run": {"seed": "1234", "options": options}}
    (tmp_path / "results.json").write_text(json.dumps(run), encoding="utf-8")
    recorded = replayed(tmp_path)
    assert recorded == {"role": "emsp", "versions_url": "http://t/versions", "token_env": "T",
                        "report_dir": Path("out"), "only": ["tokens"],
                        "hypothesis_profile": "ci", "seed": 1234}  # fmt: skip
    values = resolve({"token": "given", "report_dir": Path("elsewhere")}, recorded)
    assert values["seed"] == 1234
    assert values["role"] == "emsp"
    assert values["report_dir"] == Path("elsewhere")
    with pytest.raises(UsageError, match="not a run directory"):
        replayed(tmp_path / "missing")
