"""Which catalogue rule a schemathesis check's failure breaks (conformance/fuzzing.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance import fuzzing
from conformance.exchange import Exchange
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
        ("response_headers_conformance", SimpleNamespace(schema={"type": "integer", "minimum": 1}),
         "tokens", "TRANS-032"),
        ("response_headers_conformance", SimpleNamespace(schema={"type": "integer", "minimum": 0}),
         "tokens", "TRANS-034"),
    ],
)  # fmt: skip
def test_each_check_maps_to_its_rule(check: str, failure: object, module: str, rule: str) -> None:
    assert fuzzing.rule_for(check, failure, module) == rule


def test_a_root_schema_failure_is_the_objects_when_the_envelope_holds() -> None:
    """A `data` matching none of the alternatives fails at the root: the object rule's, unless
    the envelope's frame is broken too."""
    root = SimpleNamespace(instance_path=[])
    envelope = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z", "data": {"v": 1}}
    assert fuzzing.rule_for("response_schema_conformance", root, "versions", envelope) == "VER-001"
    broken = {**envelope, "status_code": "1000"}
    assert fuzzing.rule_for("response_schema_conformance", root, "versions", broken) == "TRANS-012"


@pytest.mark.parametrize(
    ("check", "failure", "status", "owned"),
    [
        ("not_a_server_error", None, 500, False),
        ("status_code_conformance", None, 500, True),
        ("ignored_auth", SimpleNamespace(message="Expected 401 or 403, got `500 Internal`"), 200,
         True),
        ("ignored_auth", SimpleNamespace(message="Expected 401 or 403, got `200 OK`"), 200, False),
        ("status_code_conformance", None, 403, True),
        ("positive_data_acceptance", SimpleNamespace(status_code=422), 422, True),
        ("status_code_conformance", None, 418, False),
    ],
)  # fmt: skip
def test_one_deviation_is_booked_under_one_rule(
    check: str, failure: object, status: int, owned: bool
) -> None:
    exchange = Exchange(1, "GET", "http://t/x", {}, None, status)
    assert fuzzing._owned_elsewhere(check, failure, exchange) is owned


@pytest.mark.parametrize(
    ("header", "rule"), [("Authorization", "TRANS-001"), ("X-Foo", "TRANS-042")]
)
def test_a_missing_authorization_is_authentications_rule(header: str, rule: str) -> None:
    failure = SimpleNamespace(header_name=header)
    assert fuzzing.rule_for("missing_required_header", failure, "locations") == rule


def test_every_check_run_says_what_it_expects() -> None:
    assert set(fuzzing.EXPECTED) == set(fuzzing.CHECK_RULES)


def test_an_operation_is_fuzzed_on_after_a_failure() -> None:
    """Never cascade: a deviation every answer has must not end an operation's fuzzing."""
    judge = SimpleNamespace(config=SimpleNamespace(party=("NL", "PFJ"), max_wait=5.0), seed="7")
    bound = SimpleNamespace(origin="http://t", schemathesis_operations=list)
    config = fuzzing.settings(judge, "token", bound, "ci")  # type: ignore[arg-type]
    assert config["continue-on-failure"] is True
    assert config["seed"] == 7


def test_the_shortest_failing_request_is_the_evidence() -> None:
    short = Exchange(1, "GET", "http://t/tokens?offset=18446744073709551616", {}, None, 500)
    long = Exchange(2, "GET", "http://t/tokens?offset=18446744073709551616&limit=3", {}, None, 500)
    with_body = Exchange(3, "PUT", "http://t/tokens", {}, '{"uid": "' + "9" * 80 + '"}', 500)
    assert fuzzing._size(short) < fuzzing._size(long)
    assert fuzzing._size(short) < fuzzing._size(with_body)
