"""The options of a judging run are declared once (conformance.config.OPTIONS): `plugfest check`
and the pytest plugin both offer every one of them, and the command passes each through."""

from __future__ import annotations

from pathlib import Path

from _pytest.config.argparsing import Parser
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
        if not option.pytest_flag:
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
