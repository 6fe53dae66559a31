"""What the CPO pushed to our counterpart during the run: Locations, Sessions, CDRs and Tariffs
(§8.2.2, §9.2.2, §10.2.2, §11.2.2). The commands and charging profiles of the `charging` phase
make a CPO push (Session PUT and PATCHes, EVSE status PATCHes, CDR POSTs), which is why this
file runs after them (phase `pushes`).

Every push must carry a valid object (a PATCH its last_updated), and push and pull must agree:
each pushed object, rebuilt as a Receiver holds it after the pushes, equals on the fields pushed
what the CPO's Sender serves, once the pushes in flight have arrived (§4.1.3, TRANS-043).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from conformance.checks.compare import instant
from conformance.checks.objects import single_object
from conformance.checks.pushes import (
    LAST_UPDATED_RULES,
    MODULES,
    OBJECT_RULES,
    Address,
    Push,
    check_push,
    converge_problems,
    last_push,
    replay,
)
from conformance.session import Judge
from conformance.suites.charging import CpoTarget
from conformance.suites.waiting import READ_POLL_SECONDS, wait_until

pytestmark = pytest.mark.phase("pushes")

#: How long pushed and served objects may take to agree (pushes in flight, an outbox's delay).
CONVERGE_SECONDS = 10.0


def _date_from(objects: list[dict[str, Any] | None]) -> str | None:
    """A date_from just before the earliest pushed last_updated, so the list holds them all."""
    stamps = [t for o in objects if o and (t := instant(o.get("last_updated"))) is not None]
    if not stamps:
        return None
    return (min(stamps) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def served(target: CpoTarget, state: dict[Address, dict[str, Any] | None]
           ) -> dict[Address, dict[str, Any] | None]:  # fmt: skip
    """What the target's Senders serve for each pushed object (None: not served)."""
    result: dict[Address, dict[str, Any] | None] = {}
    for module in MODULES:
        addresses = [a for a in state if a[0] == module]
        if not addresses:
            continue
        if module == "locations":
            url = target.url("locations", "SENDER")
            for address in addresses:
                reply = target.judge.client.request(
                    "GET", f"{url}/{quote(address[3], safe='')}", module="locations",
                    token=target.registration.token,
                )  # fmt: skip
                found = single_object(target.judge.ledger, "TRANS-043", reply)
                result[address] = found if reply.status == 200 else None
            continue
        listed = target.listed(module, _date_from([state[a] for a in addresses]))
        index: dict[Address, dict[str, Any]] = {(module, *seen.key): seen.obj for seen in listed}
        for address in addresses:
            result[address] = index.get(address)
    return result


@pytest.mark.rule("TRANS-043")
def test_pushes_converge_with_pull(judge: Judge, cpo_target: CpoTarget) -> None:
    """Each pushed object, rebuilt from its pushes, equals the served one on the fields pushed;
    re-read until they agree or CONVERGE_SECONDS (at most --max-wait) have passed."""
    if not cpo_target.pushes():
        pytest.skip("the target pushed nothing to our counterpart during the run")
    for module in MODULES:
        if not cpo_target.registration.endpoint(module, "SENDER") and any(
            p.module == module for p in cpo_target.pushes()
        ):
            judge.ledger.skipped("TRANS-043", f"the target pushed {module} but serves none")

    def compared() -> tuple[list[Push], dict[Address, list[str]]]:
        all_pushes = [p for p in cpo_target.pushes()
                      if cpo_target.registration.endpoint(p.module, "SENDER")]  # fmt: skip
        state = replay(all_pushes)
        got = served(cpo_target, state)
        return all_pushes, {a: converge_problems(state[a], got.get(a)) for a in state}

    all_pushes, found = wait_until(compared, CONVERGE_SECONDS, judge, poll=READ_POLL_SECONDS,
                                   done=lambda seen: not any(seen[1].values()))  # fmt: skip
    for address, problems in found.items():
        judge.ledger.check(
            "TRANS-043",
            not problems,
            expected=f"{address[0]} {'/'.join(address[1:])} as served equal to the object "
            "rebuilt from its pushes, on the fields pushed",
            actual="; ".join(problems[:5]),
            exchange=last_push(all_pushes, address),
        )


@pytest.mark.rule("LOC-014", "SES-014", "CDR-013", "TAR-011", "LOC-005", "SES-003", "SES-004")
def test_pushes_conform(judge: Judge, cpo_target: CpoTarget) -> None:
    """Every push carries a valid object; a PATCH its last_updated, a Session PATCH the whole
    Session's address."""
    all_pushes = cpo_target.pushes()
    if not all_pushes:
        pytest.skip("the target pushed nothing to our counterpart during the run")
    for module in MODULES:
        if not any(p.module == module for p in all_pushes):
            judge.ledger.skipped(OBJECT_RULES[module], f"the target pushed no {module}")
        patched = any(p.module == module and p.method == "PATCH" for p in all_pushes)
        if module in LAST_UPDATED_RULES and not patched:
            judge.ledger.skipped(LAST_UPDATED_RULES[module], f"the target PATCHed no {module}")
            if module == "sessions":
                judge.ledger.skipped("SES-004", "the target PATCHed no Session")
    for push in all_pushes:
        check_push(judge.ledger, push)
