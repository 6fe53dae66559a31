"""The token cache refreshed from an eMSP's Tokens Sender (§12.2.2, simulator/cpo/token_refresh.py).

The eMSP is a double behind the CPO's mock transport: it pages its Tokens by offset, filters by
`date_from`, and can fail a page, send an invalid Token or a Link that cannot be followed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from simulator.cpo.receivers import TOKEN
from simulator.cpo.token_refresh import RefreshFailed, refresh_tokens
from simulator.platform import audit
from simulator.platform.audit import RequestContext
from simulator.platform.documents import Key
from simulator.platform.tables import Partner, TokenPull
from simulator.platform.tokens_codec import encode_header
from tests.simulator.cpo.data_support import ADMIN, PARTNER_URL, Cpo, running_cpo

TOKENS_URL = f"{PARTNER_URL}/2.2.1/tokens"


def token(uid: str, updated: str = "2026-01-01T00:00:00Z", **changes: Any) -> dict[str, Any]:
    return {"country_code": "DE", "party_id": "EMS", "uid": uid, "type": "RFID",
            "contract_id": f"DE-EMS-C{uid}", "issuer": "Test eMSP", "valid": True,
            "whitelist": "ALLOWED", "last_updated": updated} | changes  # fmt: skip


@dataclass
class EmspTokens:
    """The eMSP's Tokens Sender: `limit` per page, Link by offset, X-Total-Count."""

    tokens: list[dict[str, Any]] = field(default_factory=list)
    limit: int = 2
    now: str = "2026-03-01T10:00:00Z"  # the eMSP's clock: each answer's timestamp
    failing_page: int | None = None  # answered HTTP 500
    down_at_page: int | None = None  # the eMSP is down from this page on: no answer at all
    link: str | None = None  # sent instead of the real next Link
    linkless: bool = False  # no Link header, however many Tokens are left
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        date_from = request.url.params.get("date_from")
        listed = [t for t in self.tokens if date_from is None or t["last_updated"] >= date_from]
        offset = int(request.url.params.get("offset", "0"))
        page = offset // self.limit + 1
        if self.down_at_page is not None and page >= self.down_at_page:
            raise httpx.ConnectError("connection refused", request=request)
        if self.failing_page is not None and page == self.failing_page:
            return httpx.Response(500, text="Internal Server Error")
        headers = {"X-Total-Count": str(len(listed)), "X-Limit": str(self.limit)}
        if offset + self.limit < len(listed) and not self.linkless:
            query = f"offset={offset + self.limit}&limit={self.limit}"
            query += f"&date_from={date_from}" if date_from else ""
            headers["Link"] = f'<{self.link or f"{TOKENS_URL}?{query}"}>; rel="next"'
        body = {"data": listed[offset : offset + self.limit], "status_code": 1000,
                "timestamp": self.now}  # fmt: skip
        return httpx.Response(200, json=body, headers=headers)


@pytest.fixture
async def emsp() -> EmspTokens:
    return EmspTokens()


@pytest.fixture
async def cpo(tmp_path: Path, database_url: str, emsp: EmspTokens) -> AsyncIterator[Cpo]:
    async with running_cpo(tmp_path, database_url, sends={"tokens": emsp}) as running:
        await running.register()
        yield running


async def _partner_id(cpo: Cpo) -> str:
    async with cpo.platform.database.transaction() as session:
        return str(await session.scalar(select(Partner.id)))


async def _cached(cpo: Cpo, partner_id: str) -> dict[str, dict[str, Any]]:
    page = await cpo.platform.documents.page(TOKEN, [partner_id], offset=0, limit=100)
    return {t["uid"]: t for t in page.items}


async def _refresh(cpo: Cpo, partner_id: str, **options: Any) -> Any:
    return await refresh_tokens(cpo.platform, partner_id, RequestContext(), **options)


async def test_a_full_pull_then_what_changed_since(cpo: Cpo, emsp: EmspTokens) -> None:
    partner_id = await _partner_id(cpo)
    emsp.tokens = [token(f"T{n}") for n in range(5)]
    seen: list[tuple[int, int | None]] = []

    first = await _refresh(cpo, partner_id, progress=lambda done, total: seen.append((done, total)))
    assert (first.full, first.date_from, first.pages, first.stored, first.invalid) == (
        True, None, 3, 5, 0)  # fmt: skip
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert first.complete_from == emsp.now  # the eMSP's clock, not ours
    assert sorted(await _cached(cpo, partner_id)) == ["T0", "T1", "T2", "T3", "T4"]
    # What the CPO sends: token C in Base64, request ids, routing headers (§4.1.2, §4.1.8.2).
    sent = emsp.requests[0].headers
    assert sent["Authorization"] == encode_header("partner-token-b")
    assert sent["X-Request-ID"]
    assert sent["X-Correlation-ID"]
    assert (sent["OCPI-to-country-code"], sent["OCPI-to-party-id"]) == ("DE", "EMS")
    assert "date_from" not in emsp.requests[0].url.params

    # T1 changed, T4 is no longer listed: the next pull asks only for what changed since.
    emsp.requests.clear()
    emsp.tokens = [token(f"T{n}") for n in range(4)]
    emsp.tokens[1] = token("T1", "2026-03-02T00:00:00Z", valid=False)
    emsp.now = "2026-03-02T09:00:00Z"
    second = await _refresh(cpo, partner_id)
    assert (second.full, second.date_from, second.pages, second.stored) == (
        False, "2026-03-01T10:00:00Z", 1, 1)  # fmt: skip
    assert emsp.requests[0].url.params["date_from"] == "2026-03-01T10:00:00Z"
    cached = await _cached(cpo, partner_id)
    assert cached["T1"]["valid"] is False
    assert "T4" in cached  # OCPI has no delete for Tokens: kept as pulled

    full = await _refresh(cpo, partner_id, full=True)
    assert (full.full, full.date_from, full.stored) == (True, None, 4)
    events = await cpo.platform.audit.recent(event=audit.TOKENS_REFRESHED)
    assert [e["detail"]["stored"] for e in events] == [4, 1, 5]


async def test_invalid_tokens_are_counted_and_never_stored(cpo: Cpo, emsp: EmspTokens) -> None:
    partner_id = await _partner_id(cpo)
    broken = token("BAD")
    del broken["contract_id"]
    emsp.tokens = [token("T0"), broken, token("OTHER", country_code="NL", party_id="XYZ")]
    result = await _refresh(cpo, partner_id)
    assert (result.received, result.stored, result.invalid) == (3, 1, 2)
    assert any("contract_id" in p for p in result.problems), result.problems
    assert any("NL/XYZ is not one of the eMSP's credentials roles" in p for p in result.problems)
    assert sorted(await _cached(cpo, partner_id)) == ["T0"]


async def test_a_failing_page_completes_nothing(cpo: Cpo, emsp: EmspTokens) -> None:
    """The pages before it stay applied, but the next pull starts from the last complete one."""
    partner_id = await _partner_id(cpo)
    emsp.tokens = [token(f"T{n}") for n in range(5)]
    await _refresh(cpo, partner_id)

    emsp.tokens = [token(f"N{n}", "2026-03-05T00:00:00Z") for n in range(5)]
    emsp.now, emsp.failing_page = "2026-03-06T00:00:00Z", 2
    with pytest.raises(RefreshFailed, match=r"page 2 \(.*\): HTTP 500"):
        await _refresh(cpo, partner_id)
    cached = await _cached(cpo, partner_id)
    assert {"N0", "N1"} <= cached.keys()
    assert "N2" not in cached
    async with cpo.platform.database.transaction() as session:
        pull = await session.scalar(select(TokenPull))
    assert pull is not None
    assert pull.complete_from == "2026-03-01T10:00:00Z"
    (failed,) = await cpo.platform.audit.recent(event=audit.TOKENS_REFRESH_FAILED)
    assert "HTTP 500" in failed["detail"]["error"]

    emsp.failing_page, emsp.requests = None, []
    again = await _refresh(cpo, partner_id)
    assert emsp.requests[0].url.params["date_from"] == "2026-03-01T10:00:00Z"
    assert again.stored == 5


async def test_an_emsp_down_mid_pull_loses_nothing(cpo: Cpo, emsp: EmspTokens) -> None:
    """The first pull dies at page 3 with no answer: pages 1 and 2 stay, nothing is complete,
    and the next pull, once the eMSP is back, is full again and completes."""
    partner_id = await _partner_id(cpo)
    emsp.tokens, emsp.down_at_page = [token(f"T{n}") for n in range(5)], 3
    with pytest.raises(RefreshFailed, match=r"page 3 \(.*\): no answer: ConnectError"):
        await _refresh(cpo, partner_id)
    assert sorted(await _cached(cpo, partner_id)) == ["T0", "T1", "T2", "T3"]

    emsp.down_at_page, emsp.requests = None, []
    again = await _refresh(cpo, partner_id)
    assert (again.full, again.stored) == (True, 5)
    assert "date_from" not in emsp.requests[0].url.params
    assert sorted(await _cached(cpo, partner_id)) == ["T0", "T1", "T2", "T3", "T4"]


@pytest.mark.parametrize(
    ("link", "error"),
    [
        ("https://elsewhere.example/tokens?offset=2", "leaves the eMSP"),
        (f"{TOKENS_URL}?offset=0&limit=2", "never ends"),
    ],
)
async def test_a_link_that_cannot_be_followed_fails(
    cpo: Cpo, emsp: EmspTokens, link: str, error: str
) -> None:
    partner_id = await _partner_id(cpo)
    emsp.tokens, emsp.link = [token(f"T{n}") for n in range(5)], link
    with pytest.raises(RefreshFailed, match=error):
        await _refresh(cpo, partner_id)


async def test_a_list_that_ends_before_its_total_fails(cpo: Cpo, emsp: EmspTokens) -> None:
    partner_id = await _partner_id(cpo)
    emsp.tokens = [token(f"T{n}") for n in range(5)]
    emsp.linkless = True
    with pytest.raises(RefreshFailed, match="no next Link after 2 of the 5 Tokens"):
        await _refresh(cpo, partner_id)


async def test_the_admin_endpoint(cpo: Cpo, emsp: EmspTokens) -> None:
    partner_id = await _partner_id(cpo)
    emsp.tokens = [token("T0")]
    url = f"/admin/partners/{partner_id}/tokens/refresh"
    assert (await cpo.client.post(url)).status_code == 401
    done = await cpo.client.post(url, params={"full": "true"}, headers=ADMIN)
    assert done.status_code == 200, done.text
    assert (done.json()["stored"], done.json()["full"]) == (1, True)
    assert await cpo.platform.documents.get(Key(TOKEN, partner_id, "DE", "EMS", "T0", "RFID"))

    emsp.failing_page = 1
    failed = await cpo.client.post(url, headers=ADMIN)
    assert failed.status_code == 502
    assert failed.json()["status_code"] == 3001
    assert "page 1" in failed.json()["status_message"]
    unknown = await cpo.client.post("/admin/partners/nobody/tokens/refresh", headers=ADMIN)
    assert unknown.status_code == 404
