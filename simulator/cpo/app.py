"""`create_app(settings)`: the reference CPO."""

from __future__ import annotations

import httpx
from litestar import Litestar
from litestar.types import ControllerRouterHandler
from pydantic import Field

from simulator.cpo.admin import CpoAdminController, TokenRefreshController
from simulator.cpo.backend import BackendSettings, attach_backend
from simulator.cpo.backend_admin import BackendAdminController
from simulator.cpo.modules.chargingprofiles import ChargingProfilesController
from simulator.cpo.modules.commands import CommandsController
from simulator.cpo.receivers import RECEIVERS
from simulator.cpo.senders import SENDERS
from simulator.platform.app import create_platform_app
from simulator.platform.clock import Clock
from simulator.platform.services import ModuleEndpoint
from simulator.platform.settings import PartySettings

_BASE = "/ocpi/cpo/2.2.1"

#: The modules announced in our version details (§6.2); append new ones here.
MODULES: list[ModuleEndpoint] = [
    ModuleEndpoint("locations", "SENDER", f"{_BASE}/locations"),
    ModuleEndpoint("sessions", "SENDER", f"{_BASE}/sessions"),
    ModuleEndpoint("cdrs", "SENDER", f"{_BASE}/cdrs"),
    ModuleEndpoint("tariffs", "SENDER", f"{_BASE}/tariffs"),
    ModuleEndpoint("tokens", "RECEIVER", f"{_BASE}/tokens"),
    ModuleEndpoint("hubclientinfo", "RECEIVER", f"{_BASE}/hubclientinfo"),
    ModuleEndpoint("commands", "RECEIVER", f"{_BASE}/commands"),
    ModuleEndpoint("chargingprofiles", "RECEIVER", f"{_BASE}/chargingprofiles"),
]

#: The controllers serving them; append new ones here.
ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    *SENDERS,
    *RECEIVERS,
    CommandsController,
    ChargingProfilesController,
]
#: The CPO's own admin API, beside the platform's.
ADMIN_HANDLERS: list[ControllerRouterHandler] = [
    CpoAdminController,
    TokenRefreshController,
    BackendAdminController,
]


class CpoSettings(PartySettings):
    """The CPO's settings: the environment variables of `.env.example`, unprefixed."""

    # The simulated charging backend: background tick (0 = off), charge point answer delay,
    # the `timeout` announced in CommandResponse / ChargingProfileResponse (§13.3.2), and how
    # long a started session stays PENDING before the EV charges.
    backend_tick_seconds: float = Field(0.0, ge=0)
    backend_charge_point_delay_seconds: float = Field(0.5, ge=0)
    backend_command_timeout_seconds: int = Field(30, ge=1)
    backend_plug_in_seconds: float = Field(5.0, ge=0)


def create_app(
    settings: CpoSettings | None = None,
    *,
    clock: Clock | None = None,
    http: httpx.AsyncClient | None = None,
) -> Litestar:
    settings = settings or CpoSettings()
    app = create_platform_app(
        settings,
        role="CPO",
        title="Plugfest reference CPO (admin API)",
        modules=MODULES,
        route_handlers=ROUTE_HANDLERS,
        admin_handlers=ADMIN_HANDLERS,
        clock=clock,
        http=http,
    )
    attach_backend(
        app,
        BackendSettings(
            tick_seconds=settings.backend_tick_seconds,
            charge_point_delay_seconds=settings.backend_charge_point_delay_seconds,
            command_timeout_seconds=settings.backend_command_timeout_seconds,
            plug_in_seconds=settings.backend_plug_in_seconds,
        ),
    )
    return app
