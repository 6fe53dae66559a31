"""What the eMSP starts: its Tokens pushed to CPOs (§12.2.1, through the outbox), commands
(§13.2.1) and ChargingProfiles requests (§14.4.1) with response URLs of its own, each request
and its synchronous answer kept as a record that the asynchronous result completes later."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from simulator.emsp.senders import COMMAND_SCHEMAS
from simulator.emsp.services import BASE, Emsp, PartnerCallError
from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import OWN, Key
from simulator.platform.errors import GenericClientError, NotFound
from simulator.platform.partner_client import under
from simulator.platform.planted import planted
from specs import contract

TOKEN_TYPES = ("AD_HOC_USER", "APP_USER", "OTHER", "RFID")
ALLOWED_TYPES = ("ALLOWED", "BLOCKED", "EXPIRED", "NO_CREDIT", "NOT_ALLOWED")
#: Simulator-only fields of the admin token body: how authorize answers (never pushed).
POLICY_FIELDS = ("allowed", "denied_evse_uids", "denied_location_ids", "location_required")


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _bad_request(message: str, problems: list[str]) -> GenericClientError:
    return GenericClientError(f"{message}: {'; '.join(problems[:5])}" if problems else message)


# --- Tokens ---------------------------------------------------------------------------------------


async def put_token(
    emsp: Emsp, uid: str, token_type: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """Create or replace one of our Tokens and queue its PUT to every CPO that publishes a
    tokens RECEIVER (`{cc}/{pid}/{uid}?type=`, §12.2.1.2), in the same transaction."""
    fields = dict(fields)
    policy = {name: fields.pop(name) for name in POLICY_FIELDS if name in fields}
    if policy.get("allowed") not in (None, *ALLOWED_TYPES):
        raise GenericClientError(f"allowed must be one of {ALLOWED_TYPES}")
    platform = emsp.platform
    token_type = str(fields.get("type") or token_type or "RFID")
    token = {
        "country_code": emsp.country_code,
        "party_id": emsp.party_id,
        "uid": uid,
        "type": token_type,
        "contract_id": f"{emsp.country_code}-{emsp.party_id}-C{uid}"[:36],
        "issuer": emsp.settings.ocpi_business_name[:64],
        "valid": True,
        "whitelist": "ALLOWED",
        **fields,
        "last_updated": ocpi_datetime(platform.clock.now()),
    }
    problems = contract.errors(token, "Token")
    if problems:
        raise _bad_request("not a valid Token (§12.3.2)", problems)
    if token["uid"] != uid or token["country_code"].upper() != emsp.country_code:
        raise GenericClientError("uid, country_code and party_id are the URL's and ours")
    key = Key("token", OWN, emsp.country_code, emsp.party_id, uid, token_type)
    policy_key = Key("tokenpolicy", OWN, emsp.country_code, emsp.party_id, uid, token_type)
    async with platform.database.transaction() as session:
        created = await platform.documents.put(key, token, session)
        await platform.documents.put(
            policy_key, {**policy, "last_updated": token["last_updated"]}, session
        )
        queued = await platform.outbox.publish(
            session,
            module="tokens",
            method="PUT",
            path=f"/{emsp.country_code}/{emsp.party_id}/{uid}?type={token_type}",
            body=token,
            object_key=f"token:{emsp.country_code}/{emsp.party_id}/{uid}/{token_type}",
        )
    return {"token": token, "policy": policy, "created": created, "queued": queued}


#: The fields that name a Token (§12.3.2): a PATCH cannot change them (§12.2.1.3).
TOKEN_NAME = ("country_code", "party_id", "uid", "type")


async def patch_token(
    emsp: Emsp, uid: str, token_type: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """Change some fields of one of our Tokens, bump its last_updated, and queue a PATCH to
    every CPO that publishes a tokens RECEIVER with only the changed fields and last_updated
    (§12.2.1.3), in the same transaction. Nothing changed: nothing stored, nothing pushed."""
    fields = {name: value for name, value in fields.items() if name != "last_updated"}
    policy = {name: fields.pop(name) for name in POLICY_FIELDS if name in fields}
    if policy.get("allowed") not in (None, *ALLOWED_TYPES):
        raise GenericClientError(f"allowed must be one of {ALLOWED_TYPES}")
    platform = emsp.platform
    token_type = token_type or "RFID"
    key = Key("token", OWN, emsp.country_code, emsp.party_id, uid, token_type)
    policy_key = Key("tokenpolicy", OWN, emsp.country_code, emsp.party_id, uid, token_type)
    async with platform.database.transaction() as session:
        stored = await platform.documents.get(key, session)
        if stored is None:
            raise NotFound(f"no Token {uid} of type {token_type} of ours: PUT it first")
        for name in TOKEN_NAME:
            if name in fields and str(fields.pop(name)).upper() != str(stored[name]).upper():
                raise GenericClientError(f"{name} names the Token: a PATCH cannot change it")
        changed = {name: value for name, value in fields.items() if stored.get(name) != value}
        queued = 0
        token = stored
        if changed:
            token = {**stored, **changed, "last_updated": ocpi_datetime(platform.clock.now())}
            problems = contract.errors(token, "Token")
            if problems:
                raise _bad_request("not a valid Token (§12.3.2)", problems)
            body = {**changed, "last_updated": token["last_updated"]}
            if planted(platform, "token_patch_without_last_updated"):
                del body["last_updated"]
            await platform.documents.put(key, token, session)
            queued = await platform.outbox.publish(
                session,
                module="tokens",
                method="PATCH",
                path=f"/{emsp.country_code}/{emsp.party_id}/{uid}?type={token_type}",
                body=body,
                object_key=f"token:{emsp.country_code}/{emsp.party_id}/{uid}/{token_type}",
            )
        if policy:
            held = await platform.documents.get(policy_key, session) or {}
            await platform.documents.put(
                policy_key, {**held, **policy, "last_updated": token["last_updated"]}, session
            )
    return {"token": token, "changed": sorted(changed), "policy": policy, "queued": queued}


# --- Commands -------------------------------------------------------------------------------------


async def _own_token(emsp: Emsp, uid: str) -> dict[str, Any]:
    token = await emsp.platform.documents.find("token", OWN, uid)
    if token is None:
        raise NotFound(f"no Token {uid} of ours (an eMSP SHALL only use its own, §13.3.5)")
    return token


async def send_command(
    emsp: Emsp, partner_id: str, command: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """POST `{commands}/{command}` with our response_url (§13.2.1); the record keeps the
    request, the CommandResponse, and later the CommandResult."""
    command = command.upper()
    if command not in COMMAND_SCHEMAS:
        raise GenericClientError(f"command must be one of {list(COMMAND_SCHEMAS)}")
    partner = await emsp.registered_partner(partner_id)
    url = under(emsp.endpoint(partner, "commands", "RECEIVER"), command)
    ref = str(uuid.uuid4())
    body = {k: v for k, v in fields.items() if k != "response_url"}
    if isinstance(body.get("token"), str):
        body["token"] = await _own_token(emsp, body["token"])
    body["response_url"] = emsp.platform.url(f"{BASE}/commands/{command}/{ref}")
    problems = contract.errors(body, COMMAND_SCHEMAS[command])
    if problems:
        raise _bad_request(f"not a valid {COMMAND_SCHEMAS[command]} (§13.3)", problems)
    key = Key("command", partner.id, emsp.country_code, emsp.party_id, ref)
    record: dict[str, Any] = {
        "id": ref, "command": command, "partner_id": partner.id, "request": body,
        "result": None, "results": [], "last_updated": ocpi_datetime(emsp.platform.clock.now()),
    }  # fmt: skip
    await emsp.platform.documents.put(key, record)
    response = await emsp.call(partner, "POST", url, json=body)
    envelope = _envelope(response)
    record.update(http_status=response.status_code, status_code=envelope.get("status_code"),
                  response=envelope.get("data"))  # fmt: skip
    if envelope.get("status_code") == 1000:
        problems = contract.errors(envelope.get("data"), "CommandResponse")
        if problems:
            emsp.outbound_finding(response, "commands", "13.2.1", "invalid CommandResponse",
                             problems, partner.id)  # fmt: skip
    async with emsp.platform.database.transaction() as session:
        stored = await emsp.platform.documents.get(key, session) or record
        # A fast CPO may have POSTed the result before its answer reached us: keep it.
        record["result"], record["results"] = stored.get("result"), stored.get("results", [])
        await emsp.platform.documents.put(key, record, session)
    return record


async def command_record(emsp: Emsp, ref: str) -> dict[str, Any]:
    for partner in await emsp.platform.registration.partners():
        key = Key("command", partner.id, emsp.country_code, emsp.party_id, ref)
        record = await emsp.platform.documents.get(key)
        if record is not None:
            return record
    raise NotFound(f"no command {ref}")


# --- ChargingProfiles -----------------------------------------------------------------------------


async def charging_profile(
    emsp: Emsp,
    partner_id: str,
    method: str,
    session_id: str,
    *,
    duration: int | None = None,
    charging_profile: Any = None,
) -> dict[str, Any]:
    """GET (`duration`), PUT (SetChargingProfile) or DELETE on the CPO's Receiver (§14.4.1),
    each with a response_url of ours: `/chargingprofiles/results/{ref}`."""
    partner = await emsp.registered_partner(partner_id)
    url = under(emsp.endpoint(partner, "chargingprofiles", "RECEIVER"), session_id)
    ref = str(uuid.uuid4())
    response_url = emsp.platform.url(f"{BASE}/chargingprofiles/results/{ref}")
    params: dict[str, str | int] = {}
    body: dict[str, Any] | None = None
    if method == "GET":
        if duration is None or duration <= 0:
            raise GenericClientError("GET needs a positive duration (§14.4.1.1)")
        params = {"duration": duration, "response_url": response_url}
    elif method == "PUT":
        body = {"charging_profile": charging_profile, "response_url": response_url}
        problems = contract.errors(body, "SetChargingProfile")
        if problems:
            raise _bad_request("not a valid SetChargingProfile (§14.5.5)", problems)
    elif method == "DELETE":
        params = {"response_url": response_url}
    else:
        raise GenericClientError("method must be GET, PUT or DELETE")
    key = Key("cprequest", partner.id, emsp.country_code, emsp.party_id, ref)
    record: dict[str, Any] = {
        "id": ref, "method": method, "session_id": session_id, "partner_id": partner.id,
        "request": body, "params": params, "result": None,
        "last_updated": ocpi_datetime(emsp.platform.clock.now()),
    }  # fmt: skip
    await emsp.platform.documents.put(key, record)
    response = await emsp.call(partner, method, url, json=body, params=params or None)
    envelope = _envelope(response)
    record.update(http_status=response.status_code, status_code=envelope.get("status_code"),
                  response=envelope.get("data"))  # fmt: skip
    if envelope.get("status_code") == 1000:
        problems = contract.errors(envelope.get("data"), "ChargingProfileResponse")
        if problems:
            emsp.outbound_finding(response, "chargingprofiles", "14.4.1",
                             "invalid ChargingProfileResponse", problems, partner.id)  # fmt: skip
    async with emsp.platform.database.transaction() as session:
        stored = await emsp.platform.documents.get(key, session) or record
        record["result"] = stored.get("result")
        await emsp.platform.documents.put(key, record, session)
    return record


async def profile_record(emsp: Emsp, ref: str) -> dict[str, Any]:
    for partner in await emsp.platform.registration.partners():
        key = Key("cprequest", partner.id, emsp.country_code, emsp.party_id, ref)
        record = await emsp.platform.documents.get(key)
        if record is not None:
            return record
    raise NotFound(f"no ChargingProfiles request {ref}")


__all__ = ["PartnerCallError", "charging_profile", "patch_token", "put_token", "send_command"]
