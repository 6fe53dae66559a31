"""The contract documents, per operation, exactly the HTTP statuses of the status table
(specs/ocpi-2.2.1/statuses.yaml, issue #16), each argued there by a spec section."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from specs import contract
from specs.contract import ROLES, Role


def _table() -> dict[str, Any]:
    path = contract.documents_dir() / "statuses.yaml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _documented(role: Role) -> dict[str, list[int]]:
    return {f"{method.upper()} {path}": sorted(int(s) for s in operation.get("responses", {}))
            for path, method, operation in contract.operations(role)}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_each_operation_documents_the_statuses_of_the_table(role: Role) -> None:
    table = {name: sorted(statuses) for name, statuses in _table()[role].items()}
    documented = _documented(role)
    assert set(documented) == set(table), "operations missing from one side"
    drift = {name: (documented[name], table[name]) for name in table
             if documented[name] != table[name]}  # fmt: skip
    assert drift == {}, "documented vs table"


def test_every_status_has_its_reason() -> None:
    table = _table()
    used = {status for role in ROLES for statuses in table[role].values() for status in statuses}
    assert used <= set(table["reasons"]), "a status with no spec section to argue it"
    assert all(str(reason).startswith("§") for reason in table["reasons"].values())
