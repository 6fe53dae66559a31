"""`plugfest fuzz`: the schemathesis configuration it writes (plugfest/fuzz_command.py)."""

from __future__ import annotations

import tomllib

from conformance.binding import bind
from plugfest.fuzz_command import AUTHORIZATION_ENV, _config


def test_the_configuration_keeps_the_token_out_and_the_registration_intact() -> None:
    binding = bind("cpo", lambda module, interface: f"http://127.0.0.1:8/ocpi/{module}",
                   "http://127.0.0.1:8/ocpi/versions", "http://127.0.0.1:8/ocpi/2.2.1")  # fmt: skip
    text = _config(binding.documents[0], 100, 7)
    config = tomllib.loads(text)
    assert config["base-url"] == "http://127.0.0.1:8"
    assert config["generation"]["max-examples"] == 100
    assert config["headers"]["Authorization"] == f"${{{AUTHORIZATION_ENV}}}"  # never the token
    assert config["checks"]["negative_data_rejection"]["enabled"] is False  # OCPI's reading
    disabled = {op.get("include-name") for op in config["operations"] if op.get("enabled") is False}
    assert disabled == {f"{m} /ocpi/credentials" for m in ("PUT", "POST", "DELETE")}
    assert {"include-path-regex": "/chargingprofiles/",
            "checks": {"use_after_free": {"enabled": False}}} in config["operations"]  # fmt: skip
