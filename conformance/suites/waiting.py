"""Bounded waits: for what a target owes a while after it was asked (a callback at a
response_url, a push, an object served or changed). One loop for every suite: it looks, sleeps a
named interval, and gives up at its deadline, which never lies further than --max-wait
(`judge.config.max_wait`, the bound of every single wait) from where the wait began.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from conformance.session import Judge

#: Between two looks at what reached our counterpart (its recording, in memory).
POLL_SECONDS = 0.05
#: Between two reads of the target (each look is a request to it).
READ_POLL_SECONDS = 0.25

T = TypeVar("T")


def wait_until(
    look: Callable[[], T],
    seconds: float,
    judge: Judge,
    *,
    done: Callable[[T], bool] = bool,
    poll: float = POLL_SECONDS,
    start: float | None = None,
) -> T:
    """`look()` until `done` holds for what it returned (by default: until it is truthy), or
    until `seconds` after `start` (a time.monotonic(); default now), at most --max-wait, have
    passed: what it returned last. It looks at least once, and once more at the deadline."""
    began = time.monotonic() if start is None else start
    deadline = began + max(0.0, min(seconds, judge.config.max_wait))
    while True:
        seen = look()
        left = deadline - time.monotonic()
        if done(seen) or left <= 0:
            return seen
        time.sleep(min(poll, left))
