"""The act hook for Plugfest's own parties: make our eMSP simulator send, or our reference CPO
do, what the judge needs.

    EMSP_ADMIN_TOKEN=... python -m conformance.act http://127.0.0.1:9001 send_command < params.json
    ADMIN_TOKEN=... python -m conformance.act --role cpo http://127.0.0.1:9000 swipe < params.json

The judge (`--ocpi-act-command`, `plugfest check --act-command`) runs its hook with the action's
name in place of `{action}` and the action's parameters as one JSON object on stdin; exit 0 means
done (the target sent the request and had its answer), exit 3 that the target cannot do this
action, anything else a failure. A JSON object printed on stdout carries what the target chose.
Actions (README, "The act hook"); one of the other role's exits 3. Of an eMSP (`--role emsp`,
the default):

  send_command          the eMSP POSTs `command` (START_SESSION, STOP_SESSION, ...) to the CPO
                        at `cpo.versions_url` (`cpo.country_code`, `cpo.party_id`) with the
                        command's fields given (`location_id`, `evse_uid`, `connector_id`,
                        `session_id`, ...); a StartSession/ReserveNow uses a Token of the eMSP's
                        own choosing (§13.3.5). Prints {"id": ...}.
  set_charging_profile  the eMSP sends `method` GET (`duration`), PUT (`charging_profile`) or
                        DELETE for `session_id` to that CPO's ChargingProfiles (§14.4.1).
  push_token            the eMSP creates or replaces one of its own Tokens, valid, and pushes it
                        (PUT) to the Tokens Receiver of the CPO at `cpo.versions_url`, then makes
                        it invalid and pushes that change as a PATCH (§12.2.1.2, §12.2.1.3). Done
                        once both are sent or queued (delivery may follow). Prints
                        {"country_code", "party_id", "uid", "type"} of the Token.

Of a CPO (`--role cpo`):

  swipe                 a driver presents Token `token_uid` (`token_type`, RFID by default;
                        issuer `country_code`/`party_id`) at `location_id`/`evse_uid`/
                        `connector_id`: the CPO decides from its cache or asks the issuer's eMSP
                        in real time (§12.4.5). Prints {"allowed": ..., "session_id": ...}
                        (session_id null when no session started).
  credit_cdr            the CPO corrects its CDR `cdr_id` with a credit CDR (§10.1.1), stored
                        and sent like any CDR. Prints {"id": <the credit CDR's id>}.

This implementation drives the admin APIs of the eMSP simulator (simulator/emsp/admin.py) and of
the reference CPO's charging backend (simulator/cpo/backend_admin.py). Standard library only, so
it starts in milliseconds; the admin token is read from the environment (EMSP_ADMIN_TOKEN, for a
CPO ADMIN_TOKEN, or --admin-token-env), never from argv. Other platforms plug in their own command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

UNSUPPORTED = 3
#: The command fields (§13.3) the judge may give; the Token is the eMSP's own business.
COMMAND_FIELDS = {"session_id", "location_id", "evse_uid", "connector_id", "reservation_id",
                "expiry_date", "authorization_reference"}  # fmt: skip
ACT_TOKEN_UID = "PLUGFEST-ACT"
PUSH_TOKEN_UID, PUSH_TOKEN_TYPE = "PLUGFEST-PUSH", "APP_USER"


class ActError(RuntimeError):
    """The party could not do what was asked."""


class Admin:
    """A party's admin API (bearer token)."""

    def __init__(self, base_url: str, admin_token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_token = admin_token

    def call(self, method: str, path: str, body: Any = None, **query: str | int) -> Any:
        url = self.base_url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(  # noqa: S310 - an operator-given http(s) URL
            url,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.admin_token}",
                     "Content-Type": "application/json"},
            method=method,
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as exc:
            raise ActError(f"{method} {path}: HTTP {exc.code} {exc.read()[:300]!r}") from exc

    def partner(self, cpo: dict[str, Any]) -> str:
        """The id of the registered partner at the CPO's versions URL (the newest one)."""
        found = [p for p in self.call("GET", "/admin/partners")
                 if p.get("versions_url") == cpo.get("versions_url")
                 and p.get("status") == "registered"]  # fmt: skip
        if not found:
            raise ActError(f"no registered partner at {cpo.get('versions_url')}")
        return str(found[-1]["id"])

    def own_token(self) -> str:
        """The uid of one of our valid Tokens; a new APP_USER Token if there is none."""
        for token in self.call("GET", "/admin/emsp/tokens"):
            if token.get("valid") is True:
                return str(token["uid"])
        self.call("PUT", f"/admin/emsp/tokens/{ACT_TOKEN_UID}", {}, type="APP_USER")
        return ACT_TOKEN_UID


def send_command(admin: Admin, parameters: dict[str, Any]) -> dict[str, Any]:
    command = str(parameters.get("command", "")).upper()
    fields = {k: v for k, v in parameters.items() if k in COMMAND_FIELDS and v is not None}
    if command in ("START_SESSION", "RESERVE_NOW"):
        fields["token"] = parameters.get("token_uid") or admin.own_token()
    partner = admin.partner(parameters.get("cpo") or {})
    record = admin.call("POST", f"/admin/emsp/commands/{command}", fields, partner=partner)
    return {"id": record.get("id"), "http_status": record.get("http_status"),
            "status_code": record.get("status_code")}  # fmt: skip


def set_charging_profile(admin: Admin, parameters: dict[str, Any]) -> dict[str, Any]:
    method = str(parameters.get("method", "")).upper()
    session_id = urllib.parse.quote(str(parameters.get("session_id", "")), safe="")
    partner = admin.partner(parameters.get("cpo") or {})
    path = f"/admin/emsp/chargingprofiles/{session_id}"
    if method == "PUT":
        body = {"charging_profile": parameters.get("charging_profile")}
        record = admin.call("PUT", path, body, partner=partner)
    elif method == "GET":
        record = admin.call("GET", path, partner=partner, duration=int(parameters["duration"]))
    elif method == "DELETE":
        record = admin.call("DELETE", path, partner=partner)
    else:
        raise ActError(f"method must be GET, PUT or DELETE, not {method!r}")
    return {"id": record.get("id"), "http_status": record.get("http_status"),
            "status_code": record.get("status_code")}  # fmt: skip


def push_token(admin: Admin, parameters: dict[str, Any]) -> dict[str, Any]:
    """PUT a valid Token of ours, then PATCH it to `valid` false: the simulator pushes both to
    every registered CPO with a tokens RECEIVER, the CPO at `cpo.versions_url` among them."""
    admin.partner(parameters.get("cpo") or {})  # unknown there: the pushes would go nowhere
    path = f"/admin/emsp/tokens/{urllib.parse.quote(PUSH_TOKEN_UID, safe='')}"
    made = admin.call("PUT", path, {"valid": True, "whitelist": "ALLOWED"}, type=PUSH_TOKEN_TYPE)
    changed = admin.call("PATCH", path, {"valid": False}, type=PUSH_TOKEN_TYPE)
    if not made.get("queued") or not changed.get("queued"):
        raise ActError(f"no CPO takes our Token pushes (queued {made.get('queued')} PUT, "
                       f"{changed.get('queued')} PATCH)")  # fmt: skip
    token = changed.get("token") or {}
    return {name: token.get(name) for name in ("country_code", "party_id", "uid", "type")}


def swipe(admin: Admin, parameters: dict[str, Any]) -> dict[str, Any]:
    """A driver's swipe at the charge point (§12.4.5): the CPO's own decision, whitelist or
    real-time authorization; what it decided."""
    body = {name: str(parameters[name])
            for name in ("location_id", "evse_uid", "connector_id", "token_uid")}  # fmt: skip
    body["token_type"] = str(parameters.get("token_type") or "RFID")
    for name in ("country_code", "party_id"):  # the issuer, whom to ask for an unknown Token
        if parameters.get(name):
            body[name] = str(parameters[name])
    outcome = admin.call("POST", "/admin/cpo/backend/swipe", body)
    return {"allowed": outcome.get("allowed"), "session_id": outcome.get("session_id")}


def credit_cdr(admin: Admin, parameters: dict[str, Any]) -> dict[str, Any]:
    """A credit CDR for CDR `cdr_id` (§10.1.1), stored and POSTed by the CPO."""
    body = {"cdr_id": str(parameters["cdr_id"])}
    record = admin.call("POST", "/admin/cpo/backend/credit-cdr", body)
    return {"id": record.get("id")}


Act = Callable[[Admin, dict[str, Any]], dict[str, Any]]
#: The actions of each role's hook.
ACTIONS: dict[str, dict[str, Act]] = {
    "emsp": {"send_command": send_command, "set_charging_profile": set_charging_profile,
             "push_token": push_token},
    "cpo": {"swipe": swipe, "credit_cdr": credit_cdr},
}  # fmt: skip
ADMIN_TOKEN_ENV = {"emsp": "EMSP_ADMIN_TOKEN", "cpo": "ADMIN_TOKEN"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("base_url", help="the party's base URL (admin API under /admin)")
    parser.add_argument("action", help="the action's name (the judge's {action})")
    parser.add_argument("--role", choices=sorted(ACTIONS), default="emsp",
                        help="the role of the party driven (its actions)")  # fmt: skip
    defaults = ", ".join(f"{role} {variable}" for role, variable in ADMIN_TOKEN_ENV.items())
    parser.add_argument("--admin-token-env", help=f"variable to read (default: {defaults})")
    args = parser.parse_args(argv)
    variable = args.admin_token_env or ADMIN_TOKEN_ENV[args.role]
    act = ACTIONS[args.role].get(args.action)
    if act is None:
        other = [r for r in ACTIONS if args.action in ACTIONS[r]]
        party = {"emsp": "an eMSP", "cpo": "a CPO"}
        said = (f"{args.action} is {party[other[0]]}'s action and this hook drives "
                f"{party[args.role]}" if other else f"unknown action {args.action!r}")  # fmt: skip
        print(f"{said}; this hook knows {sorted(ACTIONS[args.role])}", file=sys.stderr)
        return UNSUPPORTED
    admin_token = os.environ.get(variable)
    if not admin_token:
        print(f"{variable} is not set", file=sys.stderr)
        return 2
    try:
        parameters = json.load(sys.stdin)
        if not isinstance(parameters, dict):
            raise ValueError("the parameters are not a JSON object")
        print(json.dumps(act(Admin(args.base_url, admin_token), parameters)))
    except (ActError, ValueError, KeyError, OSError) as exc:
        print(f"{args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
