"""The OpenAPI documents: valid OpenAPI 3.1, every `$ref` resolves, every operation complete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from specs import contract

DOCUMENTS = ("components", "cpo", "emsp")
FUNCTIONAL = {"locations", "sessions", "cdrs", "tariffs", "tokens", "commands", "chargingprofiles"}
ROUTING_HEADERS = {
    "OCPI-to-party-id",
    "OCPI-to-country-code",
    "OCPI-from-party-id",
    "OCPI-from-country-code",
}

Endpoint = tuple[str, str | None, str, str]
# Versions and credentials: symmetric, every party serves them (§6, §7).
CONFIGURATION: list[Endpoint] = [
    ("versions", None, "get", "/versions"),
    ("versions", None, "get", "/versions/2.2.1"),
    *(("credentials", None, method, "/credentials") for method in ("get", "post", "put", "delete")),
]
# (module, interface, method, path) of every endpoint each role serves (issue #2, DIGEST 1.1).
EXPECTED: dict[str, set[Endpoint]] = {
    "cpo": {
        *CONFIGURATION,
        ("locations", "SENDER", "get", "/locations"),
        ("locations", "SENDER", "get", "/locations/{location_id}"),
        ("locations", "SENDER", "get", "/locations/{location_id}/{evse_uid}"),
        ("locations", "SENDER", "get", "/locations/{location_id}/{evse_uid}/{connector_id}"),
        ("sessions", "SENDER", "get", "/sessions"),
        ("sessions", "SENDER", "put", "/sessions/{session_id}/charging_preferences"),
        ("cdrs", "SENDER", "get", "/cdrs"),
        ("tariffs", "SENDER", "get", "/tariffs"),
        ("tokens", "RECEIVER", "get", "/tokens/{country_code}/{party_id}/{token_uid}"),
        ("tokens", "RECEIVER", "put", "/tokens/{country_code}/{party_id}/{token_uid}"),
        ("tokens", "RECEIVER", "patch", "/tokens/{country_code}/{party_id}/{token_uid}"),
        ("commands", "RECEIVER", "post", "/commands/CANCEL_RESERVATION"),
        ("commands", "RECEIVER", "post", "/commands/RESERVE_NOW"),
        ("commands", "RECEIVER", "post", "/commands/START_SESSION"),
        ("commands", "RECEIVER", "post", "/commands/STOP_SESSION"),
        ("commands", "RECEIVER", "post", "/commands/UNLOCK_CONNECTOR"),
        ("chargingprofiles", "RECEIVER", "get", "/chargingprofiles/{session_id}"),
        ("chargingprofiles", "RECEIVER", "put", "/chargingprofiles/{session_id}"),
        ("chargingprofiles", "RECEIVER", "delete", "/chargingprofiles/{session_id}"),
        ("hubclientinfo", "RECEIVER", "get", "/hubclientinfo/{country_code}/{party_id}"),
        ("hubclientinfo", "RECEIVER", "put", "/hubclientinfo/{country_code}/{party_id}"),
    },
    "emsp": {
        *CONFIGURATION,
        *(
            (
                "locations",
                "RECEIVER",
                method,
                "/locations/{country_code}/{party_id}/{location_id}" + sub,
            )
            for method in ("get", "put", "patch")
            for sub in ("", "/{evse_uid}", "/{evse_uid}/{connector_id}")
        ),
        *(
            ("sessions", "RECEIVER", method, "/sessions/{country_code}/{party_id}/{session_id}")
            for method in ("get", "put", "patch")
        ),
        ("cdrs", "RECEIVER", "post", "/cdrs"),
        ("cdrs", "RECEIVER", "get", "/cdrs/{cdr_ref}"),
        *(
            ("tariffs", "RECEIVER", method, "/tariffs/{country_code}/{party_id}/{tariff_id}")
            for method in ("get", "put", "delete")
        ),
        ("tokens", "SENDER", "get", "/tokens"),
        ("tokens", "SENDER", "post", "/tokens/{token_uid}/authorize"),
        ("commands", "SENDER", "post", "/commands/{command}/{result_ref}"),
        ("chargingprofiles", "SENDER", "post", "/chargingprofiles/results/{result_ref}"),
        ("chargingprofiles", "SENDER", "put", "/chargingprofiles/{session_id}"),
        ("hubclientinfo", "RECEIVER", "get", "/hubclientinfo/{country_code}/{party_id}"),
        ("hubclientinfo", "RECEIVER", "put", "/hubclientinfo/{country_code}/{party_id}"),
    },
}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(ref: str, here: str) -> Any:
    file_part, _, pointer = ref.partition("#")
    target = contract.raw_document(file_part.removesuffix(".yaml") if file_part else here)
    node: Any = target
    for token in pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_is_valid_openapi_31(name: str) -> None:
    path = contract.document_path(name)
    with path.open(encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    assert spec["openapi"] == "3.1.0"
    validate(spec, base_uri=path.resolve().as_uri())


@pytest.mark.parametrize("role", contract.ROLES)
def test_bundled_document_is_valid_and_self_contained(role: contract.Role) -> None:
    bundled = contract.bundled_document(role)
    validate(bundled)
    assert all(ref.startswith("#/") for ref in _refs(bundled))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_ref_resolves(name: str) -> None:
    refs = set(_refs(contract.raw_document(name)))
    assert refs
    for ref in refs:
        assert _resolve(ref, name) is not None, ref


@pytest.mark.parametrize("role", contract.ROLES)
def test_role_serves_exactly_the_expected_endpoints(role: contract.Role) -> None:
    served = {
        (op["x-ocpi-module"], op.get("x-ocpi-interface"), method, path)
        for path, method, op in contract.operations(role)
    }
    assert served == EXPECTED[role]


@pytest.mark.parametrize("role", contract.ROLES)
def test_operations_are_complete(role: contract.Role) -> None:
    ids = []
    for path, method, op in contract.operations(role):
        where = f"{role} {method.upper()} {path}"
        ids.append(op["operationId"])
        assert "§" in op["description"], f"{where}: no spec section"
        responses = op["responses"]
        assert "401" in responses, f"{where}: no 401"
        assert any(code in responses for code in ("200", "201")), f"{where}: no success response"
        if "requestBody" in op:
            assert "400" in responses, f"{where}: a body but no 400 for invalid JSON"
        if op["x-ocpi-module"] == "credentials" and method != "get":
            assert "405" in responses, f"{where}: no 405"
        # §14.4.1: an unknown session is answered with result UNKNOWN_SESSION, not a 404.
        is_object_get = method == "get" and "{" in path.rsplit("/", 1)[-1]
        if is_object_get and op["x-ocpi-module"] != "chargingprofiles":
            assert "404" in responses, f"{where}: single-object GET without 404"
        # §4.1.5.1 (TRANS-036): a push under a party none of the caller's roles has: 404 advised.
        if method in ("put", "patch") and "{country_code}" in path:
            assert "404" in responses, f"{where}: a Receiver push without 404"
        # An unknown result URL or session of a callback (issue #16: answered 404, undocumented).
        callback = "{result_ref}" in path or path == "/chargingprofiles/{session_id}"
        if role == "emsp" and callback:
            assert "404" in responses, f"{where}: a callback without 404"
        # §5: a refused push reached the OCPI layer: its error status comes in HTTP 200.
        if method == "post" and op["x-ocpi-module"] == "cdrs":
            assert "200" in responses, f"{where}: no HTTP 200 for an OCPI error"
        params = [contract.resolve(role, p) for p in op["parameters"]]
        headers = {p["name"] for p in params if p["in"] == "header"}
        assert {"X-Request-ID", "X-Correlation-ID"} <= headers, where
        if op["x-ocpi-module"] in FUNCTIONAL:
            assert headers >= ROUTING_HEADERS, f"{where}: routing headers missing"
        else:
            assert not headers & ROUTING_HEADERS, (
                f"{where}: routing headers on a configuration module"
            )
    assert len(ids) == len(set(ids)), "operationIds repeat"


def _envelope_schema_names(schema: dict[str, Any]) -> set[str]:
    options = schema.get("oneOf", [schema])
    return {option["$ref"].rsplit("/", 1)[-1] for option in options}


@pytest.mark.parametrize("role", contract.ROLES)
def test_every_response_is_an_envelope(role: contract.Role) -> None:
    """§4.1.7: every response body, HTTP errors included, is the OCPI envelope."""
    schemas = contract.bundled_document(role)["components"]["schemas"]
    for path, method, op in contract.operations(role):
        for code, response in op["responses"].items():
            response = contract.resolve(role, response)
            names = _envelope_schema_names(response["content"]["application/json"]["schema"])
            for name in names:
                required = set(schemas[name]["required"])
                assert {"status_code", "timestamp"} <= required, f"{method} {path} {code}: {name}"
            if code.startswith("2"):
                assert "ErrorResponse" in names, (
                    f"{method} {path} {code}: OCPI errors in 200 not allowed for"
                )
            else:
                assert names == {"ErrorResponse"}, f"{method} {path} {code}"


@pytest.mark.parametrize("role", contract.ROLES)
def test_paginated_lists_take_filters_and_return_paging_headers(role: contract.Role) -> None:
    """§4.1.4.1: offset, limit, date_from, date_to in; Link, X-Total-Count, X-Limit out."""
    lists = 0
    for path, _method, op in contract.operations(role):
        ok = op["responses"].get("200", {})
        if not ok.get("$ref", "").endswith("List") or path == "/versions":
            continue
        lists += 1
        params = [contract.resolve(role, p) for p in op["parameters"]]
        assert {p["name"] for p in params if p["in"] == "query"} == {
            "offset",
            "limit",
            "date_from",
            "date_to",
        }, path
        response = contract.resolve(role, ok)
        assert {"Link", "X-Total-Count", "X-Limit"} <= set(response["headers"]), path
    assert lists == (4 if role == "cpo" else 1)


def test_patch_schemas_mirror_their_objects() -> None:
    """§4.1.4: a PATCH body has the object's fields, all optional but `last_updated`."""
    schemas = contract.components()["schemas"]
    patches = [name for name in schemas if name.endswith("Patch")]
    assert sorted(patches) == [
        "ConnectorPatch",
        "EVSEPatch",
        "LocationPatch",
        "SessionPatch",
        "TokenPatch",
    ]
    for name in patches:
        full, partial = schemas[name.removesuffix("Patch")], schemas[name]
        assert partial["properties"] == full["properties"], name
        assert partial["required"] == ["last_updated"], name
        assert partial["additionalProperties"] is False


def test_errata_choices_are_the_branch() -> None:
    """DIGEST section 0: the errata branch's lengths, and the old ones where it kept them."""
    schemas = contract.components()["schemas"]
    assert schemas["Location"]["properties"]["address"]["maxLength"] == 255
    assert schemas["Location"]["properties"]["state"]["maxLength"] == 45
    assert schemas["CdrLocation"]["properties"]["address"]["maxLength"] == 45
    assert schemas["CdrLocation"]["properties"]["state"]["maxLength"] == 20
    assert schemas["SignedValue"]["properties"]["plain_data"]["maxLength"] == 5000
