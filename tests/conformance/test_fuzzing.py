"""Which catalogue rule a schemathesis check's failure breaks (conformance/fuzzing.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance import fuzzing
from specs.catalogue import default_catalogue


def test_every_rule_the_fuzzing_names_is_in_the_catalogue() -> None:
    catalogue = default_catalogue()
    for rule in fuzzing.RULES:
        assert catalogue.get(rule).id == rule  # KeyError for an unknown one


@pytest.mark.parametrize(
    ("check", "failure", "module", "rule"),
    [
        ("not_a_server_error", None, "locations", "TRANS-009"),
        ("status_code_conformance", None, "cdrs", "TRANS-045"),
        ("allow_header_conformance", None, "tokens", "TRANS-046"),
        ("ocpi_negative_data_rejection", None, "tokens", "TRANS-042"),
        ("response_schema_conformance", SimpleNamespace(instance_path=["data", 0, "id"]),
         "locations", "LOC-014"),
        ("response_schema_conformance", SimpleNamespace(instance_path=["data"]), "versions",
         "VER-001"),
        ("response_schema_conformance", SimpleNamespace(instance_path=["timestamp"]), "cdrs",
         "TRANS-012"),
        ("response_headers_conformance", SimpleNamespace(missing_headers=["X-Limit"]),
         "sessions", "TRANS-029"),
    ],
)  # fmt: skip
def test_each_check_maps_to_its_rule(check: str, failure: object, module: str, rule: str) -> None:
    assert fuzzing.rule_for(check, failure, module) == rule


@pytest.mark.parametrize(
    ("header", "rule"), [("Authorization", "TRANS-001"), ("X-Foo", "TRANS-042")]
)
def test_a_missing_authorization_is_authentications_rule(header: str, rule: str) -> None:
    failure = SimpleNamespace(header_name=header)
    assert fuzzing.rule_for("missing_required_header", failure, "locations") == rule
