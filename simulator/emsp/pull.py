"""Pull a CPO's Sender interfaces (Locations, Sessions, CDRs, Tariffs) into the store.

Pages are followed by their `Link: <...>; rel="next"` header alone; the client never builds an
offset itself (§4.1.4.1, digest errata 9). Objects that break the YAML are findings and are not
stored; the others are, with the CPO's partner id as origin. A full pull (no `date_from`) is the
new truth (§4.1.4.1): what we held from that CPO but the list no longer contains is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.emsp.services import Emsp, PartnerCallError
from simulator.platform.documents import Key
from specs import contract

#: module -> (document kind, schema)
PULLABLE: dict[str, tuple[str, str]] = {
    "locations": ("location", "Location"),
    "sessions": ("session", "Session"),
    "cdrs": ("cdr", "CDR"),
    "tariffs": ("tariff", "Tariff"),
}
#: Sessions' table marks date_from required (digest errata 6): an eMSP client always sends it.
EPOCH = "1970-01-01T00:00:00Z"
MAX_PAGES = 100_000

Progress = Callable[[int, int | None], None]


@dataclass
class PullResult:
    module: str
    pages: int = 0
    received: int = 0
    stored: int = 0
    invalid: int = 0
    removed: int = 0
    total: int | None = None
    urls: list[str] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        return asdict(self)


async def pull(
    emsp: Emsp,
    partner_id: str,
    module: str,
    *,
    date_from: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> PullResult:
    """Every page of one module of one CPO; `progress(received, total)` after each page."""
    if module not in PULLABLE:
        raise ValueError(f"module must be one of {list(PULLABLE)}")
    kind, schema = PULLABLE[module]
    partner = await emsp.registered_partner(partner_id)
    url: str | None = emsp.endpoint(partner, module, "SENDER")
    params: dict[str, str | int] = {}
    if date_from or module == "sessions":
        params["date_from"] = date_from or EPOCH
    if limit is not None:
        params["limit"] = limit
    result = PullResult(module)
    seen: set[Key] = set()
    while url is not None:
        if result.pages >= MAX_PAGES or url in result.urls:
            raise PartnerCallError(f"pagination of {module} does not end (at {url})")
        result.urls.append(url)
        response = await emsp.call(partner, "GET", url, params=params or None)
        params = {}  # the next link carries the filters itself (§4.1.4.1)
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if (
            response.status_code != 200
            or not isinstance(envelope, dict)
            or envelope.get("status_code") != 1000
            or not isinstance(envelope.get("data"), list)
        ):
            status = envelope.get("status_code") if isinstance(envelope, dict) else None
            raise PartnerCallError(f"GET {url} answered HTTP {response.status_code}, OCPI {status}")
        result.pages += 1
        missing = [h for h in ("X-Total-Count", "X-Limit") if h not in response.headers]
        if missing:
            message = f"paginated answer without {', '.join(missing)}"
            emsp.outbound_finding(response, module, "4.1.4.1", message, [], partner.id)
        total = response.headers.get("X-Total-Count", "")
        result.total = int(total) if total.isdigit() else result.total
        async with emsp.platform.database.transaction() as session:
            for n, obj in enumerate(envelope["data"]):
                result.received += 1
                problems = contract.errors(obj, schema)
                if problems:
                    result.invalid += 1
                    message = f"invalid {schema} at index {n}"
                    emsp.outbound_finding(response, module, "4.1.4", message, problems, partner.id)
                    continue
                key = Key(kind, partner.id, obj["country_code"], obj["party_id"], obj["id"])
                seen.add(key)
                await emsp.platform.documents.put(key, obj, session)
                result.stored += 1
        if progress is not None:
            progress(result.received, result.total)
        link = response.links.get("next")
        url = link.get("url") if link else None
    if not date_from and module != "sessions":
        result.removed = await _forget_unseen(emsp, partner.id, kind, seen)
    return result


def _norm(key: Key) -> tuple[str, str, str]:
    return key.country_code.upper(), key.party_id.upper(), key.object_id.upper()


async def _forget_unseen(emsp: Emsp, partner_id: str, kind: str, seen: set[Key]) -> int:
    """§4.1.4.1: a full list replaces what we held from that partner."""
    documents, kept = emsp.platform.documents, {_norm(key) for key in seen}
    stale: list[Key] = []
    offset = 0
    while True:
        page = await documents.page(kind, [partner_id], offset=offset, limit=500)
        for obj in page.items:
            key = Key(kind, partner_id, obj["country_code"], obj["party_id"], obj["id"])
            if _norm(key) not in kept:
                stale.append(key)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    for key in stale:
        await documents.delete(key)
    return len(stale)
