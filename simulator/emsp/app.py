"""`create_app(settings)`: the eMSP simulator, composed on the shared platform.

Versions at /ocpi/versions, credentials at /ocpi/2.2.1/credentials (the platform's, both ways),
functional modules under /ocpi/emsp/2.2.1/ (§2.3.1: Receiver of locations, sessions, cdrs,
tariffs and hubclientinfo; Sender of tokens, commands and chargingprofiles), the admin API
under /admin and /admin/emsp.
"""

from __future__ import annotations

import httpx
from litestar import Litestar

from simulator.emsp.admin import EmspAdminController
from simulator.emsp.receivers import RECEIVERS
from simulator.emsp.senders import SENDERS
from simulator.emsp.services import BASE, Emsp
from simulator.emsp.settings import EmspSettings
from simulator.platform.app import create_platform_app
from simulator.platform.clock import Clock
from simulator.platform.services import ModuleEndpoint, Platform

MODULES = [
    ModuleEndpoint("locations", "RECEIVER", f"{BASE}/locations"),
    ModuleEndpoint("sessions", "RECEIVER", f"{BASE}/sessions"),
    ModuleEndpoint("cdrs", "RECEIVER", f"{BASE}/cdrs"),
    ModuleEndpoint("tariffs", "RECEIVER", f"{BASE}/tariffs"),
    ModuleEndpoint("hubclientinfo", "RECEIVER", f"{BASE}/hubclientinfo"),
    ModuleEndpoint("tokens", "SENDER", f"{BASE}/tokens"),
    ModuleEndpoint("commands", "SENDER", f"{BASE}/commands"),
    ModuleEndpoint("chargingprofiles", "SENDER", f"{BASE}/chargingprofiles"),
]

__all__ = ["EmspSettings", "create_app", "emsp_of_app"]


def create_app(
    settings: EmspSettings | None = None,
    *,
    clock: Clock | None = None,
    http: httpx.AsyncClient | None = None,
) -> Litestar:
    """The eMSP simulator. The recorder wraps the whole app (every /ocpi/ exchange in; the
    platform's httpx client out); the faults sit inside it, so recordings show what partners
    actually got."""
    app = create_platform_app(
        settings or EmspSettings(),
        role="EMSP",
        title="Plugfest eMSP simulator (admin API)",
        modules=MODULES,
        route_handlers=[*RECEIVERS, *SENDERS],
        admin_handlers=[EmspAdminController],
        clock=clock,
        http=http,
    )
    platform: Platform = app.state.platform
    emsp = Emsp.build(platform)
    app.state.emsp = emsp
    app.asgi_handler = emsp.recorder.inbound(emsp.faults.wrap(app.asgi_handler))
    return app


def emsp_of_app(app: Litestar) -> Emsp:
    emsp: Emsp = app.state.emsp
    return emsp
