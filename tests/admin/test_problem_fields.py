"""Which editor field a definition problem belongs to, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from wtforms.fields.core import UnboundField

from survey_app.admin.forms import question_form_class, survey_form_class
from survey_app.admin.problem_fields import field_for, path_parts, place_problems, split_question_problems
from survey_app.surveys import DefinitionError, validate_definition
from survey_app.surveys.errors import Problem


@pytest.mark.parametrize(("path", "field"), [
    ("slug", "slug"), ("closes_at", "closes_at"), ("taxonomy.topics[0].name", "taxonomy"),
    ("texts.en.title", "text_title_en"), ("texts.pt-BR.thanks", "text_thanks_pt-BR"),
    ("questions[3].key", "key"), ("questions[0].settings.max_length", "settings"),
    ("questions[12].condition.in[0]", "condition_question"), ("questions[1].options[2]", "options"),
    ("questions[0].texts.de.label", "label_de"), ("questions[0].texts.en.help", "help_en"),
    ("questions[2].texts.en.options.web", "labels_en"), ("questions[2].texts.nl.statements", "labels_nl"),
    ("", None), ("questions", None), ("questions[0]", None), ("questions[0].texts.en", None),
    ("texts.en.titles", None), ("texts.en", None), ("questions[0].colour", None), ("titles", None),
])
def test_field_for_a_problem_path(path: str, field: str | None) -> None:
    assert field_for(path) == field


def test_path_parts_reads_indexes_as_numbers() -> None:
    assert path_parts("questions[10].texts.en.options.a-b") == ("questions", 10, "texts", "en", "options", "a-b")


def test_problems_without_a_field_on_this_form_go_to_the_top() -> None:
    problems = [Problem(3, "slug", "is taken"), Problem(4, "texts.de.title", "must not be empty"),
                Problem(5, "questions", "at least one"), Problem(6, "slug", "too long")]
    by_field, rest = place_problems(problems, {"slug", "title"})
    assert by_field == {"slug": ["is taken", "too long"]}
    assert rest == ["line 4: texts.de.title: must not be empty", "line 5: questions: at least one"]


def test_a_questions_problems_are_its_own_and_not_those_of_question_ten() -> None:
    problems = [Problem(None, f"questions[{i}].key", "bad") for i in (1, 10, 11, 2)]
    mine, others = split_question_problems(problems, 1)
    assert [p.field for p in mine] == ["questions[1].key"]
    assert [p.field for p in others] == ["questions[10].key", "questions[11].key", "questions[2].key"]


def _field_names(form_class: type) -> set[str]:
    return {name for name in dir(form_class) if isinstance(getattr(form_class, name), UnboundField)}


def _problems(definition: dict[str, Any]) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(definition)
    return caught.value.problems


def test_every_problem_of_an_edited_question_lands_on_a_field_the_editor_has() -> None:
    """The validator's own paths, not hand-written ones: a renamed definition key would fail here."""
    languages = ("en", "de")
    bad_questions = [
        {"key": "Bad Key", "type": "short_text", "page": 0, "required": "maybe", "options": ["x"],
         "settings": {"max_length": "lots"}, "texts": {"en": {"label": ""}, "de": {"label": "x", "help": 5}}},
        {"key": "pick", "type": "single_choice", "options": [], "settings": {"statements": 1},
         "condition": {"question": "nowhere", "in": ["x"]},
         "texts": {"en": {"label": "P", "options": {"zzz": "Z"}}, "de": {"label": "P", "options": 7}}},
        {"key": "grid", "type": "matrix", "settings": {"statements": ["a"]},
         "texts": {"en": {"label": "G", "statements": {"b": "B"}}, "de": {"label": "G"}}},
        {"key": "kind", "type": "no_such_type", "texts": {"en": {"label": "K"}, "de": {"label": "K"}}},
    ]
    form_fields = _field_names(question_form_class(languages))
    for question in bad_questions:
        definition = {"slug": "s", "title": "T", "audience": "customer", "languages": list(languages),
                      "default_language": "en", "texts": {"en": {}, "de": {}}, "questions": [question]}
        problems = _problems(definition)
        mine, others = split_question_problems(problems, 0)
        assert mine and not others, problems
        unplaced = [p for p in mine if field_for(p.field) not in form_fields]
        assert not unplaced, unplaced


def test_every_survey_setting_problem_lands_on_a_field_of_the_settings_form() -> None:
    definition = {"slug": "Not A Slug", "title": "", "audience": "robots", "languages": ["en", "de"],
                  "default_language": "fr", "texts": {"en": {"title": ""}, "de": {"intro": 3}},
                  "opens_at": "someday", "closes_at": "2025-13-01", "response_cap": 0, "min_group_size": 0,
                  "min_comment_group_size": "many", "taxonomy": "no-such-taxonomy-shape" * 20,
                  "questions": []}
    form_fields = _field_names(survey_form_class(("en", "de")))
    problems = _problems(definition)
    assert len(problems) >= 10
    unplaced = [p for p in problems if field_for(p.field) not in form_fields]
    assert not unplaced, unplaced
