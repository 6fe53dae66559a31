"""The app factory shared by the CPO and the eMSP simulator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from simulator.platform import observability
from simulator.platform.admin import SECURITY_SCHEME, AdminController
from simulator.platform.clock import Clock
from simulator.platform.migrate import upgrade_async
from simulator.platform.routes import CredentialsController, VersionsController
from simulator.platform.services import ModuleEndpoint, Platform
from simulator.platform.settings import PartySettings
from simulator.platform.transport import error_handler, request_ids


def create_platform_app(
    settings: PartySettings,
    *,
    role: str,
    title: str,
    modules: Sequence[ModuleEndpoint] = (),
    route_handlers: Sequence[ControllerRouterHandler] = (),
    clock: Clock | None = None,
    http: httpx.AsyncClient | None = None,
    migrate: bool = True,
) -> Litestar:
    """A Litestar app serving versions, credentials, the given module routes, the admin API and
    the operations endpoints (/health, /metrics). Only the admin API and the operations endpoints
    appear in the OpenAPI page at /schema; the OCPI routes are described by specs/ instead."""
    settings = settings.with_generated_secrets()
    platform = Platform.build(settings, role, list(modules), clock=clock, http=http)

    async def start(app: Litestar) -> None:
        if migrate:
            await upgrade_async(settings.effective_database_url)

    async def stop(app: Litestar) -> None:
        await platform.close()

    def configure(config: AppConfig) -> AppConfig:
        config.state.update({"platform": platform})
        return config

    app_kwargs: dict[str, Any] = {
        "route_handlers": [
            VersionsController,
            CredentialsController,
            *route_handlers,
            AdminController,
            *observability.ROUTES,
        ],
        "exception_handlers": {Exception: error_handler},
        "middleware": [request_ids],
        "on_startup": [start],
        "on_shutdown": [stop],
        "on_app_init": [configure],
        "request_max_body_size": settings.request_max_body_size,
        "openapi_config": OpenAPIConfig(
            title=title,
            version="2.2.1",
            path="/schema",
            components=Components(
                security_schemes={
                    SECURITY_SCHEME: SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="Authorization: Bearer <ADMIN_TOKEN>",
                    )
                }
            ),
        ),
    }
    return Litestar(**app_kwargs)
