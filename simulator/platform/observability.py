"""Operations endpoints, outside OCPI: `GET /health` and `GET /metrics` (no authentication).

The Prometheus counters are derived from the audit table (`AuditLog.counts`) and the outbox gauges
from the outbox table at scrape time, not kept in process memory, so they agree across workers
and survive restarts. Neither route is an
OCPI module: they are not listed in the version details (§6.2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from litestar import Request, Response, get
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry
from prometheus_client.samples import Sample

from simulator.platform import audit
from simulator.platform.outbox import OutboxCounts, outbox_state
from simulator.platform.transport import platform_of

Counts = dict[tuple[str, str | None], int]

HEALTH_PATH = "/health"
METRICS_PATH = "/metrics"
# The text exposition format 0.0.4; Litestar appends "; charset=utf-8" to text media types.
METRICS_MEDIA_TYPE = "text/plain; version=0.0.4"


def _counter(
    name: str, documentation: str, samples: Iterable[tuple[dict[str, str], int]]
) -> Metric:
    """A counter family whose samples may carry different label sets (success has no reason)."""
    family = CounterMetricFamily(name, documentation)
    for labels, value in samples:
        family.samples.append(Sample(f"{name}_total", labels, float(value)))
    return family


def _by_reason(counts: Counts, *events: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (event, reason), count in counts.items():
        if event in events:
            totals[reason or "unknown"] += count
    return dict(sorted(totals.items()))


class AuditCollector(Collector):
    """A snapshot of audit counts rendered as the `plugfest_*` counters."""

    def __init__(self, counts: Counts) -> None:
        self._counts = counts

    def _total(self, event: str) -> int:
        return sum(count for (name, _), count in self._counts.items() if name == event)

    def collect(self) -> Iterator[Metric]:
        yield _counter(
            "plugfest_bootstrap_tokens_created",
            "Bootstrap tokens (CREDENTIALS_TOKEN_A) minted.",
            [({}, self._total(audit.TOKEN_CREATED))],
        )
        # A live TOKEN_A used on a functional module is an auth failure, not a redemption.
        failures = {
            reason: n
            for reason, n in _by_reason(
                self._counts, audit.TOKEN_REJECTED, audit.TOKEN_RELEASED
            ).items()
            if reason != "bootstrap_scope"
        }
        yield _counter(
            "plugfest_bootstrap_redemptions",
            "Bootstrap token redemptions by outcome (failures by reason, releases included).",
            [({"outcome": "success"}, self._total(audit.TOKEN_REDEEMED))]
            + [({"outcome": "failure", "reason": r}, n) for r, n in failures.items()],
        )
        yield _counter(
            "plugfest_auth_failures",
            "Requests refused with HTTP 401, by reason.",
            [
                ({"reason": r}, n)
                for r, n in _by_reason(
                    self._counts, audit.AUTH_REJECTED, audit.TOKEN_REJECTED
                ).items()
            ],
        )
        yield _counter(
            "plugfest_registrations",
            "Partners registered (credentials handshake completed, §7.1).",
            [({}, self._total(audit.PARTNER_REGISTERED))],
        )


class OutboxCollector(Collector):
    """A snapshot of the outbox rendered as the `plugfest_outbox_*` gauges."""

    def __init__(self, counts: OutboxCounts) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        events = GaugeMetricFamily(
            "plugfest_outbox_events",
            "Outbox events by state: pending (not attempted yet), failing (undelivered after a "
            "failed attempt), delivered.",
            labels=["state"],
        )
        for state in ("pending", "failing", "delivered"):
            events.add_metric([state], float(getattr(self._counts, state)))
        yield events
        yield GaugeMetricFamily(
            "plugfest_outbox_oldest_pending_seconds",
            "Age of the oldest undelivered (pending or failing) outbox event; 0 when none.",
            value=self._counts.oldest_undelivered_seconds,
        )


def render_metrics(counts: Counts, outbox: OutboxCounts | None = None) -> bytes:
    """The Prometheus text exposition (format 0.0.4) of the audit counts and outbox state."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AuditCollector(counts))
    registry.register(OutboxCollector(outbox or OutboxCounts()))
    return generate_latest(registry)


@get(HEALTH_PATH, tags=["operations"])
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """Liveness and database reachability: 200 when the database answers, 503 otherwise."""
    if await platform_of(request).database.ping():
        return Response({"status": "ok", "database": "ok"}, status_code=200)
    return Response({"status": "degraded", "database": "unreachable"}, status_code=503)


@get(METRICS_PATH, tags=["operations"])
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus counters derived from the audit trail, gauges from the outbox."""
    platform = platform_of(request)
    counts = await platform.audit.counts()
    outbox = await outbox_state(platform.database, platform.clock.now())
    return Response(render_metrics(counts, outbox.total), media_type=METRICS_MEDIA_TYPE)


ROUTES = [health, metrics]
