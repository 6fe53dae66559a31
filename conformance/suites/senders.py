"""The target's Sender lists, read for every suite that needs them: a CPO's Locations, Sessions,
CDRs and Tariffs (§8.2.1, §9.2.1, §10.2.1, §11.2.1) and an eMSP's Tokens (§12.2.2).

`crawled` is the Senders suites' own read: crawled from offset 0 and judged page by page
(conformance/suites/pagination.py), once per run and date window. Any other suite reads the
lists through `listing` (the first read: that crawl when it was made, else a read without
verdicts) or `pagination.read`, so that a pagination deviation is found by the pagination
tests alone, never again inside the tests that only needed the objects.
"""

from __future__ import annotations

from typing import Any

from conformance.session import Judge
from conformance.suites.conftest import interface
from conformance.suites.pagination import Crawl, crawl, read

#: The party whose Sender serves each module's list.
OWNER = {"locations": "cpo", "sessions": "cpo", "cdrs": "cpo", "tariffs": "cpo", "tokens": "emsp"}
_CRAWLS: dict[tuple[str, str, str, str], Crawl] = {}  # judged: (token, module, from, to)
_READS: dict[tuple[str, str], Crawl] = {}  # not judged: (token, module)


def sender(judge: Judge, module: str) -> tuple[str, str]:
    """(url, token C) of the target's `module` Sender, or a skip that says why."""
    return interface(judge, module, "SENDER", OWNER[module])


def crawled(judge: Judge, module: str, date_from: str = "", date_to: str = "") -> Crawl:
    """The module's list (in a date window) crawled from offset 0 and judged, once per run and
    window: the Senders suites' read."""
    url, token = sender(judge, module)
    key = (token, module, date_from, date_to)
    if key not in _CRAWLS:
        params: dict[str, str | int] = {}
        if date_from:
            params["date_from"] = date_from
        if date_to:
            params["date_to"] = date_to
        first = "SES-011" if module == "sessions" and not date_from else "TRANS-025"
        _CRAWLS[key] = crawl(judge, url, module, token, params, first_rule=first)
    return _CRAWLS[key]


def everything(judge: Judge, module: str) -> list[Any]:
    return crawled(judge, module).objects


def listing(judge: Judge, module: str) -> Crawl:
    """The module's whole list as first read in the run: the Senders suite's crawl when it ran,
    else a read made now (once) that judges nothing. `Blocked` when the list is refused."""
    url, token = sender(judge, module)
    judged = _CRAWLS.get((token, module, "", ""))
    if judged is not None:
        return judged
    if (token, module) not in _READS:
        _READS[token, module] = read(judge, url, module, token)
    return _READS[token, module]


def token_key(token: Any) -> str:
    """A Token is named by (country_code, party_id, uid, type) (§12.3.2)."""
    if not isinstance(token, dict):
        return repr(token)
    return "/".join(str(token.get(k, "")).upper() for k in ("country_code", "party_id", "uid",
                                                              "type"))  # fmt: skip
