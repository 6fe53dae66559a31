"""The one bounded wait (conformance/suites/waiting.py): it ends when what was waited for is
there, and never later than --max-wait after it began, whatever a suite asks for."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from conformance.suites.waiting import wait_until


@dataclass
class _Config:
    max_wait: float


@dataclass
class _Judge:
    config: _Config = field(default_factory=lambda: _Config(30.0))


def _judge(max_wait: float = 30.0) -> Any:
    return _Judge(_Config(max_wait))


def test_the_wait_ends_with_the_first_look_that_finds_it() -> None:
    looks = iter([[], [], ["found"]])
    began = time.monotonic()
    assert wait_until(lambda: next(looks), 10.0, _judge(), poll=0.01) == ["found"]
    assert time.monotonic() - began < 1.0


def test_the_wait_is_capped_by_max_wait_and_returns_the_last_look() -> None:
    count = 0

    def look() -> int:
        nonlocal count
        count += 1
        return 0

    began = time.monotonic()
    assert wait_until(look, 60.0, _judge(max_wait=0.2), poll=0.05) == 0
    assert 0.2 <= time.monotonic() - began < 0.6
    assert count >= 3  # looked again at the deadline


def test_done_says_when_a_look_is_what_was_waited_for() -> None:
    looks = iter([(1, ["different"]), (2, [])])
    seen = wait_until(lambda: next(looks), 5.0, _judge(), poll=0.01, done=lambda s: not s[1])
    assert seen == (2, [])


def test_the_bound_runs_from_the_start_given() -> None:
    began = time.monotonic()
    assert wait_until(lambda: None, 5.0, _judge(), start=began - 10.0) is None  # long past
    assert time.monotonic() - began < 0.1
