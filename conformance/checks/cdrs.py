"""Credit CDRs (§10.1.1, CDR-005): a CDR is final; a correction is a credit CDR with an id of its
own, credit = true, credit_reference_id the credited CDR's id, repeating the original with its
total_cost negated.

§10.1.1 and the digest (rule 54) negate `total_cost` only. The other Price fields
(total_fixed_cost, total_energy_cost, ...) are read either way: negated like total_cost, or
repeated as the original had them (a lenient reading, said as one); they are never a violation.
"""

from __future__ import annotations

import math
from typing import Any

from conformance.checks.compare import instant
from conformance.exchange import Seen
from conformance.verdicts import Ledger

#: The Price fields beside total_cost (§10.4.1) a credit CDR may negate or repeat.
COST_PARTS = ("total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost",
              "total_reservation_cost")  # fmt: skip
#: The fields that place a credit CDR on the Session of the CDR it credits.
SAME_FIELDS = ("session_id", "start_date_time", "end_date_time")
TOLERANCE = 1e-5  # below the 4 decimals amounts have; a float round trip may move a digit


def is_credit(seen: Seen) -> bool:
    return seen.obj.get("credit") is True


def amount(price: Any, part: str) -> Any:
    """`excl_vat` or `incl_vat` of a Price (§16.5), None when there is no such amount."""
    return price.get(part) if isinstance(price, dict) else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _matches(credited: Any, credit: Any, sign: int) -> bool:
    """Whether Price `credit` is Price `credited` times `sign`, excl_vat and incl_vat."""
    if credited is None or credit is None:
        return credited is None and credit is None
    for part in ("excl_vat", "incl_vat"):
        was, now = amount(credited, part), amount(credit, part)
        if was is None and now is None:
            continue
        if not (_number(was) and _number(now)
                and math.isclose(now, sign * was, abs_tol=TOLERANCE)):  # fmt: skip
            return False
    return True


def negated(credited: Any, credit: Any) -> bool:
    """Whether Price `credit` is Price `credited` negated, excl_vat and incl_vat (§16.5)."""
    return _matches(credited, credit, -1)


def repeated(credited: Any, credit: Any) -> bool:
    """Whether Price `credit` repeats Price `credited` as it was."""
    return _matches(credited, credit, 1)


def _same(field: str, a: Any, b: Any) -> bool:
    if field.endswith("date_time"):
        return instant(a) is not None and instant(a) == instant(b)
    return str(a).upper() == str(b).upper()


def check_credit(ledger: Ledger, credit: Seen, originals: dict[tuple[str, str, str], Seen]) -> None:
    """CDR-005 on one credit CDR: its own id, the credited CDR's id, and (where the credited CDR
    is known) the original's Session repeated with total_cost negated. The other cost parts,
    negated or repeated, are read leniently (the reading taken is said), never failed."""
    cdr, name = credit.obj, f"credit CDR {credit.obj.get('id')} ({credit.how})"
    reference = cdr.get("credit_reference_id")
    ledger.check(
        "CDR-005",
        isinstance(reference, str) and bool(reference) and reference.upper() != credit.key[2],
        expected="credit_reference_id the credited CDR's id, not the credit CDR's own (§10.1.1)",
        actual=f"{name}: credit_reference_id {reference!r}",
        exchange=credit.exchange,
    )
    if not isinstance(reference, str):
        return
    original = originals.get((credit.key[0], credit.key[1], reference.upper()))
    if original is None:  # the credited CDR is not in sight: the sign is all there is to see
        amounts = [amount(cdr.get("total_cost"), p) for p in ("excl_vat", "incl_vat")]
        ledger.check(
            "CDR-005",
            _number(amounts[0]) and all(a is None or (_number(a) and a <= 0) for a in amounts),
            expected="a credit CDR's total_cost negative (or zero), excl_vat and incl_vat",
            actual=f"{name}: total_cost {cdr.get('total_cost')}",
            exchange=credit.exchange,
        )
        return
    was = original.obj
    differ = [] if negated(was.get("total_cost"), cdr.get("total_cost")) else [
        f"total_cost: {cdr.get('total_cost')} for {was.get('total_cost')}"]  # fmt: skip
    differ += [f"{f}: {cdr.get(f)!r} for {was.get(f)!r}" for f in SAME_FIELDS
               if not _same(f, was.get(f), cdr.get(f))]  # fmt: skip
    ledger.check(
        "CDR-005",
        not differ,
        expected=f"CDR {was.get('id')} (as {original.how} in exchange #{original.exchange.id}) "
        "repeated with total_cost negated (§10.1.1)",
        actual=f"{name}: " + "; ".join(differ[:6]),
        exchange=credit.exchange,
    )
    _read_cost_parts(ledger, credit, original)


def _read_cost_parts(ledger: Ledger, credit: Seen, original: Seen) -> None:
    """The cost parts beside total_cost: negated (nothing to say), repeated unnegated (the
    reading that the credit repeats the original's breakdown), or neither (not judged)."""
    cdr, was = credit.obj, original.obj
    name = f"credit CDR {cdr.get('id')} of CDR {was.get('id')}"
    unnegated = [f for f in COST_PARTS if not negated(was.get(f), cdr.get(f))]
    kept = [f for f in unnegated if repeated(was.get(f), cdr.get(f))]
    other = [f"{f}: {cdr.get(f)} for {was.get(f)}" for f in unnegated if f not in kept]
    if kept:
        ledger.reading(
            "CDR-005",
            f"{name}: {', '.join(kept)} repeated as the original had them, not negated: read as "
            "the original's cost breakdown repeated (§10.1.1 negates total_cost only)",
            credit.exchange,
        )
    if other:
        ledger.reading(
            "CDR-005",
            f"{name}: {'; '.join(other)}: neither negated nor repeated, not judged (§10.1.1 "
            "negates total_cost only)",
            credit.exchange,
        )
