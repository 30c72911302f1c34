"""Taxonomy YAML: shipped defaults are complete, and errors name the topic, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.taxonomy import TaxonomyError, default_taxonomy, load_taxonomy, parse_taxonomy

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("kind", "min_topics"), [("customer", 12), ("worker", 17)])
def test_default_taxonomies_are_complete(kind: str, min_topics: int) -> None:
    taxonomy = default_taxonomy(kind)
    assert taxonomy.name == kind
    assert len(taxonomy.topics) >= min_topics
    for topic in taxonomy.topics:
        assert topic.description
        assert 5 <= len(topic.examples) <= 10, topic.name
        assert topic.keywords, topic.name


@pytest.mark.parametrize("path", sorted((ROOT / "bench" / "taxonomies").glob("*.yaml")))
def test_bench_taxonomies_parse(path: Path) -> None:
    assert load_taxonomy(path).topics


def test_parse_minimal_and_optional_fields() -> None:
    taxonomy = parse_taxonomy("name: mine\nthreshold: 0.4\ntopics:\n  - {name: parking, description: Car park}\n")
    assert taxonomy.name == "mine"
    assert taxonomy.threshold == 0.4
    assert taxonomy.topics[0].examples == [] and taxonomy.topics[0].keywords == []


BAD = [
    ("topics: []\n", ["line 1", "'topics'"]),
    ("topics:\n  - name: parking\n", ["line 2", "'parking'", "'description'"]),
    ("topics:\n  - name: parking\n    description: x\n    examples: 3\n", ["line 4", "'parking'", "'examples'"]),
    (
        "topics:\n  - name: parking\n    description: x\n    keywords: [a, [b]]\n",
        ["line 4", "'parking'", "keywords[1]"],
    ),
    ("topics:\n  - name: parking\n    description: x\n    colour: red\n", ["line 4", "'parking'", "'colour'"]),
    ("topics:\n  - description: x\n", ["line 2", "topic #1", "'name'"]),
    ("topics:\n  - {name: a, description: ''}\n", ["line 2", "'a'", "'description'"]),
    ("topics:\n  - {name: a, description: b}\n  - {name: A, description: c}\n", ["line 3", "'A'", "duplicates"]),
    ("threshold: 2\ntopics:\n  - {name: a, description: b}\n", ["line 1", "'threshold'"]),
    ("threshold: yes\ntopics:\n  - {name: a, description: b}\n", ["line 1", "'threshold'"]),
    ("topics: [\n", ["not valid YAML"]),
    ("", ["empty taxonomy"]),
    ("- a\n- b\n", ["must be a mapping"]),
]


@pytest.mark.parametrize(("text", "needles"), BAD)
def test_errors_name_topic_field_and_line(text: str, needles: list[str]) -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(text, source="team.yaml")
    message = str(info.value)
    assert message.startswith("team.yaml")
    for needle in needles:
        assert needle in message


def test_load_taxonomy_reports_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    bad = tmp_path / "t.yaml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TaxonomyError):
        load_taxonomy(bad)


def test_unknown_default_kind() -> None:
    with pytest.raises(ValueError, match="unknown taxonomy kind"):
        default_taxonomy("hospital")


@pytest.mark.parametrize("nested", ["[" * 20_000 + "]" * 20_000, "- " * 5_000 + "x"])
def test_a_taxonomy_nested_thousands_deep_is_a_taxonomy_error(nested: str) -> None:
    """The issue's probe: a deeply nested taxonomy made the CLI print a RecursionError traceback."""
    with pytest.raises(TaxonomyError, match="nested too deeply|not valid YAML|expected"):
        parse_taxonomy(f"topics:\n  - name: a\n    keywords: {nested}\n", source="deep.yaml")
