"""The app factory shared by the CPO and the eMSP simulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx
from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from simulator.platform import observability
from simulator.platform.admin import SECURITY_SCHEME, AdminController
from simulator.platform.clock import Clock
from simulator.platform.migrate import upgrade_async
from simulator.platform.outbox import DeliveryPolicy, OutboxWorker, full_object
from simulator.platform.routes import CredentialsController, VersionsController
from simulator.platform.services import ModuleEndpoint, Platform
from simulator.platform.settings import PartySettings
from simulator.platform.transport import error_handler, request_ids

logger = logging.getLogger(__name__)

# How long shutdown waits for a delivery round in flight before cancelling it (a cancelled
# round's events are sent again once their lease ends).
WORKER_STOP_GRACE_SECONDS = 5.0


def create_platform_app(
    settings: PartySettings,
    *,
    role: str,
    title: str,
    modules: Sequence[ModuleEndpoint] = (),
    route_handlers: Sequence[ControllerRouterHandler] = (),
    admin_handlers: Sequence[ControllerRouterHandler] = (),
    clock: Clock | None = None,
    http: httpx.AsyncClient | None = None,
    migrate: bool = True,
) -> Litestar:
    """A Litestar app serving versions, credentials, the given module routes, the admin API and
    the operations endpoints (/health, /metrics). Only the admin API and the operations endpoints
    appear in the OpenAPI page at /schema; the OCPI routes are described by specs/ instead."""
    settings = settings.with_generated_secrets()
    platform = Platform.build(settings, role, list(modules), clock=clock, http=http)
    policy = DeliveryPolicy.from_settings(settings)
    workers: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    async def start(app: Litestar) -> None:
        if migrate:
            await upgrade_async(settings.effective_database_url)
        if settings.outbox_worker_enabled:
            stopping = asyncio.Event()
            worker = OutboxWorker(
                platform.database, platform.clock, platform.http, policy,
                resync=full_object(platform.database),
            )  # fmt: skip
            task = asyncio.create_task(worker.run_forever(stopping), name="outbox-worker")
            workers.append((stopping, task))

    async def stop(app: Litestar) -> None:
        while workers:
            stopping, task = workers.pop()
            stopping.set()
            try:
                await asyncio.wait_for(task, WORKER_STOP_GRACE_SECONDS)
            except TimeoutError:
                logger.warning("outbox worker cancelled at shutdown; leased events resend later")
            except Exception:
                logger.exception("outbox worker failed")
        await platform.close()

    def configure(config: AppConfig) -> AppConfig:
        config.state.update({"platform": platform})
        return config

    app_kwargs: dict[str, Any] = {
        "route_handlers": [
            # OCPI routes stay out of Litestar's schema page: their contract is specs/ocpi-2.2.1.
            Router(
                path="/",
                route_handlers=[VersionsController, CredentialsController, *route_handlers],
                include_in_schema=False,
            ),
            AdminController,
            *admin_handlers,
            *observability.ROUTES,
        ],
        "exception_handlers": {Exception: error_handler},
        "on_startup": [start],
        "on_shutdown": [stop],
        "on_app_init": [configure],
        "request_max_body_size": settings.request_max_body_size,
        "openapi_config": OpenAPIConfig(
            title=title,
            version="2.2.1",
            path="/schema",
            use_handler_docstrings=True,  # the admin reference (docs/) is generated from it
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
    app = Litestar(**app_kwargs)
    # Around everything, the router's own refusals (404, 405) included: Litestar middleware
    # runs only once a route matched.
    app.asgi_handler = request_ids(app.asgi_handler)
    return app
