"""The role's contract bound to a target's published URLs (conformance/binding.py)."""

from __future__ import annotations

from conformance.binding import bind

CPO = "https://cpo.example/ocpi/cpo/2.2.1"
OTHER = "https://other.example:8443/x"


def _endpoint(module: str, interface: str | None) -> str | None:
    if module == "tariffs":
        return None  # not published
    if module == "credentials":
        return "https://cpo.example/ocpi/2.2.1/credentials"
    return f"{OTHER}/{module}" if module == "cdrs" else f"{CPO}/{module}"


def test_paths_become_the_published_urls_one_document_per_origin() -> None:
    binding = bind("cpo", _endpoint, "https://cpo.example/ocpi/versions",
                   "https://cpo.example/ocpi/2.2.1")  # fmt: skip
    by_origin = {bound.origin: bound for bound in binding.documents}
    assert set(by_origin) == {"https://cpo.example", "https://other.example:8443"}
    main = by_origin["https://cpo.example"]
    assert "/ocpi/cpo/2.2.1/locations/{location_id}" in main.document["paths"]
    assert "/ocpi/versions" in main.document["paths"]
    assert "/ocpi/2.2.1" in main.document["paths"]
    assert main.document["servers"] == [{"url": "https://cpo.example"}]
    assert list(by_origin["https://other.example:8443"].document["paths"]) == ["/x/cdrs"]
    assert any(reason.startswith("GET /tariffs: the target publishes no tariffs")
               for reason in binding.skipped)  # fmt: skip


def test_credentials_changes_are_documented_but_never_run() -> None:
    binding = bind("cpo", _endpoint, "https://cpo.example/ocpi/versions", None)
    main = next(b for b in binding.documents if b.origin == "https://cpo.example")
    credentials = main.document["paths"]["/ocpi/2.2.1/credentials"]
    assert set(credentials) == {"get", "post", "put", "delete"}  # Allow stays the whole truth
    assert sorted(main.excluded) == [("delete", "/ocpi/2.2.1/credentials"),
                                     ("post", "/ocpi/2.2.1/credentials"),
                                     ("put", "/ocpi/2.2.1/credentials")]  # fmt: skip
    assert "GET /ocpi/2.2.1/credentials" in main.operations
    assert {"include-name": "PUT /ocpi/2.2.1/credentials", "enabled": False} in (
        main.schemathesis_operations()
    )
    # Without the details URL, the version details operation is not bound.
    assert "/ocpi/2.2.1" not in main.document["paths"]


def test_callbacks_only_the_target_knows_are_never_bound() -> None:
    binding = bind("emsp", lambda module, interface: f"https://e.example/{module}",
                   "https://e.example/versions", None)  # fmt: skip
    paths = [p for bound in binding.documents for p in bound.document["paths"]]
    assert not any("response_url" in p or "{" in p.split("/")[1] for p in paths)
    assert any("callback URL only the target knows" in reason for reason in binding.skipped)
