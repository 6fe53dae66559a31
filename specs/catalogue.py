"""The rule catalogue: stable rule IDs loaded from `specs/rules/*.yaml`.

Each YAML file holds one module's rules (`module`, `prefix`, `rules`). The loader is strict: a
malformed, duplicated or ambiguous entry raises `CatalogueError` naming the file and the rule, so
a bad catalogue fails at import of the suite instead of silently losing a rule. Rule IDs
(`PREFIX-NNN`) are never renumbered or reused; tests reference them with
`@pytest.mark.rule("LOC-002")`.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal, TypeAlias, TypeVar, get_args

import yaml

from specs import data_dir

Level: TypeAlias = Literal["MUST", "SHOULD"]
Role: TypeAlias = Literal["cpo", "emsp", "hub"]
Testability: TypeAlias = Literal["direct", "peer"]

LEVELS: tuple[Level, ...] = get_args(Level)
ROLES: tuple[Role, ...] = get_args(Role)
TESTABILITIES: tuple[Testability, ...] = get_args(Testability)

#: Canonical module order (spec chapter order, Plugfest's own rules last). Modules not listed
#: here sort after these, alphabetically.
MODULE_ORDER: tuple[str, ...] = (
    "transport",
    "versions",
    "credentials",
    "locations",
    "sessions",
    "cdrs",
    "tariffs",
    "tokens",
    "commands",
    "chargingprofiles",
    "hubclientinfo",
    "security",
)

ID_PATTERN = re.compile(r"^[A-Z]+-[0-9]{3}$")
PREFIX_PATTERN = re.compile(r"^[A-Z]+$")
SECTION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)*$")
MAX_TITLE_LENGTH = 100

_FILE_KEYS = frozenset({"module", "prefix", "rules"})
_REQUIRED_RULE_KEYS = frozenset(
    {"id", "level", "section", "title", "applies_to", "testability", "text"}
)
_OPTIONAL_RULE_KEYS = frozenset({"digest", "unobservable", "ambiguity"})
_AMBIGUITY_KEYS = frozenset({"id", "question", "readings", "applied", "sources"})

_T = TypeVar("_T", bound=str)


class CatalogueError(ValueError):
    """The rule catalogue is malformed; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """Where the spec reads two ways: the question, the readings (id -> what it says), which one
    the judge applies, and where the dispute is on record (spec text, public issues). A violation
    that another reading accepts is reported `disputed`, apart from `failed`."""

    id: str
    question: str
    readings: Mapping[str, str]
    applied: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "question": self.question, "readings": dict(self.readings),
                "applied": self.applied, "sources": list(self.sources)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rule:
    """One testable requirement with a stable ID."""

    id: str
    level: Level
    section: str
    title: str
    applies_to: tuple[Role, ...]
    testability: Testability
    digest: int | None
    text: str
    module: str
    prefix: str
    #: Why a black-box judge cannot observe this rule from outside the party (None: it can).
    unobservable: str | None = None
    ambiguity: Ambiguity | None = None

    @property
    def number(self) -> int:
        """The numeric part of the ID (`LOC-002` -> 2)."""
        return int(self.id.rsplit("-", 1)[1])

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping of every field."""
        return {
            "id": self.id,
            "level": self.level,
            "section": self.section,
            "title": self.title,
            "applies_to": list(self.applies_to),
            "testability": self.testability,
            "digest": self.digest,
            "text": self.text,
            "module": self.module,
            "prefix": self.prefix,
            "unobservable": self.unobservable,
            "ambiguity": self.ambiguity.as_dict() if self.ambiguity else None,
        }


def _module_rank(module: str) -> tuple[int, str]:
    try:
        return (MODULE_ORDER.index(module), module)
    except ValueError:
        return (len(MODULE_ORDER), module)


class Catalogue:
    """An immutable, ordered set of rules, iterated by module order then rule number."""

    __slots__ = ("_by_id", "_modules", "_prefixes", "_rules")

    def __init__(self, rules: Iterable[Rule]) -> None:
        ordered = sorted(rules, key=lambda r: (*_module_rank(r.module), r.number))
        by_id: dict[str, Rule] = {}
        for rule in ordered:
            if rule.id in by_id:
                raise CatalogueError(f"duplicate rule id {rule.id}")
            by_id[rule.id] = rule
        self._rules: tuple[Rule, ...] = tuple(ordered)
        self._by_id: Mapping[str, Rule] = MappingProxyType(by_id)
        self._modules: tuple[str, ...] = tuple(dict.fromkeys(r.module for r in ordered))
        self._prefixes: Mapping[str, str] = MappingProxyType({r.prefix: r.module for r in ordered})

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def __repr__(self) -> str:
        return f"Catalogue({len(self)} rules in {len(self._modules)} modules)"

    def get(self, rule_id: str) -> Rule:
        """The rule with this ID; KeyError (with close matches) if there is none."""
        try:
            return self._by_id[rule_id]
        except KeyError:
            close = difflib.get_close_matches(rule_id.upper(), list(self._by_id), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"unknown rule id {rule_id!r}{hint}") from None

    def modules(self) -> list[str]:
        """Module names in catalogue order."""
        return list(self._modules)

    def prefixes(self) -> dict[str, str]:
        """Map of ID prefix to module name, in catalogue order."""
        return dict(self._prefixes)

    def resolve_module(self, name: str) -> str:
        """The module named by a module name or an ID prefix, case-insensitively."""
        wanted = name.strip().lower()
        for module in self._modules:
            if module == wanted:
                return module
        for prefix, module in self._prefixes.items():
            if prefix.lower() == wanted:
                return module
        valid = ", ".join(f"{m} ({p})" for p, m in self._prefixes.items())
        raise KeyError(f"unknown module {name!r}; valid modules: {valid}")

    def for_module(self, module: str) -> list[Rule]:
        """The rules of one module (name or prefix), in ID order."""
        resolved = self.resolve_module(module)
        return [r for r in self._rules if r.module == resolved]


def _fail(path: Path, where: str, message: str) -> CatalogueError:
    return CatalogueError(f"{path.name}: {where}: {message}")


def _choice(path: Path, where: str, key: str, value: object, allowed: tuple[_T, ...]) -> _T:
    for option in allowed:
        if value == option:
            return option
    raise _fail(path, where, f"{key} must be one of {', '.join(allowed)}, not {value!r}")


def _text(path: Path, where: str, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"{key} must be a non-empty string, not {value!r}")
    return value.strip()


def _parse_rule(
    path: Path,
    index: int,
    raw: object,
    module: str,
    prefix: str,
    ambiguities: Mapping[str, Ambiguity],
) -> Rule:
    where = f"rule #{index + 1}"
    if not isinstance(raw, dict):
        raise _fail(path, where, f"expected a mapping, got {type(raw).__name__}")
    raw_id = raw.get("id")
    if isinstance(raw_id, str):
        where = f"rule {raw_id}"
    keys = set(raw)
    unknown = keys - _REQUIRED_RULE_KEYS - _OPTIONAL_RULE_KEYS
    if unknown:
        raise _fail(path, where, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    missing = _REQUIRED_RULE_KEYS - keys
    if missing:
        raise _fail(path, where, f"missing key(s): {', '.join(sorted(missing))}")

    if not isinstance(raw_id, str) or not ID_PATTERN.fullmatch(raw_id):
        raise _fail(path, where, f"malformed id {raw_id!r} (expected PREFIX-NNN, e.g. LOC-001)")
    if raw_id.rsplit("-", 1)[0] != prefix:
        raise _fail(path, where, f"id prefix does not match the file's prefix {prefix!r}")

    section = raw["section"]
    if not isinstance(section, str) or not SECTION_PATTERN.fullmatch(section):
        raise _fail(path, where, f'section must be a quoted string like "8.2.1", not {section!r}')

    title = _text(path, where, "title", raw["title"])
    if "\n" in title or len(title) > MAX_TITLE_LENGTH:
        raise _fail(path, where, f"title must be one line of at most {MAX_TITLE_LENGTH} chars")

    applies_raw = raw["applies_to"]
    if not isinstance(applies_raw, list) or not applies_raw:
        raise _fail(path, where, f"applies_to must be a non-empty list, not {applies_raw!r}")
    applies_to = tuple(_choice(path, where, "applies_to", v, ROLES) for v in applies_raw)
    if len(set(applies_to)) != len(applies_to):
        raise _fail(path, where, "applies_to lists a role twice")

    digest = raw.get("digest")
    if digest is not None and (
        not isinstance(digest, int) or isinstance(digest, bool) or digest < 1
    ):
        raise _fail(path, where, f"digest must be a positive integer, not {digest!r}")

    unobservable = raw.get("unobservable")
    if unobservable is not None:
        unobservable = " ".join(_text(path, where, "unobservable", unobservable).split())

    ambiguity = None
    if "ambiguity" in raw:
        ambiguity = ambiguities.get(raw["ambiguity"])
        if ambiguity is None:
            raise _fail(path, where, f"unknown ambiguity {raw['ambiguity']!r} "
                        f"(one of {', '.join(ambiguities)})")  # fmt: skip

    return Rule(
        id=raw_id,
        level=_choice(path, where, "level", raw["level"], LEVELS),
        section=section,
        title=title,
        applies_to=applies_to,
        testability=_choice(path, where, "testability", raw["testability"], TESTABILITIES),
        digest=digest,
        text=" ".join(_text(path, where, "text", raw["text"]).split()),
        module=module,
        prefix=prefix,
        unobservable=unobservable,
        ambiguity=ambiguity,
    )


def load_ambiguities(path: Path | None = None) -> Mapping[str, Ambiguity]:
    """The spec's known ambiguities (default: the shipped `specs/ambiguities.yaml`), by id."""
    path = path if path is not None else data_dir("ambiguities.yaml")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: invalid YAML: {exc}") from exc
    entries = document.get("ambiguities") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise CatalogueError(f"{path.name}: expected a mapping with an ambiguities list")
    found: dict[str, Ambiguity] = {}
    for index, raw in enumerate(entries):
        ambiguity = _ambiguity(path, f"ambiguity #{index + 1}", raw)
        if ambiguity.id in found:
            raise CatalogueError(f"{path.name}: duplicate ambiguity id {ambiguity.id}")
        found[ambiguity.id] = ambiguity
    return MappingProxyType(found)


def _ambiguity(path: Path, where: str, raw: object) -> Ambiguity:
    if not isinstance(raw, dict) or set(raw) != _AMBIGUITY_KEYS:
        keys = ", ".join(sorted(_AMBIGUITY_KEYS))
        raise _fail(path, where, f"an ambiguity has exactly {keys}")
    readings = raw["readings"]
    if not isinstance(readings, dict) or len(readings) < 2:
        raise _fail(path, where, "readings must map at least two reading ids to texts")
    texts = {str(k): " ".join(_text(path, where, f"reading {k}", v).split())
             for k, v in readings.items()}  # fmt: skip
    if raw["applied"] not in texts:
        raise _fail(path, where, f"applied must be one of {', '.join(texts)}")
    sources = raw["sources"]
    if not isinstance(sources, list) or not sources:
        raise _fail(path, where, "sources must list the spec text or public issues")
    return Ambiguity(
        id=_text(path, where, "id", raw["id"]),
        question=" ".join(_text(path, where, "question", raw["question"]).split()),
        readings=MappingProxyType(texts),
        applied=str(raw["applied"]),
        sources=tuple(_text(path, where, "sources", s) for s in sources),
    )


def _load_file(path: Path, ambiguities: Mapping[str, Ambiguity]) -> tuple[str, str, list[Rule]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise CatalogueError(f"{path.name}: expected a mapping with module, prefix and rules")
    keys = set(document)
    if keys != _FILE_KEYS:
        extra = ", ".join(sorted(map(str, keys - _FILE_KEYS))) or "none"
        missing = ", ".join(sorted(_FILE_KEYS - keys)) or "none"
        raise CatalogueError(f"{path.name}: unknown keys: {extra}; missing keys: {missing}")
    module, prefix, raw_rules = document["module"], document["prefix"], document["rules"]
    if module != path.stem:
        raise CatalogueError(f"{path.name}: module {module!r} must equal the file name stem")
    if not isinstance(prefix, str) or not PREFIX_PATTERN.fullmatch(prefix):
        raise CatalogueError(f"{path.name}: prefix must be upper-case letters, not {prefix!r}")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise CatalogueError(f"{path.name}: rules must be a non-empty list")
    rules = [
        _parse_rule(path, i, raw, path.stem, prefix, ambiguities) for i, raw in enumerate(raw_rules)
    ]
    return path.stem, prefix, rules


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def load_catalogue(
    directory: Path | None = None, ambiguities: Mapping[str, Ambiguity] | None = None
) -> Catalogue:
    """Load and validate every `*.yaml` in `directory` (default: the shipped `specs/rules`); a
    rule's `ambiguity` names one of `ambiguities` (default: `load_ambiguities()`)."""
    root = directory if directory is not None else data_dir("rules")
    known = ambiguities if ambiguities is not None else load_ambiguities()
    paths = sorted(root.glob("*.yaml"))
    if not paths:
        raise CatalogueError(f"{root}: no *.yaml rule files")
    prefix_owner: dict[str, str] = {}
    id_owner: dict[str, str] = {}
    title_owner: dict[str, str] = {}
    rules: list[Rule] = []
    for path in paths:
        _, prefix, file_rules = _load_file(path, known)
        for rule in file_rules:
            if rule.id in id_owner:
                raise CatalogueError(
                    f"{path.name}: rule {rule.id}: duplicate id (also in {id_owner[rule.id]})"
                )
            id_owner[rule.id] = path.name
            key = _title_key(rule.title)
            if key in title_owner:
                raise CatalogueError(
                    f"{path.name}: rule {rule.id}: duplicate title {rule.title!r}"
                    f" (also {title_owner[key]})"
                )
            title_owner[key] = f"{rule.id} in {path.name}"
            rules.append(rule)
        # Checked after the IDs, so that a copied rule is reported as a duplicate ID first.
        if prefix in prefix_owner:
            raise CatalogueError(
                f"{path.name}: prefix {prefix!r} is already used by {prefix_owner[prefix]}"
            )
        prefix_owner[prefix] = path.name
    return Catalogue(rules)


@functools.cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return load_catalogue()
