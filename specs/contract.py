"""Load the OCPI 2.2.1 OpenAPI documents and validate JSON against their schemas.

The YAML under `specs/ocpi-2.2.1/` is the contract. `cpo.yaml` and `emsp.yaml` point into the shared
`components.yaml`; `bundled_document()` inlines those references so tools that want one
self-contained document (schemathesis, Litestar's OpenAPI page) get one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from specs import OCPI_VERSION, data_dir

Role = Literal["cpo", "emsp"]
ROLES: tuple[Role, ...] = ("cpo", "emsp")
COMPONENTS_FILE = "components.yaml"
_EXTERNAL_PREFIX = f"{COMPONENTS_FILE}#"


def documents_dir() -> Path:
    """The directory holding `components.yaml`, `cpo.yaml` and `emsp.yaml`."""
    return data_dir(f"ocpi-{OCPI_VERSION}")


def document_path(name: str) -> Path:
    """Path of one document: `components`, `cpo` or `emsp`."""
    return documents_dir() / f"{name}.yaml"


@cache
def _load(name: str) -> dict[str, Any]:
    with document_path(name).open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def raw_document(name: str) -> dict[str, Any]:
    """One document as written, external references left as they are (a deep copy)."""
    return copy.deepcopy(_load(name))


def components() -> dict[str, Any]:
    """The `components` section shared by both role documents (a deep copy)."""
    return raw_document("components")["components"]  # type: ignore[no-any-return]


def _localise(node: Any) -> Any:
    """Rewrite `components.yaml#/...` references into document-local `#/...` ones."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_EXTERNAL_PREFIX):
                out[key] = value[len(COMPONENTS_FILE) :]
            else:
                out[key] = _localise(value)
        return out
    if isinstance(node, list):
        return [_localise(item) for item in node]
    return node


@cache
def _bundled(role: Role) -> dict[str, Any]:
    doc = _localise(_load(role))
    doc["components"] = {**components(), **doc.get("components", {})}
    return doc  # type: ignore[no-any-return]


def bundled_document(role: Role) -> dict[str, Any]:
    """The role's document with the shared components inlined: one self-contained OpenAPI dict."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    return copy.deepcopy(_bundled(role))


def schema_names() -> list[str]:
    """Every schema name under `components/schemas`."""
    return list(_load("components")["components"]["schemas"])


def schema_for(name: str) -> dict[str, Any]:
    """A standalone JSON Schema (2020-12) for one component, with its references resolvable."""
    schemas = _load("components")["components"]["schemas"]
    if name not in schemas:
        raise KeyError(f"no schema named {name!r} in {COMPONENTS_FILE}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": copy.deepcopy(schemas)},
    }


@cache
def validator_for(name: str) -> Draft202012Validator:
    """A cached validator for one component schema."""
    return Draft202012Validator(schema_for(name))


def iter_errors(instance: Any, name: str) -> Iterator[ValidationError]:
    """Every way `instance` breaks the component schema `name` (none: it conforms)."""
    found: Iterator[ValidationError] = validator_for(name).iter_errors(instance)
    return found


def errors(instance: Any, name: str) -> list[str]:
    """Readable violations of the component schema `name`: `path: message` lines, empty if valid."""
    found = sorted(iter_errors(instance, name), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in found]


def resolve(role: Role, node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local `$ref` (as in a bundled document) to what it names."""
    while "$ref" in node:
        target: Any = _bundled(role)
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(role: Role) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(path, method, operation) for every operation of a role's document."""
    for path, item in _bundled(role)["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                yield path, method, operation
