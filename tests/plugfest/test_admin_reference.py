"""The admin API reference (docs/reference/admin-api.md) generated from both parties' routes."""

from __future__ import annotations

from functools import cache

import pytest

from plugfest.admin_reference import Party, markdown, operations, parties, undocumented


@cache
def _parties() -> tuple[Party, ...]:
    return tuple(parties())


@pytest.mark.parametrize("party", range(2), ids=["cpo", "emsp"])
def test_every_admin_route_says_what_it_does(party: int) -> None:
    """A route without a description (its handler's docstring) fails here, not in the docs."""
    documented = _parties()[party]
    assert list(operations(documented.schema)), "no admin route found: the schema changed shape"
    assert undocumented(documented.schema) == []


def test_the_reference_lists_every_admin_route_of_both_parties() -> None:
    page = markdown(list(_parties()))
    for party in _parties():
        assert f"## {party.title}" in page
        for method, path, _ in operations(party.schema):
            assert f"### `{method.upper()} {path}`" in page
    assert "### `POST /admin/partners/{partner_id}/tokens/refresh`" in page
    assert "### `GET /admin/emsp/exchanges`" in page
    assert "| `versions_url` | string (minLength 1, maxLength 255) | yes |" in page


def test_a_route_without_a_description_is_named() -> None:
    schema = {"paths": {"/admin/x": {"get": {"description": "Reads x."}, "put": {}},
                        "/ocpi/versions": {"get": {}}}}  # fmt: skip
    assert undocumented(schema) == ["PUT /admin/x"]
