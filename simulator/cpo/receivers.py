"""The CPO's Receiver interfaces: Tokens (§12.2.1) and HubClientInfo (§15.3.1).

What a partner pushes is stored with origin = the partner's id: Tokens as kind "token" with the
token type as variant (a Token is identified by uid and type, §12.3.2), ClientInfo as kind
"clientinfo". Bodies are judged by the YAML contract; every problem is OCPI 2001 (§5).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from simulator.cpo.catalog import require_valid
from simulator.platform.documents import Key
from simulator.platform.errors import InvalidParameters, NotFound
from simulator.platform.planted import planted
from simulator.platform.routes import VERSION
from simulator.platform.tables import Partner
from simulator.platform.transport import (
    Caller,
    authenticate_partner,
    json_body,
    ocpi_response,
    platform_of,
)
from specs import contract

TOKEN = "token"  # noqa: S105 - the document kind, not a secret
CLIENT_INFO = "clientinfo"
TOKENS_PATH = f"/ocpi/cpo/{VERSION}/tokens"
HUBCLIENTINFO_PATH = f"/ocpi/cpo/{VERSION}/hubclientinfo"
DEFAULT_TOKEN_TYPE = "RFID"  # noqa: S105 - §12.2.1 default of `?type=`

Reply = Response[dict[str, Any]]
Json = dict[str, Any]


def _partner(caller: Caller) -> Partner:
    assert caller.partner is not None  # authenticate_partner lets only partners through
    return caller.partner


def _token_type(request: Request[Any, Any, Any]) -> str:
    """The `type` query parameter, default RFID (§12.2.1); not a TokenType: 2001."""
    value = request.query_params.get("type") or DEFAULT_TOKEN_TYPE
    if contract.errors(value, "TokenType"):
        raise InvalidParameters(f"type must be a TokenType (§12.4.4), not {value!r}")
    return value


def _require_role(partner: Partner, country_code: FromPath[str], party_id: FromPath[str]) -> None:
    """§4.1.5.1: the URL's owner must be one of the caller's credentials roles, else 404."""
    owned = {(r["country_code"].upper(), r["party_id"].upper()) for r in partner.roles}
    if (country_code.upper(), party_id.upper()) not in owned:
        raise NotFound(f"{country_code}/{party_id} is not one of your credentials roles")


def _require_match(body: Json, url: dict[str, str]) -> None:
    """§4.1.5.1, §12.2.1.2: the fields the URL names must equal the body's (CiStrings)."""
    for field, value in url.items():
        if field in body and str(body[field]).upper() != value.upper():
            raise InvalidParameters(f"{field} {body[field]!r} in the body differs from the URL's")


class TokensController(Controller):
    """§12.2.1: the eMSP pushes Tokens; the CPO keeps them as its token cache."""

    path = TOKENS_PATH
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @staticmethod
    def _key(
        request: Request[Any, Any, Any], partner: Partner, cc: str, pid: str, uid: str,
        token_type: str,
    ) -> Key:  # fmt: skip
        if not planted(platform_of(request), "cpo_tokens_any_party"):
            _require_role(partner, cc, pid)
        return Key(TOKEN, partner.id, cc, pid, uid, token_type)

    @get("/{country_code:str}/{party_id:str}/{token_uid:str}")
    async def get_token(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        token_uid: FromPath[str],
    ) -> Reply:
        key = self._key(
            request, _partner(caller), country_code, party_id, token_uid, _token_type(request)
        )
        token = await platform_of(request).documents.get(key)
        if token is None:
            raise NotFound(f"no Token {country_code}/{party_id}/{token_uid} of type {key.variant}")
        return ocpi_response(request, token)

    @put("/{country_code:str}/{party_id:str}/{token_uid:str}")
    async def put_token(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        token_uid: FromPath[str],
    ) -> Reply:
        token_type = _token_type(request)
        key = self._key(request, _partner(caller), country_code, party_id, token_uid, token_type)
        body = await json_body(request)
        require_valid(body, "Token")
        _require_match(
            body,
            {"country_code": country_code, "party_id": party_id, "uid": token_uid,
             "type": token_type},
        )  # fmt: skip
        created = await platform_of(request).documents.put(key, body)
        return ocpi_response(request, http_status=201 if created else 200)

    @patch("/{country_code:str}/{party_id:str}/{token_uid:str}")
    async def patch_token(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        token_uid: FromPath[str],
    ) -> Reply:
        token_type = _token_type(request)
        key = self._key(request, _partner(caller), country_code, party_id, token_uid, token_type)
        body = await json_body(request)
        require_valid(body, "TokenPatch")
        _require_match(
            body,
            {"country_code": country_code, "party_id": party_id, "uid": token_uid,
             "type": token_type},
        )  # fmt: skip
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            stored = await platform.documents.get(key, session)
            if stored is None:
                # DIGEST 8.20: 404 on PATCH of an unknown object, so the client falls back to PUT.
                raise NotFound(f"no Token {country_code}/{party_id}/{token_uid}: PUT it first")
            merged = {**stored, **body}
            require_valid(merged, "Token")
            await platform.documents.put(key, merged, session)
        return ocpi_response(request)


class HubClientInfoController(Controller):
    """§15.3.1: a Hub tells us which parties are connected (a configuration module)."""

    path = HUBCLIENTINFO_PATH
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @get("/{country_code:str}/{party_id:str}")
    async def get_client_info(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
    ) -> Reply:
        key = Key(CLIENT_INFO, _partner(caller).id, country_code, party_id, "")
        info = await platform_of(request).documents.get(key)
        if info is None:
            raise NotFound(f"no ClientInfo for {country_code}/{party_id}")
        return ocpi_response(request, info)

    @put("/{country_code:str}/{party_id:str}")
    async def put_client_info(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
    ) -> Reply:
        body = await json_body(request)
        require_valid(body, "ClientInfo")
        _require_match(body, {"country_code": country_code, "party_id": party_id})
        key = Key(CLIENT_INFO, _partner(caller).id, country_code, party_id, "")
        created = await platform_of(request).documents.put(key, body)
        return ocpi_response(request, http_status=201 if created else 200)


RECEIVERS = [TokensController, HubClientInfoController]
