"""The simulated charging backend of the reference CPO (charge points, sessions, CDRs)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection

from simulator.cpo.backend.service import Backend, BackendSettings, ClockNotAdjustable, SwipeOutcome
from simulator.platform.services import Platform

__all__ = [
    "Backend",
    "BackendSettings",
    "ClockNotAdjustable",
    "SwipeOutcome",
    "attach_backend",
    "backend_of",
]


def attach_backend(app: Litestar, settings: BackendSettings) -> Backend:
    """Build the backend on the app's Platform, keep it on `app.state.backend`, and start and
    stop it with the app (its stop runs before the Platform closes)."""
    platform: Platform = app.state.platform
    backend = Backend(platform, settings)
    app.state.backend = backend
    app.on_startup.append(backend.start)
    app.on_shutdown.append(backend.stop)
    return backend


def backend_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Backend:
    backend: Backend = connection.app.state.backend
    return backend
