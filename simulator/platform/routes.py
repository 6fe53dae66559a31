"""Configuration modules every party serves: versions (§6) and credentials (§7)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency, Provide

from simulator.platform.errors import InvalidParameters, MethodNotAllowed, Unauthorized
from simulator.platform.planted import planted
from simulator.platform.transport import (
    Caller,
    authenticate,
    context_of,
    json_body,
    ocpi_response,
    platform_of,
)

VERSION = "2.2.1"
VERSIONS_PATH = "/ocpi/versions"
DETAILS_PATH = f"/ocpi/{VERSION}"
CREDENTIALS_PATH = f"/ocpi/{VERSION}/credentials"

Reply = Response[dict[str, Any]]


class VersionsController(Controller):
    """§6.1, §6.2: open to registered partners and to holders of a live TOKEN_A."""

    dependencies = {"caller": Provide(authenticate)}  # noqa: RUF012

    @get(VERSIONS_PATH)
    async def versions(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        platform = platform_of(request)
        versions = [{"version": VERSION, "url": platform.url(DETAILS_PATH)}]
        if planted(platform, "versions_single_object"):
            return ocpi_response(request, versions[0])
        return ocpi_response(request, versions)

    @get(DETAILS_PATH)
    async def details(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        platform = platform_of(request)
        url = (lambda path: path) if planted(platform, "relative_endpoint_urls") else platform.url
        endpoints = [
            {"identifier": "credentials", "role": "SENDER", "url": url(CREDENTIALS_PATH)}
        ] + [
            {"identifier": m.identifier, "role": m.role, "url": url(m.path)}
            for m in platform.modules
        ]
        if planted(platform, "details_without_credentials"):
            endpoints = endpoints[1:]
        if planted(platform, "details_roles_swapped"):
            swap = {"SENDER": "RECEIVER", "RECEIVER": "SENDER"}
            endpoints = [{**e, "role": swap[e["role"]]} if e["identifier"] != "credentials"
                         else e for e in endpoints]  # fmt: skip
        version = "2.2" if planted(platform, "details_wrong_version") else VERSION
        return ocpi_response(request, {"version": version, "endpoints": endpoints})


#: §7.2: the methods of the credentials module open to TOKEN_A, and to a registered partner.
BOOTSTRAP = ("POST",)
REGISTERED = ("GET", "PUT", "DELETE")


class CredentialsController(Controller):
    """§7.2. TOKEN_A may only POST; a registered partner may GET, PUT and DELETE (else 405)."""

    path = CREDENTIALS_PATH
    dependencies = {"caller": Provide(authenticate)}  # noqa: RUF012

    @get()
    async def read(self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]) -> Reply:
        # Token C is stored hashed, so GET returns the token the partner authenticated with:
        # exactly the token "to access the server's platform" (§7.2.1, errata 8.4).
        if caller.kind != "partner":
            raise MethodNotAllowed("not registered: POST credentials with TOKEN_A first", BOOTSTRAP)
        platform = platform_of(request)
        return ocpi_response(request, platform.registration.identity.credentials(caller.token))

    @post(status_code=200)
    async def register(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        platform = platform_of(request)
        if caller.bootstrap is None and not planted(platform, "second_post_crashes"):
            raise MethodNotAllowed(
                "already registered: use PUT to update, DELETE to unregister", REGISTERED
            )
        body = await json_body(request)
        assert caller.bootstrap is not None, "registered partners never get here"
        if planted(platform, "optional_fields_required") and not all(
            isinstance(r, dict) and "logo" in (r.get("business_details") or {})
            for r in (body.get("roles") or [] if isinstance(body, dict) else [])
        ):
            raise InvalidParameters("roles[].business_details.logo is required")
        answer = await platform.registration.register(caller.bootstrap, body, context_of(request))
        if planted(platform, "duplicate_credentials_roles"):
            answer["roles"] = answer["roles"] * 2
        return ocpi_response(request, answer)

    @put()
    async def update(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        if caller.partner is None and planted(platform_of(request), "put_before_registration_401"):
            raise Unauthorized("not registered", "bootstrap_scope")
        if caller.partner is None:
            raise MethodNotAllowed("not registered: POST credentials with TOKEN_A first", BOOTSTRAP)
        body = await json_body(request)
        registration = platform_of(request).registration
        answer = await registration.update(caller.partner, body, context_of(request))
        return ocpi_response(request, answer)

    @delete(status_code=200)
    async def unregister(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        if caller.partner is None and planted(platform_of(request), "put_before_registration_401"):
            raise Unauthorized("not registered", "bootstrap_scope")
        if caller.partner is None:
            raise MethodNotAllowed("not registered", BOOTSTRAP)
        await platform_of(request).registration.unregister(caller.partner, context_of(request))
        return ocpi_response(request)
