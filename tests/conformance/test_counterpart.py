"""Our counterpart (conformance/counterpart.py) knows where its own party serves each module,
opposite either role: our eMSP's interfaces opposite a CPO target, our CPO's opposite an eMSP."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.client import Recorder
from conformance.counterpart import Counterpart

PUBLIC = "http://judge.test:8123"


@pytest.mark.parametrize(
    ("target", "module", "path"),
    [
        ("cpo", "tokens", "/ocpi/emsp/2.2.1/tokens"),
        ("cpo", "chargingprofiles", "/ocpi/emsp/2.2.1/chargingprofiles"),
        ("emsp", "tokens", "/ocpi/cpo/2.2.1/tokens"),
        ("emsp", "commands", "/ocpi/cpo/2.2.1/commands"),
    ],
)
def test_module_url_follows_the_role_of_our_party(
    tmp_path: Path, target: str, module: str, path: str
) -> None:
    counterpart = Counterpart(target, Recorder(), public_url=PUBLIC, data_dir=tmp_path)
    assert counterpart.module_url(module) == PUBLIC + path
    with pytest.raises(KeyError, match="announces no credits module"):
        counterpart.module_url("credits")
