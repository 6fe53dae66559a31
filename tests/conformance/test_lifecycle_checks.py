"""Published objects over a run (conformance/checks/lifecycle.py): LOC-001, CDR-004, SES-007."""

from __future__ import annotations

from typing import Any

from conformance.checks.lifecycle import activations, changed_cdrs, evse_removals, vanished_evses
from conformance.checks.pushes import Push

LOC = ("NL", "PLF", "LOC1")


def _location(*evses: tuple[str, str]) -> dict[str, Any]:
    return {"id": "LOC1", "evses": [{"uid": uid, "status": status} for uid, status in evses]}


def test_an_evse_leaves_a_location_put_only_after_removed() -> None:
    first = Push("locations", "PUT", LOC, _location(("E1", "AVAILABLE"), ("E2", "AVAILABLE")))
    dropped = Push("locations", "PUT", LOC, _location(("E1", "AVAILABLE")))
    assert evse_removals([first, dropped])[1][0].push is dropped
    removed = Push("locations", "PATCH", (*LOC, "E2"), {"status": "REMOVED"})
    assert evse_removals([first, removed, dropped]) == (3, [])


def test_a_delete_of_any_level_is_a_finding() -> None:
    judged, found = evse_removals([Push("locations", "DELETE", (*LOC, "E1"), None)])
    assert judged == 1
    assert found[0].problem == "DELETE /NL/PLF/LOC1/E1"


def test_an_evse_or_location_gone_from_the_list() -> None:
    before = [_location(("E1", "AVAILABLE"), ("e2", "AVAILABLE")), {"id": "LOC2"}]
    assert vanished_evses(before, [_location(("E1", "AVAILABLE"), ("E2", "REMOVED")),
                                   {"id": "loc2"}]) == (2, [])  # fmt: skip
    assert vanished_evses(before, [_location(("E1", "AVAILABLE"))]) == (
        2,
        ["Location LOC1: EVSE E2 served first, gone later"],
    )
    assert vanished_evses([{"id": "LOC3", "evses": 5}], [{"id": "LOC3"}]) == (0, [])


def test_a_cdr_read_again_must_mean_the_same() -> None:
    cdr = {"id": "C1", "total_cost": {"excl_vat": 1.5}, "last_updated": "2026-01-01T00:00:00Z"}
    same = {"id": "c1", "total_cost": {"excl_vat": 1.50}, "last_updated": "2026-01-01T00:00:00"}
    assert changed_cdrs([cdr], [same]) == (1, {})
    assert changed_cdrs([cdr], []) == (0, {})  # gone: no verdict
    compared, found = changed_cdrs([cdr], [{**cdr, "total_cost": {"excl_vat": 2}, "credit": True}])
    assert compared == 1
    assert found["C1"] == ["total_cost.excl_vat: pushed 1.5, served 2",
                           "credit: not served first, True later"]  # fmt: skip


def _session(method: str, **fields: Any) -> Push:
    return Push("sessions", method, ("NL", "PLF", "S1"), fields)


def test_start_date_time_lies_between_pending_and_active() -> None:
    pending = _session("PUT", status="PENDING", start_date_time="2026-01-01T10:00:00Z",
                       last_updated="2026-01-01T10:00:05Z")  # fmt: skip
    moved = _session("PATCH", status="ACTIVE", start_date_time="2026-01-01T10:00:07Z",
                     last_updated="2026-01-01T10:00:08Z")  # fmt: skip
    assert activations([pending, moved]) == (1, [])
    kept = _session("PATCH", status="ACTIVE", last_updated="2026-01-01T10:00:08Z")
    seen, found = activations([pending, kept])  # still 10:00:00, though PENDING at 10:00:05
    assert seen == 1
    assert found[0].push is kept
    assert activations([_session("PUT", status="ACTIVE")]) == (0, [])


def test_a_transition_that_cannot_show_a_reset_is_no_verdict() -> None:
    pending = _session("PUT", status="PENDING", start_date_time="2026-01-01T10:00:00Z",
                       last_updated="2026-01-01T10:00:00Z")  # fmt: skip
    active = _session("PATCH", status="ACTIVE", last_updated="2026-01-01T10:00:03Z")
    assert activations([pending, active]) == (0, [])


def test_a_start_written_in_whole_seconds_is_not_blamed() -> None:
    pending = _session("PUT", status="PENDING", start_date_time="2026-01-01T10:00:00Z",
                       last_updated="2026-01-01T10:00:05.700Z")  # fmt: skip
    active = _session("PATCH", status="ACTIVE", start_date_time="2026-01-01T10:00:05Z",
                      last_updated="2026-01-01T10:00:06Z")  # fmt: skip
    assert activations([pending, active]) == (1, [])
