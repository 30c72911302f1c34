"""The question editor's fields <-> a definition question, without HTTP: what the form shows is what it saves."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from survey_app.admin.question_forms import question_form_data, question_from_form_data
from survey_app.surveys import validate_definition
from tests.admin.strategies import definitions


def _form(**fields: Any) -> dict[str, Any]:
    return {"key": "q", "type": "short_text", "required": False, "page": 1, "options": "", "settings": "",
            "condition_question": "", "condition_values": "", "label_en": "Why?", "help_en": "", "labels_en": "",
            **fields}


@given(definitions())
@settings(max_examples=150, deadline=None)
def test_question_to_form_and_back_is_identity(definition: dict[str, Any]) -> None:
    languages = definition["languages"]
    drafts = [question_from_form_data(question_form_data(q, languages), languages) for q in definition["questions"]]
    assert all(d.errors == {} for d in drafts)
    assert validate_definition({**definition, "questions": [d.question for d in drafts]}) == definition


def test_form_fields_of_a_matrix_question() -> None:
    question = {"key": "conditions", "type": "matrix", "required": True, "page": 2, "options": [],
                "settings": {"statements": ["lighting", "noise"]},
                "condition": {"question": "site", "in": ["a", "b"]},
                "texts": {"en": {"label": "Rate these", "statements": {"lighting": "Lighting", "noise": "Noise"}},
                          "de": {"label": "Bewerten", "help": "Hilfe"}}}
    data = question_form_data(question, ["en", "de"])
    assert data["settings"] == "statements:\n- lighting\n- noise"
    assert data["labels_en"] == "lighting = Lighting\nnoise = Noise" and data["labels_de"] == ""
    assert data["help_de"] == "Hilfe" and data["help_en"] == ""
    assert (data["condition_question"], data["condition_values"]) == ("site", "a, b")
    assert data["options"] == "" and data["required"] is True and data["page"] == 2


def test_label_lines_are_split_into_statements_and_options() -> None:
    draft = question_from_form_data(_form(
        type="single_choice", options="web\n\n shop \n", settings="statements: [noise]\nallow_other: true",
        labels_en="web = Online = yes\n\nnoise = Noise\n shop=In a shop "), ["en"])
    assert draft.errors == {}
    q = draft.question
    assert q["options"] == ["web", "shop"]
    assert q["settings"] == {"statements": ["noise"], "allow_other": True}
    assert q["texts"]["en"] == {"label": "Why?", "options": {"web": "Online = yes", "shop": "In a shop"},
                                "statements": {"noise": "Noise"}}


def test_optional_parts_are_left_out_when_empty() -> None:
    q = question_from_form_data(_form(help_en="   ", condition_values="ignored"), ["en"]).question
    assert q["texts"]["en"] == {"label": "Why?"} and q["condition"] is None and q["settings"] == {}
    assert q["options"] is None  # a text question has no options: the validator then says nothing
    assert question_from_form_data(_form(type="single_choice"), ["en"]).question["options"] == []
    q = question_from_form_data(_form(key=" why ", required="y", condition_question="site",
                                      condition_values="a, ,b,"), ["en"]).question
    assert q["key"] == "why" and q["required"] is True and q["condition"] == {"question": "site", "in": ["a", "b"]}


@pytest.mark.parametrize(("text", "message"), [
    ("max_length: [1", "line 1: not valid YAML"),
    ("a: 1\na: 2", "line 2: a: duplicate key"),
    ("max_length: 5\n  bad: indent", "line 2: not valid YAML"),
])
def test_settings_that_are_not_yaml_are_the_settings_field_problem(text: str, message: str) -> None:
    draft = question_from_form_data(_form(settings=text), ["en"])
    assert list(draft.errors) == ["settings"] and message in " ".join(draft.errors["settings"])
    assert draft.question["settings"] == {}


def test_a_label_line_without_equals_is_that_language_fields_problem() -> None:
    draft = question_from_form_data(_form(type="single_choice", options="web", label_de="Warum?",
                                          labels_en="web = Online", labels_de="web Online\nshop"), ["en", "de"])
    assert draft.errors == {"labels_de": ["write 'value = label', not 'web Online'",
                                          "write 'value = label', not 'shop'"]}
    assert draft.question["texts"]["en"]["options"] == {"web": "Online"}


def test_settings_that_are_yaml_but_not_a_mapping_reach_the_validator() -> None:
    draft = question_from_form_data(_form(settings="- 1\n- 2"), ["en"])
    assert draft.errors == {} and draft.question["settings"] == [1, 2]
