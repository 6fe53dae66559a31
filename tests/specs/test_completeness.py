"""Completeness against the digest's machine-readable tables (`../shared/ocpi-2.2.1/fields.json`).

Every object, field, enum and enum value there is in the YAML, with the same type, length and
cardinality. The YAML may be stricter than the table (a pattern, a range); it may not differ.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from specs import contract

CISTRING = r"^[\x20-\x7E]*$"
# Patterns stricter than CiString's printable ASCII, still ASCII-only.
ASCII_PATTERNS = {CISTRING, r"^[A-Za-z]{2}$", r"^[A-Za-z0-9]{3}$"}
SCHEMAS = contract.components()["schemas"]


@pytest.fixture(scope="module")
def tables(ocpi_shared: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ocpi_shared / "fields.json").read_text(encoding="utf-8"))
    return loaded


def _deref(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _split_cardinality(prop: dict[str, Any], required: bool) -> tuple[str, dict[str, Any]]:
    """(cardinality, schema of one value) as written in the YAML."""
    prop = {key: value for key, value in prop.items() if key != "description"}
    if "anyOf" in prop:
        options = prop["anyOf"]
        assert {"type": "null"} in options, prop
        (inner,) = [o for o in options if o != {"type": "null"}]
        return "?", inner
    types = prop.get("type")
    if types in ("array", ["array", "null"]):
        if types == "array":
            assert prop.get("minItems") == 1, prop
            assert required, prop
            return "+", prop["items"]
        assert not required, prop
        return "*", prop["items"]
    if isinstance(types, list):
        assert "null" in types, prop
        assert not required, prop
        return "?", {**prop, "type": next(t for t in types if t != "null")}
    if not prop:
        return "* or ?", prop  # the envelope's `data`: any JSON value
    return ("1" if required else "?"), prop


def _matches(table_type: str, schema: dict[str, Any]) -> bool:
    """Does a YAML schema for one value express the table's type exactly?"""
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    if name in {"DateTime", "URL"} or table_type in SCHEMAS:
        return name == table_type
    resolved = _deref(schema)
    if m := re.fullmatch(r"CiString\((\d+)\)", table_type):
        return (
            resolved.get("type") == "string"
            and resolved.get("maxLength") == int(m[1])
            and resolved.get("pattern") in ASCII_PATTERNS
        )
    if m := re.fullmatch(r"string\((\d+)\)", table_type):
        return resolved.get("type") == "string" and resolved.get("maxLength") == int(m[1])
    if m := re.fullmatch(r"int\((\d+)\)", table_type):
        top = resolved.get("maximum")
        return resolved.get("type") == "integer" and top is not None and top < 10 ** int(m[1])
    simple = {"int": "integer", "number": "number", "boolean": "boolean", "string": "string"}
    if table_type in simple:
        return resolved.get("type") == simple[table_type]
    if table_type == "Array or Object or String":
        return resolved == {}
    return False


def test_every_enum_and_value(tables: dict[str, Any]) -> None:
    for name, enum in tables["enums"].items():
        assert name in SCHEMAS, f"enum {name} missing"
        assert SCHEMAS[name]["enum"] == enum["values"], name
        assert enum["section"] in SCHEMAS[name]["description"], name


def test_no_enum_or_object_beyond_the_tables(tables: dict[str, Any]) -> None:
    extras = {"DateTime", "URL", "CountryCode", "PartyId", "SuccessStatusCode", "ErrorStatusCode"}
    for name, schema in SCHEMAS.items():
        if "enum" in schema:
            assert name in tables["enums"], name
        elif not (name.endswith(("Patch", "Response", "Envelope")) or name in extras):
            assert name in tables["objects"], name


def test_counts_match_the_digest(tables: dict[str, Any]) -> None:
    assert (len(tables["objects"]), len(tables["enums"])) == (56, 34)


def test_every_object_field_type_and_cardinality(tables: dict[str, Any]) -> None:
    problems = []
    for name, obj in tables["objects"].items():
        schema = SCHEMAS.get(name)
        if schema is None:
            problems.append(f"{name}: missing")
            continue
        assert obj["section"] in schema["description"], name
        properties = schema["properties"]
        expected = [f["name"] for f in obj["fields"]]
        if list(properties) != expected:
            problems.append(f"{name}: fields {list(properties)} != {expected}")
            continue
        required = set(schema.get("required", []))
        for field in obj["fields"]:
            card, value = _split_cardinality(properties[field["name"]], field["name"] in required)
            where = f"{name}.{field['name']}"
            if card != field["card"]:
                problems.append(f"{where}: cardinality {card} != {field['card']}")
            if not _matches(field["type"], value):
                problems.append(f"{where}: {value} does not express {field['type']}")
        if schema.get("additionalProperties") is not False:
            problems.append(f"{name}: unknown fields allowed")
    assert problems == []
