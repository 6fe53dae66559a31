"""The platform's services, built once per app from settings: what controllers call into."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from simulator.platform.audit import AuditLog
from simulator.platform.bootstrap import BootstrapTokens
from simulator.platform.clock import Clock, SystemClock
from simulator.platform.database import Database
from simulator.platform.documents import Documents
from simulator.platform.outbox import Outbox
from simulator.platform.partner_client import partner_http
from simulator.platform.registration import OwnIdentity, Registration
from simulator.platform.settings import PartySettings


@dataclass(frozen=True)
class ModuleEndpoint:
    """One entry of our version details (§6.2.2): module, interface role, path below the base."""

    identifier: str
    role: str
    path: str


@dataclass
class Platform:
    settings: PartySettings
    clock: Clock
    database: Database
    http: httpx.AsyncClient
    audit: AuditLog
    bootstrap: BootstrapTokens
    registration: Registration
    documents: Documents
    outbox: Outbox
    modules: list[ModuleEndpoint] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: PartySettings,
        role: str,
        modules: list[ModuleEndpoint],
        clock: Clock | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> Platform:
        clock = clock or SystemClock()
        database = Database(settings.effective_database_url)
        http = http or partner_http(settings.http_timeout_seconds)
        log = AuditLog(database, clock)
        secret = settings.hmac_secret()
        bootstrap = BootstrapTokens(database, clock, secret, log)
        identity = OwnIdentity(
            versions_url=settings.versions_url,
            role=role,
            country_code=settings.ocpi_country_code.upper(),
            party_id=settings.ocpi_party_id.upper(),
            business_name=settings.ocpi_business_name,
            business_website=settings.ocpi_business_website,
        )
        registration = Registration(
            database, clock, secret, identity, bootstrap, log, http,
            settings.ocpi_required_partner_modules, settings,
        )  # fmt: skip
        documents = Documents(database)
        return cls(
            settings, clock, database, http, log, bootstrap, registration, documents,
            Outbox(clock), modules,
        )  # fmt: skip

    def url(self, path: str) -> str:
        return f"{self.settings.ocpi_base_url.rstrip('/')}{path}"

    async def close(self) -> None:
        await self.http.aclose()
        await self.database.dispose()
