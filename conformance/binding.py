"""The role's contract bound to the URLs a target published (issue #16).

`specs.contract.bundled_document(role)` has paths relative to the endpoint URLs a party
publishes: `/locations/...` hangs off the target's `locations` endpoint of the operation's
interface (`x-ocpi-interface`), `/versions` is the versions URL and `/versions/2.2.1` the
version details URL. Binding rewrites each path onto the real URL, so that one plain OpenAPI
document per origin (scheme, host and port) describes the target as it is: what schemathesis,
in the judge or on its own command line, runs against.

Never bound: callbacks whose URL only the target knows (a `response_url`, a `Location` header).
Documented but never run (`Bound.excluded`): credentials changes, which would end the
registration everything else runs on; they stay in the document, so that what it says the URL
serves (an `Allow` header, say) is still the whole truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from specs import contract
from specs.contract import Role

METHODS = ("get", "put", "post", "patch", "delete")

#: (module, interface or None) -> the URL the target published for it, or None.
EndpointOf = Callable[[str, str | None], str | None]


@dataclass
class Bound:
    """The role's operations on one origin, as an OpenAPI document whose paths are real."""

    origin: str
    document: dict[str, Any]
    operations: list[str] = field(default_factory=list)  # "GET /ocpi/cpo/2.2.1/locations", ...
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (method, path): not run

    def schemathesis_operations(self) -> list[dict[str, Any]]:
        """The `operations` section of a schemathesis configuration that leaves out `excluded`."""
        return [{"include-name": f"{method.upper()} {path}", "enabled": False}
                for method, path in self.excluded]  # fmt: skip


@dataclass
class Binding:
    """Every origin's document, and why the other operations were left out."""

    documents: list[Bound]
    skipped: list[str]

    @property
    def operations(self) -> int:
        return sum(len(bound.operations) for bound in self.documents)


NOT_RUN = "documented, never run: it would change the registration"


def _left_out(module: str, method: str, where: str) -> str | None:
    if "response_url" in where or "Location" in where:
        return f"a callback URL only the target knows ({where})"
    if module == "credentials" and method != "get":
        return NOT_RUN
    return None


def bind(role: Role, endpoint: EndpointOf, versions_url: str, details_url: str | None) -> Binding:
    """The role's document bound to the target's URLs: `endpoint(module, interface)` reads the
    published endpoints, `versions_url` and `details_url` are the configuration modules'."""
    document = contract.bundled_document(role)
    by_origin: dict[str, Bound] = {}
    skipped: list[str] = []
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            name = f"{method.upper()} {path}"
            module = str(operation.get("x-ocpi-module", ""))
            why = _left_out(module, method, str(operation.get("x-ocpi-endpoint", "")))
            if why is not None:
                skipped.append(f"{name}: {why}")
                if why != NOT_RUN:
                    continue
            interface = operation.get("x-ocpi-interface")
            if path == "/versions":
                base: str | None = versions_url
            elif path.startswith("/versions/"):
                base = details_url
            else:
                base = endpoint(module, None if interface is None else str(interface))
            if base is None:
                skipped.append(f"{name}: the target publishes no {module} {interface or ''}"
                               .rstrip())  # fmt: skip
                continue
            url = urlsplit(base)
            origin = f"{url.scheme}://{url.netloc}"
            prefix = path if module == "versions" else f"/{module}"
            real = url.path.rstrip("/") + path[len(prefix) :] or "/"
            bound = by_origin.setdefault(origin, Bound(origin, _empty(document, origin)))
            if method in bound.document["paths"].get(real, {}):
                skipped.append(f"{name}: {real} already serves {method.upper()} of another path")
                continue
            bound.document["paths"].setdefault(real, {})[method] = operation
            if why == NOT_RUN:
                bound.excluded.append((method, real))
            else:
                bound.operations.append(f"{method.upper()} {real}")
    return Binding(list(by_origin.values()), skipped)


def _empty(document: dict[str, Any], origin: str) -> dict[str, Any]:
    """The document's frame (info, components) with no paths, served at `origin`."""
    frame = {key: value for key, value in document.items() if key not in ("paths", "servers")}
    return {**frame, "servers": [{"url": origin}], "paths": {}}
