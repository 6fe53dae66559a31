"""Run-to-run diff (`plugfest diff OLD NEW`, and a run's `baseline`): which rules newly fail,
newly pass, go to or come from blocked, change status otherwise, or keep failing with other
evidence. Schema `plugfest-diff/1`.

A rule's evidence is the set of its (expected, actual) pairs, with what changes from run to run
even against the same target replaced by placeholders: datetimes, UUIDs, long hex strings,
tokens, the judge's generated ids and token labels, exchange numbers, long numbers, the run's
own URLs. A rule failing in both runs has changed evidence when the two sets share no pair:
tests that draw their inputs (Hypothesis, random pages) record another sample of the same
deviation each run, and at most 25 violations of a rule are kept, so a mere difference of the
sets would be noise.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCHEMA = "plugfest-diff/1"
#: The kinds of change, in order of precedence (the first that matches is a rule's kind).
KINDS = (
    "newly_failed",
    "newly_passed",
    "to_blocked",
    "from_blocked",
    "status_changed",
    "evidence_changed",
)
LABELS = {
    "newly_failed": "newly failing",
    "newly_passed": "newly passing",
    "to_blocked": "now blocked",
    "from_blocked": "no longer blocked",
    "status_changed": "status changed",
    "evidence_changed": "evidence changed",
}
#: Statuses that carry violations: the same status with other evidence is a change.
WITH_EVIDENCE = frozenset({"failed", "disputed", "waived"})
EVIDENCE_LINES = 5  # kept per side of a change, each at most LINE characters
LINE = 300
ABSENT = "absent"  # how a rule missing from one run shows

_HEX = "[0-9A-Fa-f]"
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
#: A token (base64url, 32+ characters, mixing cases and digits) that escaped redaction.
_TOKEN = r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{32,}(?![\w-])"
#: Volatile parts of evidence, in order: a later pattern never sees what an earlier replaced.
#: The judge's own ids: PF…, PFRTA…, PFCMD… + hex (and a suffix: -B-X); PLUGFEST-UNKNOWN-<hex>;
#: PFJ-ACT-<HEX>; the labels of the tokens it redacts (TOKEN_B#<handle>).
_VOLATILE = tuple((re.compile(pattern), placeholder) for pattern, placeholder in (
    (r"\b\d{8}T\d{6}Z?-[a-z]+-[0-9a-f]{6}\b", "<run>"),
    (rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b", "<uuid>"),
    (_DATETIME, "<datetime>"),
    (r"\b\d{8}T\d{6}Z?", "<datetime>"),
    (rf"\bPF[A-Z]{{0,3}}?-?{_HEX}{{10,}}(?:-[A-Z0-9]{{1,3}})*\b", "<id>"),
    (rf"\b(?:PLUGFEST(?:-[A-Z]+)*|PFJ-ACT)-{_HEX}{{8}}\b", "<id>"),
    (r"\*PFJ\*E[0-9A-F]{8}\b", "*PFJ*<id>"),
    (r"\b((?:TOKEN_|token )[A-C])#[\w-]+", r"\1#<id>"),
    (r"\bexchanges? #?\d+(?:, #?\d+)*", "exchange #<n>"),
    (rf"\b{_HEX}{{16,}}\b", "<hex>"),
    (_TOKEN, "<token>"),
    (r"(?<!\d)\d{6,}(?!\d)", "<n>"),
))  # fmt: skip


class DiffInputError(Exception):
    """A usage error: a path that holds no run's results (one line, naming the path)."""


@dataclass(frozen=True)
class Change:
    """One rule whose status or evidence differs between the runs (None: absent from a run)."""

    rule: str
    level: str
    module: str
    title: str
    kind: str
    old: str | None
    new: str | None
    old_evidence: tuple[str, ...]
    new_evidence: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "level": self.level,
            "module": self.module,
            "title": self.title,
            "kind": self.kind,
            "label": LABELS[self.kind],
            "old": self.old,
            "new": self.new,
            "old_evidence": list(self.old_evidence),
            "new_evidence": list(self.new_evidence),
        }


@dataclass(frozen=True)
class RunDiff:
    """What changed from `old_run` to `new_run`, rule by rule, in catalogue order."""

    old_run: dict[str, Any]
    new_run: dict[str, Any]
    changes: tuple[Change, ...]

    @property
    def new_failures(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == "newly_failed")

    @property
    def counts(self) -> dict[str, int]:
        """Every kind (in `KINDS` order) with how many rules changed that way."""
        found = Counter(c.kind for c in self.changes)
        return {kind: found[kind] for kind in KINDS}

    @property
    def summary(self) -> str:
        """'2 newly failing, 1 newly passing' or 'No rule changed.'"""
        parts = [f"{n} {LABELS[kind]}" for kind, n in self.counts.items() if n]
        return ", ".join(parts) if parts else "No rule changed."

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "old": self.old_run,
            "new": self.new_run,
            "counts": self.counts,
            "summary": self.summary,
            "changes": [c.as_dict() for c in self.changes],
        }


# --- reading runs -------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DiffInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise DiffInputError(f"{path}: not JSON ({exc})") from None
    if not (
        isinstance(document, dict)
        and isinstance(document.get("run"), dict)
        and isinstance(document.get("rules"), list)
        and all(isinstance(r, dict) and "id" in r and "status" in r for r in document["rules"])
    ):
        raise DiffInputError(f"{path}: not a Plugfest results.json (no `run` and `rules`)")
    return document


def target_role(results: Mapping[str, Any]) -> str | None:
    """The role of the run's target (cpo, emsp), if it says."""
    role = ((results.get("run") or {}).get("target") or {}).get("role")
    return str(role) if role else None


def _newest(report_dir: Path, role: str | None) -> dict[str, Any]:
    runs = [_read(p) for p in sorted(report_dir.glob("*/results.json"))]
    if not runs:
        raise DiffInputError(f"{report_dir}: no results.json in it nor in a run directory under it")
    runs = [r for r in runs if role is None or target_role(r) == role]
    if not runs:
        raise DiffInputError(f"{report_dir}: no run of a {role} target in it")
    return max(runs, key=lambda results: str(results["run"].get("started_at") or ""))


def load_results(path: Path, *, role: str | None = None) -> dict[str, Any]:
    """A run's results from its results.json, its run directory, or a report directory (its
    newest run by `run.started_at`; with `role`, its newest run of a target of that role);
    DiffInputError naming `path` for anything else."""
    if path.is_dir():
        if (path / "results.json").is_file():
            return _read(path / "results.json")
        return _newest(path, role)
    if not path.exists():
        raise DiffInputError(f"{path}: no such file or directory")
    return _read(path)


# --- comparing ----------------------------------------------------------------------------------


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _origin(url: Any) -> str | None:
    """scheme://host:port of a URL, or None."""
    if not isinstance(url, str) or "://" not in url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def _own_urls(results: Mapping[str, Any]) -> dict[str, str]:
    """The run's own origins (the target's, the judge's counterpart), which may move between
    runs (a fresh port each time), with their placeholders."""
    run = results.get("run") or {}
    urls = {
        _origin((run.get("target") or {}).get("versions_url")): "<target>",
        _origin(run.get("counterpart")): "<counterpart>",
    }
    return {url: name for url, name in urls.items() if url}


def normalise(text: str, own_urls: Mapping[str, str] | None = None) -> str:
    """`text` with its volatile parts replaced by placeholders (see the module's docstring)."""
    for url, name in (own_urls or {}).items():
        text = text.replace(url, name)
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def _violations(rule: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    return [v for v in (rule or {}).get("violations") or [] if isinstance(v, Mapping)]


def fingerprint(rule: Mapping[str, Any] | None, own_urls: Mapping[str, str]) -> frozenset[str]:
    """The rule's evidence as a set of normalised (expected, actual) pairs."""
    return frozenset(
        json.dumps([normalise(_text(v.get("expected")), own_urls),
                    normalise(_text(v.get("actual")), own_urls)])
        for v in _violations(rule)
    )  # fmt: skip


def evidence_lines(rule: Mapping[str, Any] | None) -> tuple[str, ...]:
    """'expected …; got …' for the rule's first distinct violations, as recorded (shortened)."""
    lines = dict.fromkeys(
        shorten(f"expected {_text(v.get('expected'))}; got {_text(v.get('actual'))}", LINE)
        for v in _violations(rule)
    )
    return tuple(lines)[:EVIDENCE_LINES]


def evidence_differs(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    urls: tuple[Mapping[str, str], Mapping[str, str]] = ({}, {}),
) -> bool:
    """The rule shows none of its old deviations in the new run (see the module's docstring)."""
    before, after = fingerprint(old, urls[0]), fingerprint(new, urls[1])
    return before != after and before.isdisjoint(after)


def kind_of(old: str | None, new: str | None, other_evidence: bool) -> str | None:
    """The kind of change from status `old` to `new` (None: absent), or None for no change;
    `other_evidence`: the same status shows none of its old deviations."""
    if old == new:
        return "evidence_changed" if other_evidence else None
    if new == "failed":
        return "newly_failed"
    if new == "passed":
        return "newly_passed"
    if new == "blocked":
        return "to_blocked"
    if old == "blocked":
        return "from_blocked"
    return "status_changed"


def _run_summary(results: Mapping[str, Any]) -> dict[str, Any]:
    run = results.get("run") or {}
    target = run.get("target") or {}
    return {"id": run.get("id"), "started_at": run.get("started_at"),
            "role": target.get("role"), "versions_url": target.get("versions_url")}  # fmt: skip


def _catalogue_order(old: Iterable[str], new: Iterable[str]) -> list[str]:
    """The new run's rule ids, then those only the old run has."""
    ordered = dict.fromkeys(new)
    ordered.update(dict.fromkeys(i for i in old if i not in ordered))
    return list(ordered)


def _change(
    rule_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    urls: tuple[Mapping[str, str], Mapping[str, str]],
) -> Change | None:
    old_status = str(old["status"]) if old else None
    new_status = str(new["status"]) if new else None
    same = old_status == new_status
    differs = same and old_status in WITH_EVIDENCE and evidence_differs(old, new, urls)
    kind = kind_of(old_status, new_status, differs)
    if kind is None:
        return None
    about: Mapping[str, Any] = new or old or {}
    return Change(
        rule=rule_id,
        level=str(about.get("level") or ""),
        module=str(about.get("module") or ""),
        title=str(about.get("title") or ""),
        kind=kind,
        old=old_status,
        new=new_status,
        old_evidence=evidence_lines(old),
        new_evidence=evidence_lines(new),
    )


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> RunDiff:
    """The changes from run `old` to run `new` (two results documents)."""
    old_rules = {str(r["id"]): r for r in old["rules"]}
    new_rules = {str(r["id"]): r for r in new["rules"]}
    urls = (_own_urls(old), _own_urls(new))
    changes = (
        _change(rule_id, old_rules.get(rule_id), new_rules.get(rule_id), urls)
        for rule_id in _catalogue_order(old_rules, new_rules)
    )
    return RunDiff(
        old_run=_run_summary(old),
        new_run=_run_summary(new),
        changes=tuple(c for c in changes if c is not None),
    )
