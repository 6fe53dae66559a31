"""The crawler's link checks and the limit=0 probe (conformance/suites/pagination.py), over
synthetic replies: each deviation named under its rule, with the link as evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.suites.pagination import _check_link, check_zero_limit, crawl, read
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

LIST = "https://t/ocpi/cpo/2.2.1/locations"


def reply(url: str, data: Any, link: str | None = None, status: int = 200) -> Reply:
    body = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z", "data": data}
    headers = {"x-total-count": "5", "x-limit": "100"}
    if link is not None:
        headers["link"] = f'<{link}>; rel="next"'
    exchange = Exchange(1, "GET", url, {}, None, status, headers, json.dumps(body))
    return Reply(exchange, body)


@dataclass
class _Client:
    answers: list[Reply]
    sent: list[dict[str, Any]] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        self.sent.append({"method": method, "url": url, **kwargs})
        return self.answers.pop(0)


@dataclass
class _Judge:
    client: _Client
    ledger: Ledger = field(default_factory=lambda: Ledger(default_catalogue(), strict=True))


def judge(*answers: Reply) -> Any:
    return _Judge(_Client(list(answers)))


def test_a_date_filter_whose_plus_is_not_encoded_is_no_filter_kept() -> None:
    """`+00:00` written raw reads back (form decoding) with a space: TRANS-031, not followed."""
    sent: dict[str, str | int] = {"date_from": "2026-01-01T00:00:00Z", "limit": 2}
    link = f"{LIST}?date_from=2026-01-01T00:00:00+00:00&offset=2&limit=2"
    judged = judge()
    why = _check_link(judged, reply(LIST, [{}, {}]), link, sent, 100, 2)
    assert why is not None
    assert "unencoded '+'" in why
    [violation] = judged.ledger.failing(None)
    assert violation.rule.id == "TRANS-031"
    assert "reads back as '2026-01-01T00:00:00 00:00'" in violation.actual
    assert link in violation.actual


def test_a_date_filter_with_its_plus_encoded_is_followed() -> None:
    sent: dict[str, str | int] = {"date_from": "2026-01-01T00:00:00Z", "limit": 2}
    link = f"{LIST}?date_from=2026-01-01T00:00:00%2B00:00&offset=2&limit=2"
    judged = judge()
    assert _check_link(judged, reply(LIST, [{}, {}]), link, sent, 100, 2) is None
    assert judged.ledger.failing(None) == []


def test_a_link_that_loses_the_offset_says_so() -> None:
    judged = judge()
    why = _check_link(judged, reply(LIST, [{}, {}]), f"{LIST}?limit=2", {"limit": 2}, 100, 2)
    assert why == "loses the offset"
    assert [v.rule.id for v in judged.ledger.failing(None)] == ["TRANS-031"]


def test_limit_zero_answered_with_a_link_back_to_itself_is_a_loop() -> None:
    looping = reply(f"{LIST}?limit=0", [], link=f"{LIST}?offset=0&limit=0")
    judged = judge(looping)
    check_zero_limit(judged, LIST, "locations", "token-c")
    assert judged.client.sent[0]["params"] == {"limit": 0}
    [violation] = judged.ledger.failing(None)
    assert violation.rule.id == "TRANS-030"
    assert violation.exchange is looping.exchange
    assert "asks for it again (offset 0, limit 0)" in violation.actual
    assert judged.client.answers == []  # the looping link is not followed


def test_limit_zero_with_a_link_that_makes_progress_is_no_loop() -> None:
    judged = judge(reply(f"{LIST}?limit=0", [], link=f"{LIST}?offset=0&limit=10"))
    check_zero_limit(judged, LIST, "locations", "token-c")
    assert judged.ledger.failing(None) == []


def test_limit_zero_with_an_empty_page_and_no_link_passes() -> None:
    judged = judge(reply(f"{LIST}?limit=0", []))
    check_zero_limit(judged, LIST, "locations", "token-c")
    assert judged.ledger.evidence()["TRANS-030"].passes == 1
    assert judged.ledger.failing(None) == []


def test_limit_zero_read_as_no_limit_may_link_forward() -> None:
    judged = judge(reply(f"{LIST}?limit=0", [{}, {}], link=f"{LIST}?offset=2&limit=2"))
    check_zero_limit(judged, LIST, "locations", "token-c")
    assert "TRANS-030" not in judged.ledger.evidence()  # no loop was there to be seen


def test_limit_zero_refused_is_no_verdict() -> None:
    refused = reply(f"{LIST}?limit=0", None)
    refused.body["status_code"] = 2001
    judged = judge(refused)
    check_zero_limit(judged, LIST, "locations", "token-c")
    evidence = judged.ledger.evidence()["TRANS-030"]
    assert evidence.passes == 0
    assert evidence.violation_count == 0
    assert evidence.skipped


# --- a re-read: the same crawl, no verdict ------------------------------------------------------


@dataclass
class _ReadingJudge(_Judge):
    catalogue: Any = field(default_factory=default_catalogue)


def _pages() -> list[Reply]:
    """Five objects on two pages; the first page's next link loses the offset (TRANS-031)."""
    lossy = f"{LIST}?limit=2"
    return [reply(LIST, [{"id": "1"}, {"id": "2"}], link=lossy),
            reply(f"{LIST}?offset=2", [{"id": "3"}, {"id": "4"}, {"id": "5"}])]  # fmt: skip


def test_a_read_follows_the_same_fallbacks_and_records_nothing() -> None:
    judged = _ReadingJudge(_Client(_pages()))
    result = read(judged, LIST, "locations", "token-c")  # type: ignore[arg-type]
    assert [o["id"] for o in result.objects] == ["1", "2", "3", "4", "5"]
    assert judged.client.sent[1]["params"] == {"offset": 2}  # the lossy link replaced
    assert len(judged.client.sent) == 2  # X-Total-Count 5 read: no GET at offset 5
    assert judged.ledger.evidence() == {}


def test_the_same_crawl_judged_records_the_deviation() -> None:
    judged = _ReadingJudge(_Client([*_pages(), reply(f"{LIST}?offset=5", [])]))
    result = crawl(judged, LIST, "locations", "token-c")  # type: ignore[arg-type]
    assert len(result.objects) == 5
    assert "TRANS-031" in {v.rule.id for v in judged.ledger.failing(None)}
    assert judged.ledger.evidence()["TRANS-030"].readings
