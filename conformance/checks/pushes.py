"""What an owner pushed to our counterpart's Receivers (§8.2.2, §9.2.2, §10.2.2, §11.2.2; an
eMSP's Tokens, §12.2.1): each push against the YAML, and the objects rebuilt from the pushes
(a PUT, then every PATCH applied as a Receiver must) for comparison with what the owner's Sender
serves (§4.1.3)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from conformance.checks.compare import same
from conformance.checks.objects import check_object
from conformance.exchange import Exchange
from conformance.verdicts import Ledger

#: What a CPO pushes (an eMSP pushes tokens, judged by suites/emsp/test_pushes.py).
MODULES = ("locations", "sessions", "cdrs", "tariffs")
#: The rule "every object served or pushed conforms" of each module.
OBJECT_RULES = {"locations": "LOC-014", "sessions": "SES-014", "cdrs": "CDR-013",
                "tariffs": "TAR-011", "tokens": "TOK-015"}  # fmt: skip
#: The rule "every PATCH carries last_updated" (§8.2.2.3, §9.2.2.3, §12.2.1.3).
LAST_UPDATED_RULES = {"locations": "LOC-005", "sessions": "SES-003", "tokens": "TOK-002"}
#: How contract.errors says a PATCH lacks last_updated (its *Patch schemas require it).
_NO_LAST_UPDATED = "$: 'last_updated' is a required property"
_LOCATION_LEVELS = ("Location", "EVSE", "Connector")

Address = tuple[str, ...]  # (module, country_code, party_id, object id[, a Token's type])


@dataclass(frozen=True)
class Push:
    """One request the owner sent a Receiver: module, method, the URL segments below the
    module's URL, the parsed body, and for a Token the `type` query parameter (§12.2.1)."""

    module: str
    method: str
    segments: tuple[str, ...]
    body: Any
    exchange: Exchange | None = None
    token_type: str | None = None

    @property
    def address(self) -> Address | None:
        """The pushed object's identity: from the URL, or a CDR's body (POST has no id); a
        Token's also holds its type, default RFID (§12.2.1: one Token per uid and type)."""
        if self.module == "tokens" and len(self.segments) >= 3:
            return ("tokens", *(s.upper() for s in self.segments[:3]),
                    (self.token_type or "RFID").upper())  # fmt: skip
        if self.module == "cdrs":
            if not isinstance(self.body, dict):
                return None
            return ("cdrs", *(str(self.body.get(k, "")).upper()
                              for k in ("country_code", "party_id", "id")))  # fmt: skip
        if len(self.segments) < 3:
            return None
        return (self.module, *(s.upper() for s in self.segments[:3]))


def schema_of(push: Push) -> str | None:
    """The object a push must carry, or None for a request the Receiver interface lacks."""
    depth, method = len(push.segments), push.method
    if push.module == "locations" and 3 <= depth <= 5 and method in ("PUT", "PATCH"):
        level = _LOCATION_LEVELS[depth - 3]
        return level if method == "PUT" else f"{level}Patch"
    if push.module == "sessions" and depth == 3 and method in ("PUT", "PATCH"):
        return "Session" if method == "PUT" else "SessionPatch"
    if push.module == "cdrs" and depth == 0 and method == "POST":
        return "CDR"
    if push.module == "tariffs" and depth == 3 and method == "PUT":
        return "Tariff"
    if push.module == "tokens" and depth == 3 and method in ("PUT", "PATCH"):
        return "Token" if method == "PUT" else "TokenPatch"
    return None


def check_push(ledger: Ledger, push: Push) -> None:
    """The pushed object against the YAML (LOC-014, SES-014, CDR-013, TAR-011, TOK-015); a PATCH
    carries last_updated (LOC-005, SES-003, TOK-002); a Session PATCH addresses the whole Session
    (SES-004). A PATCH without last_updated is that rule's finding only, not its object rule's
    too: one deviation, one finding."""
    module, exchange = push.module, push.exchange
    if module == "sessions" and push.method == "PATCH":
        ledger.check(
            "SES-004",
            len(push.segments) == 3,
            expected="a PATCH on {country_code}/{party_id}/{session_id}, never an inner object",
            actual="/".join(push.segments),
            exchange=exchange,
        )
        if len(push.segments) != 3:
            return
    if module == "tariffs" and push.method == "DELETE" and len(push.segments) == 3:
        return  # §11.2.2.3: no body
    schema = schema_of(push)
    if schema is None:
        ledger.check(
            OBJECT_RULES[module],
            False,
            expected=f"a push the {module} Receiver interface defines",
            actual=f"{push.method} /{'/'.join(push.segments)}",
            exchange=exchange,
        )
        return
    ignore: set[str] = set()
    if push.method == "PATCH" and module in LAST_UPDATED_RULES:  # the specific rule first
        # A PATCH without last_updated is that rule's finding, not the object rule's too.
        ignore.add(_NO_LAST_UPDATED)
        ledger.check(
            LAST_UPDATED_RULES[module],
            isinstance(push.body, dict) and "last_updated" in push.body,
            expected="last_updated in every PATCH",
            actual=sorted(push.body) if isinstance(push.body, dict) else push.body,
            exchange=exchange,
        )
    check_object(ledger, OBJECT_RULES[module], push.body, schema, exchange, ignore=ignore)


# --- replay: the objects as a Receiver holds them after the pushes ----------------------------


def _member(items: list[Any], key: str, value: str) -> dict[str, Any]:
    """The member of a list of objects whose `key` is `value` (CiString), added if missing."""
    for item in items:
        if isinstance(item, dict) and str(item.get(key, "")).upper() == value.upper():
            return item
    item = {key: value}
    items.append(item)
    return item


def _apply(target: dict[str, Any], method: str, body: dict[str, Any]) -> None:
    if method == "PUT":
        target.clear()
    target.update(copy.deepcopy(body))


def _replay_location(obj: dict[str, Any], push: Push, body: dict[str, Any]) -> None:
    """§8.2.2.2/§8.2.2.3: PUT or PATCH at Location, EVSE or Connector level; a child's
    last_updated is its parents' too."""
    depth = len(push.segments)
    if depth == 3:
        _apply(obj, push.method, body)
        return
    evse = _member(obj.setdefault("evses", []), "uid", push.segments[3])
    parents = [obj]
    target = evse
    if depth == 5:
        parents.append(evse)
        target = _member(evse.setdefault("connectors", []), "id", push.segments[4])
    key_name, key_value = ("uid", push.segments[3]) if depth == 4 else ("id", push.segments[4])
    _apply(target, push.method, body)
    target.setdefault(key_name, key_value)
    if "last_updated" in body:
        for parent in parents:
            parent["last_updated"] = body["last_updated"]


def replay(pushes: list[Push]) -> dict[Address, dict[str, Any] | None]:
    """Each pushed object as a Receiver holds it after the pushes, in order (None: deleted).
    A Session PATCH appends its charging_periods (§9.2.2.3); other PATCH fields replace."""
    state: dict[Address, dict[str, Any] | None] = {}
    for push in pushes:
        address = push.address
        if address is None or (schema_of(push) is None and push.method != "DELETE"):
            continue
        if push.method == "DELETE":
            state[address] = None
            continue
        if not isinstance(push.body, dict):
            continue
        body = push.body
        obj = state.get(address) or {}
        state[address] = obj
        if push.module == "locations":
            _replay_location(obj, push, body)
        elif push.module == "sessions" and push.method == "PATCH":
            periods = body.get("charging_periods") or []
            obj.update(copy.deepcopy({k: v for k, v in body.items() if k != "charging_periods"}))
            if periods:
                obj["charging_periods"] = [*obj.get("charging_periods", []), *periods]
        else:
            _apply(obj, push.method, body)
    return state


def differences(pushed: Any, served: Any, where: str = "") -> list[str]:
    """Where the served object differs from the pushed one, on the fields pushed. Lists of EVSEs
    and Connectors are matched by uid and id; any other value must mean the same (compare.py:
    instants, CiStrings, numbers)."""
    if isinstance(pushed, dict) and isinstance(served, dict):
        found: list[str] = []
        for name, value in pushed.items():
            here = f"{where}.{name}" if where else name
            if name not in served:
                found.append(f"{here}: pushed {value!r}, not served")
            elif name in ("evses", "connectors") and isinstance(value, list):
                key = "uid" if name == "evses" else "id"
                others = {str(o.get(key, "")).upper(): o for o in served[name] or []
                          if isinstance(o, dict)}  # fmt: skip
                for item in value:
                    ident = str(item.get(key, "")).upper()
                    if ident not in others:
                        found.append(f"{here}[{ident}]: pushed, not served")
                    else:
                        found += differences(item, others[ident], f"{here}[{ident}]")
            else:
                found += differences(value, served[name], here)
        return found
    if not same(pushed, served, where.rsplit(".", 1)[-1] or None):
        return [f"{where}: pushed {pushed!r}, served {served!r}"]
    return []


def converge_problems(pushed: dict[str, Any] | None, served: dict[str, Any] | None) -> list[str]:
    """TRANS-043: how an object rebuilt from its pushes (None: deleted) and the one served
    (None: not served) disagree, on the fields pushed."""
    if pushed is None:
        return [] if served is None else ["deleted by a push, still served"]
    if served is None:
        return ["pushed, not served"]
    return differences(pushed, served)


def last_push(pushes: list[Push], address: Address) -> Exchange | None:
    """The exchange of the last push to `address`: the evidence of a convergence verdict."""
    return next((p.exchange for p in reversed(pushes) if p.address == address), None)
