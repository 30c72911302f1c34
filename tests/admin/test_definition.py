"""Parsing and validating definitions: every problem listed, each with its field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.surveys import DefinitionError, dump_definition, parse_definition

DATA = Path(__file__).parent / "data"


def problems(text: str, fmt: str = "auto") -> list[tuple[int | None, str, str]]:
    with pytest.raises(DefinitionError) as info:
        parse_definition(text, fmt)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_example_file_parses_to_the_canonical_form() -> None:
    d = parse_definition((DATA / "safety.yaml").read_text())
    assert d["slug"] == "safety-pulse-2025"
    assert d["languages"] == ["en", "de"]
    assert d["opens_at"].isoformat() == "2025-03-01T00:00:00+00:00"
    assert [q["key"] for q in d["questions"]] == [
        "site", "feel_safe", "conditions", "near_miss", "near_miss_kind", "hazard"]
    follow_up = d["questions"][4]
    assert follow_up["condition"] == {"question": "near_miss", "in": ["yes"]}
    assert follow_up["texts"]["de"]["options"]["slip"] == "Ausrutschen"
    assert d["taxonomy"]["topics"][0]["keywords"] == ["helmet", "gloves", "goggles"]


def test_every_problem_is_reported_with_field_and_line() -> None:
    found = problems((DATA / "bad.yaml").read_text())
    by_field = {field: line for line, field, _ in found}
    assert by_field["slug"] == 1
    assert by_field["audience"] == 3
    assert by_field["texts"] == 5  # 'de' is listed in languages but has no texts
    assert by_field["opens_at"] == 7  # month 13
    assert by_field["questions[0].type"] == 10
    assert by_field["questions[1].options"] == 14  # single_choice without options: the question's line
    assert by_field["questions[1].colour"] == 16
    assert by_field["questions[1].condition.question"] == 17  # q3 comes later
    assert by_field["questions[2].texts"] == 23
    assert by_field["questions[3].key"] == 25  # duplicate key
    assert len(found) == 10


@pytest.mark.parametrize(
    ("patch", "field", "message"),
    [
        ("closes_at: 2025-01-01", "closes_at", "must be after opens_at"),
        ("closes_at: next tuesday", "closes_at", "must be a date"),
        ("response_cap: 0", "response_cap", "between 1"),
        ("min_group_size: five", "min_group_size", "whole number"),
        ("min_group_size: 2", "min_group_size", "must be at least 3 for a worker survey"),
        ("min_comment_group_size: 4", "min_comment_group_size", "must be at least 5 for a worker survey"),
        ("default_language: fr", "default_language", "must be one of the languages"),
        ("languages: [en, en]", "languages[1]", "duplicate language"),
        ("shape: round", "shape", "unknown key 'shape'"),
    ],
)
def test_top_level_rules(patch: str, field: str, message: str) -> None:
    text = (DATA / "safety.yaml").read_text()
    key = patch.split(":")[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(key + ":")]
    lines.insert(1, patch)  # line 2
    found = problems("\n".join(lines) + "\n")
    assert any(f == field and message in m and line == 2 for line, f, m in found), found


def test_question_rules_and_texts_per_language() -> None:
    text = """\
slug: s
title: T
languages: [en, fr]
texts: {en: {title: A}, fr: {title: B}}
questions:
  - key: colour
    type: multiple_choice
    options: [red, red, true]
    settings: {max_length: 3}
    texts:
      en: {label: Colour, options: {red: Red, blue: Blue}}
      fr: {label: ""}
  - key: grid
    type: matrix
    texts: {en: {label: G}, fr: {label: G}}
  - key: Bad-Key
    type: nps
    condition: {question: colour, in: [green]}
    texts: {en: {label: N}, fr: {label: N}}
"""
    found = {(line, field): message for line, field, message in problems(text)}
    assert "duplicate option 'red'" in found[(8, "questions[0].options[1]")]
    assert "quote it" in found[(8, "questions[0].options[2]")]
    assert "unknown key 'max_length'" in found[(9, "questions[0].settings.max_length")]
    assert "unknown option 'blue'" in found[(11, "questions[0].texts.en.options.blue")]
    assert "must not be empty" in found[(12, "questions[0].texts.fr.label")]
    assert "statement keys" in found[(13, "questions[1].settings.statements")]
    assert "lower-case" in found[(16, "questions[2].key")]
    assert "'green' is not an answer of 'colour'" in found[(18, "questions[2].condition.in[0]")]


def test_inline_taxonomy_is_checked() -> None:
    text = "slug: s\ntitle: T\ntexts: {en: {}}\ntaxonomy:\n  topics:\n    - name: ppe\n" \
           "    - {name: PPE, description: again}\nquestions: [{key: a, type: nps, texts: {en: {label: A}}}]\n"
    found = problems(text)
    assert (6, "taxonomy.topics[0].description", "is required") in found
    assert (7, "taxonomy.topics[1].name", "duplicate topic 'PPE'") in found


def test_json_errors_carry_lines_too() -> None:
    text = '{\n  "slug": "ok",\n  "title": "T",\n  "texts": {"en": {}},\n  "questions": [\n' \
           '    {"key": "a", "type": "nps", "texts": {"en": {"label": "A"}}},\n' \
           '    {"key": "a", "type": "bogus", "texts": {"en": {"label": "B"}}}\n  ],\n  "title": "again"\n}\n'
    found = problems(text)
    assert (7, "questions[1].key", "duplicate question key 'a' (also question #1)") in found
    assert any(line == 7 and field == "questions[1].type" for line, field, _ in found)
    assert (9, "title", "duplicate key") in found
    syntax = problems('{\n "slug": "x",\n "title": \n}')
    assert syntax[0][0] == 4 and "not valid JSON" in syntax[0][2]


def test_yaml_syntax_error_names_the_line() -> None:
    found = problems("slug: x\ntitle: [unclosed\nquestions: []\n")
    assert len(found) == 1 and found[0][0] is not None and "not valid YAML" in found[0][2]


def test_alias_bomb_is_refused_not_expanded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    assert "too large" in problems(bomb)[0][2]


def test_dump_and_parse_give_the_same_definition_in_both_formats() -> None:
    d = parse_definition((DATA / "safety.yaml").read_text())
    assert parse_definition(dump_definition(d, "yaml")) == d
    assert parse_definition(dump_definition(d, "json")) == d


def test_the_documented_example_is_valid_and_complete() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "survey-format.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    d = parse_definition(example, source="docs/survey-format.md")
    assert d["texts"]["en"]["poster"] == "Scan to report a hazard — anonymous"
    types = {q["type"] for q in d["questions"]}
    assert {"site", "rating", "matrix", "yes_no", "single_choice", "long_text"} <= types
