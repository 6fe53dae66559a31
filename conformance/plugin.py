"""The Plugfest pytest plugin (entry point `pytest11: plugfest`).

Inert unless `--ocpi-versions-url` is given. It registers the options, resolves every
`@pytest.mark.rule(ID)` against the rule catalogue (an unknown ID fails collection), gives the
suites a `judge` fixture, keeps per-test evidence, and writes the run's results and reports.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import conformance.profiles  # noqa: F401 - registers the Hypothesis profiles before use
from conformance.config import (
    JudgeConfig,
    add_options,
    judged_values,
    resolve_token,
)
from conformance.verdicts import Blocked, Violations
from specs.catalogue import default_catalogue

#: The order of a judging run, and what each phase leaves for the next: discovery, then the
#: registration every later suite works with; against a CPO, the commands and charging profiles
#: that make a Session and a CDR to page through; the modules; what the target pushed meanwhile;
#: fuzzing; last the suites that change or end the registration (rotation, unregistering).
PHASES = ("discovery", "registration", "charging", "modules", "pushes", "fuzzing",
          "credentials_changes")  # fmt: skip

_JUDGE_KEY = pytest.StashKey["Any"]()
_STARTED_KEY = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "rule(*ids): the catalogue rule(s) a test checks (specs/rules/*.yaml)"
    )
    config.addinivalue_line(
        "markers", "phase(name): when a suite runs in a judging run (plugin.PHASES, in order)"
    )
    config.addinivalue_line("markers", "needs_mint: the test needs --ocpi-mint-token-command")
    config.addinivalue_line("markers", "needs_act: the test needs --ocpi-act-command")
    config.stash[_STARTED_KEY] = time.time()
    if config.getoption("--ocpi-versions-url", default=None):
        _check_files(config)
        config.pluginmanager.register(_ReportCollector(config), "plugfest-reports")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Every judging run has a seed, recorded in results.json (--replay repeats it): a random one
    when none is given, set before Hypothesis's plugin reads it."""
    if config.getoption("--ocpi-versions-url", default=None) and (
        config.getoption("--hypothesis-seed", default=None) is None
    ):
        config.option.hypothesis_seed = str(secrets.randbelow(2**32))


def _check_files(config: pytest.Config) -> None:
    from conformance.preflight import unusable_files

    waivers = config.getoption("--ocpi-waivers", default=None)
    baseline = config.getoption("--ocpi-baseline", default=None)
    problem = unusable_files(
        waivers and Path(waivers), baseline and Path(baseline), config.getoption("--ocpi-role")
    )
    if problem:
        raise pytest.UsageError(problem)


def judge_config(config: pytest.Config) -> JudgeConfig | None:
    """The run's JudgeConfig from the `--ocpi-*` options (config.OPTIONS), None without a target."""
    if not config.getoption("--ocpi-versions-url"):
        return None
    values = judged_values(config)
    values["token"] = resolve_token(values["token"], values["token_env"])
    if values["role"] is None or values["token"] is None:
        raise pytest.UsageError(
            "--ocpi-versions-url needs --ocpi-role and --ocpi-token (or --ocpi-token-env)"
        )
    run_id = config.getoption("--ocpi-run-id") or (
        datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{values['role']}-{uuid.uuid4().hex[:6]}"
    )
    return JudgeConfig(**values, run_id=run_id, party=("NL", "PFJ"))


def _phase(item: pytest.Item) -> int:
    marker = item.get_closest_marker("phase")
    if marker is None or not marker.args or marker.args[0] not in PHASES:
        raise pytest.UsageError(f"{item.nodeid}: a suite declares its phase, one of {PHASES}")
    return PHASES.index(marker.args[0])


def rule_ids(item: pytest.Item) -> list[str]:
    return [str(rule) for marker in item.iter_markers("rule") for rule in marker.args]


#: Tests the others go on (`suites/conftest.registered`): kept under `--ocpi-only`.
PREREQUISITES = frozenset({"test_register_with_token_a"})


def _name(item: pytest.Item) -> str:
    return str(getattr(item, "originalname", item.name))


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Unknown rule IDs fail collection; `--ocpi-only` keeps one module's or rule's tests (or
    one test, by its function name), and the registration they go on."""
    catalogue = default_catalogue()
    unknown = sorted(
        {(item.nodeid, r) for item in items for r in rule_ids(item) if r not in catalogue}
    )
    if unknown:
        lines = "\n".join(f"  {nodeid}: {rule}" for nodeid, rule in unknown)
        raise pytest.UsageError(f"tests name rules the catalogue does not have:\n{lines}")
    if config.getoption("--ocpi-versions-url", default=None):
        items.sort(key=_phase)  # stable: collection order within a phase
    only = [o.upper() for o in config.getoption("--ocpi-only", default=[])]
    if not only:
        return
    prefixes = catalogue.prefixes()
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        ids = rule_ids(item)
        modules = {prefixes.get(r.rsplit("-", 1)[0], "") for r in ids}
        name = _name(item).upper()
        wanted = any(o in ids or o.lower() in modules or o in {r.split("-")[0] for r in ids}
                     or o == name for o in only)  # fmt: skip
        (keep if wanted else drop).append(item)
    # The registration the kept tests go on is run too, whatever was asked: without it they
    # would all be blocked.
    needed = [item for item in drop if _name(item) in PREREQUISITES]
    if keep and needed and any(_name(item) not in PREREQUISITES for item in keep):
        kept = {id(item) for item in keep + needed}
        keep = [item for item in items if id(item) in kept]
        drop = [item for item in drop if id(item) not in kept]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def judge(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The run's Judge; skips the suites when no target was given."""
    from conformance.session import Judge

    config = judge_config(request.config)
    if config is None:
        pytest.skip("no target: pass --ocpi-versions-url, --ocpi-role and --ocpi-token")
    instance = Judge(config)
    seed = request.config.getoption("--hypothesis-seed", default=None)
    instance.seed = None if seed is None else str(seed)
    profile = request.config.getoption("--hypothesis-profile", default=None)
    instance.options = {**config.recorded(), "hypothesis_profile": profile}
    request.config.stash[_JUDGE_KEY] = instance
    try:
        yield instance
    finally:
        instance.close()


_EXCHANGES_KEY = pytest.StashKey[list[int]]()
_REPORTS_KEY = pytest.StashKey[list[pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Checks record and let the test go on; the test fails at its end if it recorded a
    failing violation (verdicts.py). A test that was blocked after recording violations fails
    with them (the block is kept as their cause and reported too)."""
    judge = item.config.stash.get(_JUDGE_KEY, None)
    if judge is None:
        return (yield)
    judge.ledger.current_test = item.nodeid
    before = {exchange.id for exchange in judge.recorder.all()}
    try:
        outcome = yield
    except Blocked as blocked:
        failing = judge.ledger.failing(item.nodeid)
        if failing:
            raise Violations(failing) from blocked
        raise
    finally:
        item.stash[_EXCHANGES_KEY] = [e.id for e in judge.recorder.all() if e.id not in before]
        judge.ledger.current_test = None
    failing = judge.ledger.failing(item.nodeid)
    if failing:
        raise Violations(failing)
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    rules = rule_ids(item)
    if rules:
        catalogue = default_catalogue()
        report.user_properties.append(("rules", ",".join(rules)))
        report.user_properties.append(
            ("sections", ",".join(catalogue.get(r).section for r in rules))
        )
    raised = call.excinfo.value if call.excinfo is not None else None
    if isinstance(raised, Violations):
        report.user_properties.append(("violation", raised.violations[0].as_dict()))
        raised = raised.__cause__
    if isinstance(raised, Blocked):
        report.user_properties.append(("blocked", raised.as_dict()))
    if call.when == "call":
        exchange_ids = item.stash.get(_EXCHANGES_KEY, [])
        report.user_properties.append(("exchanges", exchange_ids))
        judge = item.config.stash.get(_JUDGE_KEY, None)
        if judge is not None and exchange_ids:
            _attach_transcripts(report, judge, exchange_ids)
    return report


def _attach_transcripts(report: pytest.TestReport, judge: Any, ids: list[int]) -> None:
    """pytest-html extras: the test's exchanges (redacted), the failing one first."""
    from pytest_html import extras

    wanted = set(ids)
    exchanges = [e for e in judge.recorder.all() if e.id in wanted]
    violation: Any = dict(report.user_properties).get("violation") or {}
    failing = violation.get("exchange")
    exchanges.sort(key=lambda e: (e.id != failing, e.id))
    text = "\n\n".join(
        f"#{e.id} {e.direction}: {e.curl()}\n-> HTTP {e.status} {e.error or ''}\n"
        f"{(e.response_body or '')[:2000]}"
        for e in exchanges[:20]
    )
    more = f"\n\n... and {len(exchanges) - 20} more in results.json" if len(exchanges) > 20 else ""
    existing = getattr(report, "extras", [])
    setattr(report, "extras", [*existing, extras.text(text + more, name="Exchanges")])  # noqa: B010


class _ReportCollector:
    """Keeps every phase's report of a judging run for the results writer."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.config.stash.setdefault(_REPORTS_KEY, []).append(report)


def pytest_html_results_table_header(cells: list[str]) -> None:
    cells.insert(2, "<th>Rules</th>")
    cells.insert(3, "<th>Section</th>")


def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    props = dict(report.user_properties)
    cells.insert(2, f"<td>{props.get('rules', '')}</td>")
    cells.insert(3, f"<td>{props.get('sections', '')}</td>")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    judge = session.config.stash.get(_JUDGE_KEY, None)
    if judge is None:
        return
    from conformance.results import write_run

    write_run(
        judge,
        session.config.stash.get(_REPORTS_KEY, []),
        started=session.config.stash[_STARTED_KEY],
    )
