"""Waivers: known failures a team accepts until a date, so that its CI gate can stay on.

The file (`--waivers FILE`, or `waivers` in the config file) is TOML; partners' pipelines depend
on this format, so it stays exactly::

    [[waiver]]
    rule = "TRANS-016"            # required: a catalogue rule ID
    reason = "gateway strips X-Request-ID; fix planned"   # required
    expires = 2027-03-31          # required: a TOML date
    only = "locations"            # optional: a module or a test's name
    link = "https://tracker.example/PRJ-12"               # optional

A failed (or disputed) rule whose violations a live waiver all covers is reported `waived`, with
the reason and the evidence, and does not fail the run. A waiver that expired, or whose rule no
longer fails, is stale: reported, and under `--strict-waivers` it fails the run. A file that names
an unknown rule, or misses a required key, is a usage error naming its line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from conformance.config import UsageError
from specs.catalogue import Catalogue

_REQUIRED = ("rule", "reason", "expires")
_KEYS = frozenset({*_REQUIRED, "only", "link"})
_HEADER = re.compile(r"^\s*\[\[\s*waiver\s*\]\]")
#: Statuses a waiver can turn into `waived`.
WAIVABLE = ("failed", "disputed")
STALE = ("expired", "passing")


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    expires: date
    only: str | None
    link: str | None
    line: int  # of its [[waiver]] header in the file

    def expired(self, today: date) -> bool:
        """Valid through its `expires` day."""
        return today > self.expires

    def covers(self, test: str | None, test_modules: set[str]) -> bool:
        """Whether a violation found in `test` (a node id; its rules' modules) is in scope."""
        if self.only is None:
            return True
        wanted = self.only.strip().lower()
        if test is None:
            return False
        path, _, function = test.partition("::")
        stem = Path(path).stem.removeprefix("test_").lower()
        return wanted in {function.split("[")[0].lower(), stem, *test_modules}

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "expires": self.expires.isoformat(),
                "only": self.only, "link": self.link, "line": self.line}  # fmt: skip


def load_waivers(path: Path, catalogue: Catalogue) -> tuple[Waiver, ...]:
    """The file's waivers, checked against the catalogue (UsageError naming the line)."""
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text)
    except OSError as exc:
        raise UsageError(f"--waivers {path}: cannot read it ({exc.strerror})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a TOML file ({exc})") from exc
    extra = sorted(set(document) - {"waiver"})
    if extra:
        raise UsageError(f"{path}: only [[waiver]] tables belong here, not {', '.join(extra)}")
    tables = document.get("waiver", [])
    if not isinstance(tables, list):
        raise UsageError(f"{path}: waiver must be an array of tables ([[waiver]])")
    lines = text.splitlines()
    headers = [number for number, line in enumerate(lines, 1) if _HEADER.match(line)]
    waivers = []
    for index, table in enumerate(tables):
        start = headers[index] if index < len(headers) else 1
        end = headers[index + 1] if index + 1 < len(headers) else len(lines) + 1
        waivers.append(_waiver(path, table, start, lines[start - 1 : end - 1], catalogue))
    return tuple(waivers)


def _waiver(path: Path, table: Any, start: int, lines: list[str], catalogue: Catalogue) -> Waiver:
    def where(key: str | None = None) -> str:
        """path:line of `key` in this waiver (of its header when the key is absent)."""
        if key is not None:
            for offset, line in enumerate(lines):
                if re.match(rf"^\s*{key}\s*=", line):
                    return f"{path}:{start + offset}"
        return f"{path}:{start}"

    if not isinstance(table, dict):
        raise UsageError(f"{where()}: a waiver is a table")
    for key in _REQUIRED:
        if key not in table:
            raise UsageError(f"{where()}: the waiver has no {key} (rule, reason and expires are "
                             "required)")  # fmt: skip
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UsageError(f"{where(unknown[0])}: unknown key {unknown[0]!r} (rule, reason, "
                         "expires, only, link)")  # fmt: skip
    rule, reason, expires = table["rule"], table["reason"], table["expires"]
    if not isinstance(rule, str) or rule.strip().upper() not in catalogue:
        raise UsageError(f"{where('rule')}: unknown rule {rule!r} (plugfest rules lists them)")
    if not isinstance(reason, str) or not reason.strip():
        raise UsageError(f"{where('reason')}: reason must say why, as a string")
    if not isinstance(expires, date) or isinstance(expires, datetime):
        raise UsageError(f"{where('expires')}: expires must be a TOML date such as 2027-03-31 "
                         "(unquoted)")  # fmt: skip
    for key in ("only", "link"):
        if key in table and not isinstance(table[key], str):
            raise UsageError(f"{where(key)}: {key} must be a string")
    return Waiver(rule=rule.strip().upper(), reason=reason.strip(), expires=expires,
                  only=table.get("only"), link=table.get("link"), line=start)  # fmt: skip


def apply_waivers(
    rules: list[dict[str, Any]],
    tests: list[dict[str, Any]],
    waivers: tuple[Waiver, ...],
    *,
    today: date,
    module_of: dict[str, str],
) -> list[dict[str, Any]]:
    """Turn the failures live waivers cover into `waived` (in `rules`, in place) and say what
    became of each waiver: `applied`, `expired` or `passing` (both stale), `out_of_scope` (its
    rule failed, but not where its `only` says), or `idle` (its rule got no verdict, or does not
    apply here). A rule is waived when each of its violations is covered by one of its live
    waivers. `module_of` maps a rule ID to its catalogue module."""
    by_rule = {rule["id"]: rule for rule in rules}
    modules = {t["nodeid"]: {module_of.get(r, "") for r in t["rules"]} for t in tests}
    live = [w for w in waivers if not w.expired(today)]
    covering: dict[Waiver, bool] = {}
    for rule_id in {w.rule for w in live}:
        rule = by_rule.get(rule_id)
        if rule is None or rule["status"] not in WAIVABLE:
            continue
        mine = [w for w in live if w.rule == rule_id]
        scopes = [[w for w in mine if w.covers(v["test"], modules.get(v["test"] or "", set()))]
                  for v in rule["violations"]]  # fmt: skip
        for waiver in mine:
            covering[waiver] = any(waiver in scope for scope in scopes)
        if scopes and all(scopes):
            first = next(w for w in mine if covering[w])
            rule.update(waived_status=rule["status"], status="waived", waiver=first.as_dict())
    report = []
    for waiver in waivers:
        state = _state(waiver, by_rule.get(waiver.rule), covering, today)
        report.append({**waiver.as_dict(), "state": state, "stale": state in STALE})
    return report


def _state(
    waiver: Waiver, rule: dict[str, Any] | None, covering: dict[Waiver, bool], today: date
) -> str:
    if waiver.expired(today):
        return "expired"
    status = rule["status"] if rule else None
    if status == "passed":
        return "passing"
    if status == "waived" and covering.get(waiver):
        return "applied"
    return "out_of_scope" if status in (*WAIVABLE, "waived") else "idle"
