"""The admin API reference of both parties, rendered as Markdown from their OpenAPI documents
(issue #14): `docs/reference/admin-api.md` is generated from the routes, never copied by hand,
and a route without a description is a test failure (`undocumented`).

Each route's description is its handler's docstring (`use_handler_docstrings` in
`simulator/platform/app.py`). The OCPI modules are not here: the contract (`specs/`) is theirs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar

METHODS = ("get", "put", "post", "patch", "delete")
#: Outside /admin, the operational routes an operator calls.
OPERATIONAL = ("/health", "/metrics")


@dataclass(frozen=True)
class Party:
    title: str
    schema: dict[str, Any]


def parties() -> list[Party]:
    """Both parties' OpenAPI documents, from apps built (never started) on a scratch SQLite."""
    from simulator.cpo.app import CpoSettings
    from simulator.cpo.app import create_app as cpo_app
    from simulator.emsp.app import EmspSettings
    from simulator.emsp.app import create_app as emsp_app

    def schema(build: Callable[[Path], Litestar]) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="plugfest-reference-") as scratch:
            return build(Path(scratch)).openapi_schema.to_schema()

    secrets: dict[str, Any] = {"admin_token": "reference", "token_hmac_secret": "reference"}
    return [
        Party("The reference CPO", schema(lambda d: cpo_app(
            CpoSettings(data_dir=d, database_url=f"sqlite+aiosqlite:///{d}/x.db", **secrets))),
        ),
        Party("The eMSP simulator", schema(lambda d: emsp_app(
            EmspSettings(data_dir=d, database_url=f"sqlite+aiosqlite:///{d}/x.db", **secrets))),
        ),
    ]  # fmt: skip


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of the admin and operational routes, by path."""
    for path in sorted(schema.get("paths", {})):
        if not (path.startswith("/admin") or path in OPERATIONAL):
            continue
        item = schema["paths"][path]
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield method, path, item[method]


def undocumented(schema: dict[str, Any]) -> list[str]:
    """The routes whose handler says nothing about what they do."""
    return [f"{method.upper()} {path}" for method, path, operation in operations(schema)
            if not str(operation.get("description", "")).strip()]  # fmt: skip


def markdown(documented: list[Party]) -> str:
    lines = [
        "# Admin API reference",
        "",
        "Generated from the parties' OpenAPI documents (`/schema` on a running party) by",
        "`plugfest/admin_reference.py`; do not edit. Every `/admin` route needs",
        "`Authorization: Bearer <ADMIN_TOKEN>`; `/health` and `/metrics` need none.",
    ]
    for party in documented:
        lines += ["", f"## {party.title}"]
        for method, path, operation in operations(party.schema):
            lines += ["", f"### `{method.upper()} {path}`", "", _text(operation["description"])]
            lines += _parameters(operation.get("parameters", []))
            body = operation.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                lines += ["", f"Body ({media}): {_type(content.get('schema', {}))}"]
            answers = sorted(operation.get("responses", {}))
            lines += ["", "Answers: " + ", ".join(f"`{code}`" for code in answers)]
        lines += _schemas(party.schema)
    return "\n".join(lines) + "\n"


def _schemas(schema: dict[str, Any]) -> list[str]:
    """The request bodies' schemas, field by field."""
    used = {content["schema"]["$ref"].rsplit("/", 1)[-1]
            for _, _, operation in operations(schema)
            for content in operation.get("requestBody", {}).get("content", {}).values()
            if "$ref" in content.get("schema", {})}  # fmt: skip
    components = schema.get("components", {}).get("schemas", {})
    lines: list[str] = []
    for name in sorted(used & components.keys()):
        component = components[name]
        required = set(component.get("required", []))
        lines += ["", f"### Schema `{name}`", "", "| Field | Type | Required |", "|---|---|---|"]
        for field, field_schema in component.get("properties", {}).items():
            lines.append(f"| `{field}` | {_type(field_schema)} | "
                         f"{'yes' if field in required else 'no'} |")  # fmt: skip
    return lines


def _parameters(parameters: list[dict[str, Any]]) -> list[str]:
    if not parameters:
        return []
    rows = ["", "| Parameter | In | Type | Required |", "|---|---|---|---|"]
    for parameter in parameters:
        required = "yes" if parameter.get("required") else "no"
        rows.append(f"| `{parameter['name']}` | {parameter['in']} | "
                    f"{_type(parameter.get('schema', {}))} | {required} |")  # fmt: skip
    return rows


def _type(schema: dict[str, Any]) -> str:
    """A schema in a few words: its component name, type and bounds."""
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    for combined in ("oneOf", "anyOf"):
        if combined in schema:
            return " or ".join(_type(option) for option in schema[combined])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    bounds = [f"{key} {schema[key]:g}" for key in ("minimum", "maximum", "minLength", "maxLength")
              if key in schema]  # fmt: skip
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _text(description: str) -> str:
    """A docstring as Markdown: its lines joined, its paragraphs kept."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines())
                  for block in description.strip().split("\n\n")]  # fmt: skip
    return "\n\n".join(paragraphs)
