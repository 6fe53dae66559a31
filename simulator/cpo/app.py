"""`create_app(settings)`: the reference CPO."""

from __future__ import annotations

import httpx
from litestar import Litestar

from simulator.platform.app import create_platform_app
from simulator.platform.clock import Clock
from simulator.platform.settings import PartySettings


class CpoSettings(PartySettings):
    """The CPO's settings: the environment variables of `.env.example`, unprefixed."""


def create_app(
    settings: CpoSettings | None = None,
    *,
    clock: Clock | None = None,
    http: httpx.AsyncClient | None = None,
) -> Litestar:
    return create_platform_app(
        settings or CpoSettings(),
        role="CPO",
        title="Plugfest reference CPO (admin API)",
        clock=clock,
        http=http,
    )
