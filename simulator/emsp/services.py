"""What the eMSP's controllers share: the recorder, the faults, our identity, partner lookups,
contract checks that become findings, and outbound calls to a CPO's functional modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import httpx
from litestar import Request

from simulator.emsp.faults import Faults, parse_modes
from simulator.emsp.recorder import (
    FINDINGS_KEY,
    PARTNER_KEY,
    Recorder,
    current_partner,
    module_of,
)
from simulator.emsp.settings import EmspSettings
from simulator.platform.errors import InvalidParameters, NotFound, OcpiError
from simulator.platform.partner_client import Discovery, request_headers, routing_headers
from simulator.platform.services import Platform
from simulator.platform.tables import Partner
from simulator.platform.transport import Caller, platform_of
from specs import contract

BASE = "/ocpi/emsp/2.2.1"


class PartnerCallError(OcpiError):
    """3001 in HTTP 502 (admin API): the CPO could not be used for what the operator asked."""

    ocpi_status = 3001
    http_status = 502


class UnknownPartner(OcpiError):
    ocpi_status = 2000
    http_status = 404


@dataclass
class Emsp:
    """The eMSP's own services, beside the platform's (`app.state.emsp`)."""

    platform: Platform
    settings: EmspSettings
    recorder: Recorder
    faults: Faults

    @classmethod
    def build(cls, platform: Platform) -> Emsp:
        settings = cast(EmspSettings, platform.settings)
        recorder = Recorder(platform.clock)
        faults = Faults(
            platform.clock,
            parse_modes(settings.faults),
            settings.fault_slow_seconds,
            settings.fault_timeout_seconds,
        )
        recorder.install(platform.http)
        return cls(platform, settings, recorder, faults)

    @property
    def country_code(self) -> str:
        return self.settings.ocpi_country_code.upper()

    @property
    def party_id(self) -> str:
        return self.settings.ocpi_party_id.upper()

    # --- partners ------------------------------------------------------------------------------

    async def registered_partner(self, partner_id: str) -> Partner:
        partner = await self.platform.registration.partner(partner_id)
        if partner is None or partner.status != "registered" or partner.outbound_token is None:
            raise UnknownPartner(f"no registered partner {partner_id}")
        return partner

    @staticmethod
    def endpoint(partner: Partner, module: str, role: str) -> str:
        url = Discovery(partner.versions_url, partner.version or "", partner.endpoints).endpoint(
            module, role
        )
        if url is None:
            raise PartnerCallError(f"partner {partner.id} publishes no {module} {role} endpoint")
        return url  # as given (§6.2.2, VER-007): below it, `partner_client.under`

    async def call(
        self,
        partner: Partner,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, str | int] | None = None,
    ) -> httpx.Response:
        """One OCPI request to the partner with its token and routing headers; recorded."""
        assert partner.outbound_token is not None
        routing = routing_headers((self.country_code, self.party_id), partner.roles, "CPO")
        headers = {**request_headers(partner.outbound_token), **routing}
        marker = current_partner.set(partner.id)
        try:
            response = await self.platform.http.request(
                method, url, headers=headers, json=json, params=params
            )
        except httpx.HTTPError as exc:
            raise PartnerCallError(f"{method} {url} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            current_partner.reset(marker)
        if response.history:  # followed within the partner's origin (`partner_http`)
            first = response.history[0]
            message = (
                f"VER-007: {method} {first.request.url} answered only after a redirect "
                f"(HTTP {first.status_code}) to {response.request.url}; followed"
            )
            self.outbound_finding(response, module_of(url), "6.2.2", message, [], partner.id)
        return response

    def outbound_finding(
        self, response: httpx.Response, module: str, section: str, message: str,
        problems: list[str], partner_id: str,
    ) -> None:  # fmt: skip
        """A finding about a partner's answer, attached to the recorded exchange."""
        found = self.recorder.new_finding(module, section, message, problems, partner_id)
        url = str(response.request.url)
        for exchange in reversed(self.recorder.exchanges(module, direction="out")):
            if exchange.url == url and exchange.method == response.request.method:
                self.recorder.attach(exchange, [found])
                break


def emsp_of(request: Request[Any, Any, Any]) -> Emsp:
    emsp: Emsp = request.app.state.emsp
    return emsp


# --- receiving: who calls, and contract checks that become findings ---------------------------


def partner_of(request: Request[Any, Any, Any], caller: Caller) -> Partner:
    """The calling partner (authenticate_partner guarantees one); noted for the recorder."""
    assert caller.partner is not None
    request.scope["state"][PARTNER_KEY] = caller.partner.id
    return caller.partner


def finding(
    request: Request[Any, Any, Any],
    module: str,
    section: str,
    message: str,
    problems: list[str] | None = None,
) -> None:
    """Record a finding, attached to this request's exchange by the recorder."""
    emsp = emsp_of(request)
    partner_id = request.scope["state"].get(PARTNER_KEY)
    found = emsp.recorder.new_finding(module, section, message, problems, partner_id)
    request.scope["state"].setdefault(FINDINGS_KEY, []).append(found)


def refuse(
    request: Request[Any, Any, Any],
    module: str,
    section: str,
    message: str,
    problems: list[str] | None = None,
) -> InvalidParameters:
    """A finding, and the 2001 to raise (§5: in HTTP 200, the envelope)."""
    finding(request, module, section, message, problems)
    detail = f"{message}: {'; '.join(problems[:5])}" if problems else message
    return InvalidParameters(detail)


def validate(
    request: Request[Any, Any, Any], body: Any, schema: str, module: str, section: str
) -> dict[str, Any]:
    """The body if it conforms to the YAML schema `schema`, else 2001 and a finding."""
    problems = contract.errors(body, schema)
    if problems:
        raise refuse(request, module, section, f"invalid {schema}", problems)
    return cast(dict[str, Any], body)


def same(
    request: Request[Any, Any, Any],
    module: str,
    section: str,
    what: str,
    in_url: str,
    in_body: Any,
) -> None:
    """§4.1.5.1: a URL segment must equal the body's field (CiString: case-insensitively)."""
    if not isinstance(in_body, str) or in_url.upper() != in_body.upper():
        raise refuse(
            request, module, section, f"{what} in the URL ({in_url}) differs from the body's "
            f"({in_body})",
        )  # fmt: skip


def owned(caller: Caller, country_code: str, party_id: str) -> None:
    """§4.1.5.1: client-owned objects under one of the caller's roles, else 404."""
    partner = caller.partner
    assert partner is not None
    for role in partner.roles:
        if (
            str(role.get("country_code", "")).upper() == country_code.upper()
            and str(role.get("party_id", "")).upper() == party_id.upper()
        ):
            return
    raise NotFound(f"{country_code}/{party_id} is not one of your roles (§4.1.5.1)")


def platform_and_emsp(request: Request[Any, Any, Any]) -> tuple[Platform, Emsp]:
    return platform_of(request), emsp_of(request)
