"""Display conditions and pages without HTTP: which questions a respondent sees, given the answers so far."""

from __future__ import annotations

from typing import Any

import pytest

from survey_app.respond.conditions import Visibility, condition_met
from survey_app.respond.definitions import QuestionDef


def q(key: str, page: int = 1, condition: dict[str, Any] | None = None, position: int = 0) -> QuestionDef:
    return QuestionDef(id=0, key=key, type="single_choice", position=position, page=page, required=False,
                       texts={}, options=[], settings={}, condition=condition)


@pytest.mark.parametrize(
    ("wanted", "answer", "met"),
    [
        ([9], "9", True), (["9"], 9.0, True), ([9], 8, False),  # numbers and their text mean the same
        (["yes"], True, True), (["no"], False, True), (["yes"], False, False),
        (["Phone"], " phone ", True),  # case and spaces do not matter
        (["a", "b"], ["c", "b"], True), (["a"], ["c"], False),  # any ticked box matches
        (["a"], None, False), (["a"], [], False), (["a"], {"x": 1}, False),  # unanswered or a matrix
        ([], "a", False),
    ],
)
def test_condition_met(wanted: list[Any], answer: Any, met: bool) -> None:
    assert condition_met({"in": wanted}, answer) is met


def test_chains_hide_what_depends_on_a_hidden_question() -> None:
    questions = [q("contacted"), q("how", condition={"question": "contacted", "in": ["yes"]}, position=1),
                 q("who", page=2, condition={"question": "how", "in": ["phone"]})]
    shown = Visibility(questions, {"contacted": "yes", "how": "phone"})
    assert [x.key for x in shown.active()] == ["contacted", "how", "who"]
    # "how" is hidden once "contacted" is no, so its stale answer no longer shows "who" either.
    hidden = Visibility(questions, {"contacted": "no", "how": "phone"})
    assert [x.key for x in hidden.active()] == ["contacted"]
    assert hidden.pages() == [1] and hidden.next_page(1) is None


def test_same_page_controllers_render_their_question_for_the_script_to_toggle() -> None:
    questions = [q("contacted"), q("how", condition={"question": "contacted", "in": ["yes"]}, position=1),
                 q("later", page=2, condition={"question": "contacted", "in": ["yes"]})]
    vis = Visibility(questions, {})
    how, later = vis.by_key["how"], vis.by_key["later"]
    assert not vis.shown(how) and vis.rendered(how)  # rendered, but not validated or stored
    assert vis.same_page_controller(how) is vis.by_key["contacted"]
    assert vis.same_page_controller(later) is None and not vis.rendered(later)
    assert [x.key for x in vis.on_page(1)] == ["contacted", "how"] and vis.pages() == [1]


def test_pages_skip_those_with_nothing_to_show() -> None:
    questions = [q("a", page=1), q("b", page=2, condition={"question": "a", "in": ["x"]}), q("c", page=3)]
    skip = Visibility(questions, {"a": "y"})
    assert skip.pages() == [1, 3] and skip.next_page(1) == 3 and skip.previous_page(3) == 1
    visit = Visibility(questions, {"a": "x"})
    assert visit.pages() == [1, 2, 3] and visit.next_page(1) == 2 and visit.previous_page(1) is None


def test_broken_conditions_do_not_loop_or_hide() -> None:
    questions = [q("self", condition={"question": "self", "in": ["x"]}),
                 q("a", condition={"question": "b", "in": ["x"]}), q("b", condition={"question": "a", "in": ["x"]}),
                 q("orphan", condition={"question": "gone", "in": ["x"]})]
    vis = Visibility(questions, {"a": "x", "b": "x"})
    assert vis.shown(vis.by_key["self"]) and vis.shown(vis.by_key["orphan"])  # nothing to depend on: shown
    # A cycle (a needs b, b needs a) ends at the depth limit instead of recursing forever.
    assert vis.shown(vis.by_key["a"]) and vis.shown(vis.by_key["b"])
    unmet = Visibility(questions, {"a": "x", "b": "y"})
    assert not unmet.shown(unmet.by_key["a"])
    assert vis.active(only=[vis.by_key["orphan"]]) == [vis.by_key["orphan"]]
