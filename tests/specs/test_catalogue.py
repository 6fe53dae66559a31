"""The rule catalogue (specs/rules/*.yaml) and its strict loader (specs/catalogue.py)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from specs.catalogue import (
    LEVELS,
    ROLES,
    TESTABILITIES,
    Catalogue,
    CatalogueError,
    Rule,
    default_catalogue,
    load_catalogue,
)

EXPECTED_PREFIXES = {
    "transport": "TRANS",
    "versions": "VER",
    "credentials": "CRED",
    "locations": "LOC",
    "sessions": "SES",
    "cdrs": "CDR",
    "tariffs": "TAR",
    "tokens": "TOK",
    "commands": "CMD",
    "chargingprofiles": "CP",
    "hubclientinfo": "HUB",
    "security": "SEC",
}
DIGEST_ITEMS = set(range(1, 86))
HUB_ONLY_ITEMS = {12, 14, 15, 16, 34, 84}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


# --- the shipped catalogue ----------------------------------------------------------------------


def test_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 85
    assert all(isinstance(rule, Rule) for rule in catalogue)


def test_every_digest_item_is_represented(catalogue: Catalogue) -> None:
    digests = {rule.digest for rule in catalogue if rule.digest is not None}
    assert digests == DIGEST_ITEMS


@pytest.mark.shared
def test_digest_numbers_match_digest_section_7(catalogue: Catalogue, ocpi_shared: Path) -> None:
    text = (ocpi_shared / "DIGEST.md").read_text(encoding="utf-8")
    section = text.split("## 7.", 1)[1].split("\n## ", 1)[0]
    items = {int(n) for n in re.findall(r"^(\d+)\. \[[TC]\]", section, flags=re.MULTILINE)}
    assert items == DIGEST_ITEMS
    assert {rule.digest for rule in catalogue if rule.digest is not None} == items


def test_ids_are_unique_well_formed_and_dense(catalogue: Catalogue) -> None:
    ids = [rule.id for rule in catalogue]
    assert len(ids) == len(set(ids))
    for module in catalogue.modules():
        rules = catalogue.for_module(module)
        assert [rule.number for rule in rules] == list(range(1, len(rules) + 1)), module
        assert all(re.fullmatch(rf"{rule.prefix}-\d{{3}}", rule.id) for rule in rules)


def test_modules_and_prefixes_are_the_agreed_ones(catalogue: Catalogue) -> None:
    assert catalogue.prefixes() == {prefix: module for module, prefix in EXPECTED_PREFIXES.items()}
    assert catalogue.modules() == list(EXPECTED_PREFIXES)


def test_field_values_are_valid(catalogue: Catalogue) -> None:
    for rule in catalogue:
        assert rule.level in LEVELS, rule.id
        assert rule.testability in TESTABILITIES, rule.id
        assert rule.applies_to, rule.id
        assert set(rule.applies_to) <= set(ROLES), rule.id
        assert re.fullmatch(r"\d+(\.\d+)*", rule.section), rule.id
        assert 0 < len(rule.title) <= 100, rule.id
        assert rule.text, rule.id


def test_titles_are_unique(catalogue: Catalogue) -> None:
    titles = Counter(rule.title.casefold() for rule in catalogue)
    assert [title for title, n in titles.items() if n > 1] == []


def test_hub_only_items_apply_to_hub_only(catalogue: Catalogue) -> None:
    for rule in catalogue:
        if rule.digest in HUB_ONLY_ITEMS:
            assert rule.applies_to == ("hub",), rule.id


def test_security_rules_are_marked_as_platform_rules(catalogue: Catalogue) -> None:
    rules = catalogue.for_module("security")
    assert len(rules) >= 7
    for rule in rules:
        assert rule.level == "MUST"
        assert rule.section == "7.1.1"
        assert set(rule.applies_to) == {"cpo", "emsp"}
        assert rule.digest is None
        assert "Plugfest platform rule" in rule.text


def test_default_catalogue_is_cached() -> None:
    assert default_catalogue() is default_catalogue()


# --- the Catalogue API --------------------------------------------------------------------------


def test_iteration_follows_module_order_then_number(catalogue: Catalogue) -> None:
    order = list(EXPECTED_PREFIXES)
    keys = [(order.index(rule.module), rule.number) for rule in catalogue]
    assert keys == sorted(keys)


def test_lookup(catalogue: Catalogue) -> None:
    rule = catalogue.get("LOC-002")
    assert rule.module == "locations"
    assert rule.prefix == "LOC"
    assert rule.digest == 37
    assert "LOC-002" in catalogue
    assert "LOC-999" not in catalogue
    assert 42 not in catalogue


def test_get_unknown_id_raises_a_helpful_key_error(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError, match=r"unknown rule id 'LOC-0002'.*did you mean"):
        catalogue.get("LOC-0002")


def test_for_module_accepts_name_or_prefix(catalogue: Catalogue) -> None:
    by_name = catalogue.for_module("locations")
    assert by_name == catalogue.for_module("LOC") == catalogue.for_module("loc")
    assert {rule.prefix for rule in by_name} == {"LOC"}
    with pytest.raises(KeyError, match="valid modules"):
        catalogue.for_module("bookings")


def test_rule_is_frozen_and_serialisable(catalogue: Catalogue) -> None:
    rule = catalogue.get("TRANS-001")
    with pytest.raises(AttributeError):
        rule.title = "changed"  # type: ignore[misc]
    data = rule.as_dict()
    assert data["id"] == "TRANS-001"
    assert data["applies_to"] == list(rule.applies_to)
    assert set(data) == {
        "id",
        "level",
        "section",
        "title",
        "applies_to",
        "testability",
        "digest",
        "text",
        "module",
        "prefix",
        "unobservable",
        "ambiguity",
    }


# --- the loader rejects malformed catalogues ----------------------------------------------------


def make_rule(**overrides: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "LOC-001",
        "level": "MUST",
        "section": "8.2.1.1",
        "title": "Sender bumps parents' last_updated",
        "applies_to": ["cpo"],
        "testability": "direct",
        "digest": 37,
        "text": "Some paraphrase.",
    }
    rule.update(overrides)
    return rule


def write(directory: Path, module: str, prefix: str, rules: list[dict[str, Any]]) -> Path:
    path = directory / f"{module}.yaml"
    document = {"module": module, "prefix": prefix, "rules": rules}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_minimal_valid_catalogue_loads(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(), make_rule(id="LOC-002", title="Other")])
    write(tmp_path, "tokens", "TOK", [make_rule(id="TOK-001", title="Third", digest=None)])
    catalogue = load_catalogue(tmp_path)
    assert [rule.id for rule in catalogue] == ["LOC-001", "LOC-002", "TOK-001"]
    assert catalogue.get("TOK-001").digest is None


def test_unobservable_says_why(tmp_path: Path) -> None:
    reason = "Known only to\n  the operator."
    write(tmp_path, "locations", "LOC", [make_rule(unobservable=reason)])
    assert load_catalogue(tmp_path).get("LOC-001").unobservable == "Known only to the operator."
    write(tmp_path, "locations", "LOC", [make_rule(unobservable="  ")])
    with pytest.raises(CatalogueError, match="unobservable must be a non-empty string"):
        load_catalogue(tmp_path)


def test_rejects_duplicate_id_within_a_file(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(), make_rule(title="Another title")])
    with pytest.raises(CatalogueError, match=r"locations\.yaml: rule LOC-001: duplicate id"):
        load_catalogue(tmp_path)


def test_rejects_duplicate_id_across_files(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule()])
    write(tmp_path, "locations2", "LOC", [make_rule(title="Another title")])
    with pytest.raises(CatalogueError, match=r"rule LOC-001: duplicate id \(also in locations"):
        load_catalogue(tmp_path)


def test_rejects_duplicate_prefix_across_files(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule()])
    write(tmp_path, "locations2", "LOC", [make_rule(id="LOC-002", title="Another title")])
    with pytest.raises(CatalogueError, match=r"prefix 'LOC' is already used by locations\.yaml"):
        load_catalogue(tmp_path)


def test_rejects_id_with_another_files_prefix(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(id="SES-001")])
    with pytest.raises(CatalogueError, match=r"locations\.yaml: rule SES-001: id prefix"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("bad_id", ["LOC-1", "loc-001", "LOC-0001", "LOC001", "LOC-01a", 7])
def test_rejects_malformed_id(tmp_path: Path, bad_id: object) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(id=bad_id)])
    with pytest.raises(CatalogueError, match=r"locations\.yaml: .*malformed id"):
        load_catalogue(tmp_path)


def test_rejects_unknown_rule_key(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(severity="high")])
    with pytest.raises(CatalogueError, match=r"rule LOC-001: unknown key\(s\): severity"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize(
    "key", ["id", "level", "section", "title", "applies_to", "testability", "text"]
)
def test_rejects_missing_rule_key(tmp_path: Path, key: str) -> None:
    rule = make_rule()
    del rule[key]
    write(tmp_path, "locations", "LOC", [rule])
    with pytest.raises(CatalogueError, match=rf"locations\.yaml: .*missing key\(s\): {key}"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("level", ["MAY", "must", "SHALL", None])
def test_rejects_bad_level(tmp_path: Path, level: object) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(level=level)])
    with pytest.raises(CatalogueError, match="rule LOC-001: level must be one of MUST, SHOULD"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("applies_to", [["nsp"], [], "cpo", ["cpo", "cpo"], ["CPO"]])
def test_rejects_bad_applies_to(tmp_path: Path, applies_to: object) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(applies_to=applies_to)])
    with pytest.raises(CatalogueError, match="rule LOC-001: applies_to"):
        load_catalogue(tmp_path)


def test_rejects_bad_testability(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(testability="manual")])
    with pytest.raises(CatalogueError, match="testability must be one of direct, peer"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("title", ["", "   ", None, "x" * 101, "two\nlines"])
def test_rejects_bad_title(tmp_path: Path, title: object) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(title=title)])
    with pytest.raises(CatalogueError, match="rule LOC-001: title"):
        load_catalogue(tmp_path)


def test_rejects_duplicate_title_across_files(tmp_path: Path) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(title="Same title")])
    write(tmp_path, "tokens", "TOK", [make_rule(id="TOK-001", title="same  TITLE")])
    with pytest.raises(CatalogueError, match=r"tokens\.yaml: rule TOK-001: duplicate title"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("section", [8.2, 5, "§8.2", ""])
def test_rejects_unquoted_or_malformed_section(tmp_path: Path, section: object) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(section=section)])
    with pytest.raises(CatalogueError, match="rule LOC-001: section"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("digest", [0, -3, "37", True])
def test_rejects_bad_digest(tmp_path: Path, digest: object) -> None:
    write(tmp_path, "locations", "LOC", [make_rule(digest=digest)])
    with pytest.raises(CatalogueError, match="rule LOC-001: digest"):
        load_catalogue(tmp_path)


def test_rejects_module_not_matching_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "locations", "LOC", [make_rule()])
    path.rename(tmp_path / "places.yaml")
    with pytest.raises(CatalogueError, match=r"places\.yaml: module 'locations'"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"module": "locations", "prefix": "LOC"}, "missing keys: rules"),
        (
            {"module": "locations", "prefix": "LOC", "rules": [], "owner": "x"},
            "unknown keys: owner",
        ),
        ({"module": "locations", "prefix": "LOC", "rules": []}, "non-empty list"),
        ({"module": "locations", "prefix": "Loc", "rules": [make_rule()]}, "prefix must be"),
        (["not", "a", "mapping"], "expected a mapping"),
    ],
)
def test_rejects_malformed_file(tmp_path: Path, document: object, message: str) -> None:
    (tmp_path / "locations.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"locations\.yaml: .*{message}"):
        load_catalogue(tmp_path)


def test_rejects_invalid_yaml(tmp_path: Path) -> None:
    (tmp_path / "locations.yaml").write_text("module: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"locations\.yaml: invalid YAML"):
        load_catalogue(tmp_path)


def test_rejects_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"no \*\.yaml rule files"):
        load_catalogue(tmp_path)


def test_catalogue_error_is_a_value_error() -> None:
    assert issubclass(CatalogueError, ValueError)


def test_a_rule_names_a_known_ambiguity(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "transport.yaml").write_text(
        "module: transport\nprefix: TRANS\nrules:\n  - id: TRANS-001\n    level: MUST\n"
        '    section: "4.1"\n    title: "A title"\n    applies_to: [cpo]\n'
        "    testability: direct\n    ambiguity: nowhere\n    text: A text.\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="unknown ambiguity 'nowhere'"):
        load_catalogue(rules)
    rule = default_catalogue().get("CRED-011")
    assert rule.ambiguity is not None
    assert rule.as_dict()["ambiguity"]["applied"] == "immediate"
