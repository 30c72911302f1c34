"""Display conditions and pages, evaluated on the server: a hidden question is neither validated nor stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from survey_app.respond.definitions import QuestionDef


def _as_strings(value: Any) -> set[str]:
    """Compare answers and condition values as strings: 9, 9.0 and "9" all mean the same choice."""
    if value is None:
        return set()
    if isinstance(value, bool):
        return {"yes", "true"} if value else {"no", "false"}
    if isinstance(value, float) and value.is_integer():
        return {str(int(value))}
    if isinstance(value, list | tuple | set):
        return set().union(*(_as_strings(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set()
    return {str(value).strip().lower()}


def condition_met(condition: Mapping[str, Any], value: Any) -> bool:
    """True when the controlling answer is one of the condition's values."""
    wanted = _as_strings(list(condition.get("in") or []))
    return bool(wanted & _as_strings(value))


class Visibility:
    """Which questions a respondent sees, given the answers known so far."""

    def __init__(self, questions: Sequence[QuestionDef], clean: Mapping[str, Any]) -> None:
        self.questions = sorted(questions, key=lambda q: (q.page, q.position))
        self.by_key = {q.key: q for q in self.questions}
        self.clean = clean
        self._shown: dict[str, bool] = {}

    def shown(self, q: QuestionDef, _depth: int = 0) -> bool:
        """Shown when it has no condition, or its controlling question is shown and answered to match."""
        if q.key in self._shown:
            return self._shown[q.key]
        cond = q.condition or None
        result = True
        if cond and _depth < len(self.questions):
            ctrl = self.by_key.get(str(cond.get("question", "")))
            if ctrl is not None and ctrl.key != q.key:
                result = self.shown(ctrl, _depth + 1) and condition_met(cond, self.clean.get(ctrl.key))
        self._shown[q.key] = result
        return result

    def same_page_controller(self, q: QuestionDef) -> QuestionDef | None:
        """The controlling question when it sits on the same page (the answer is not known yet)."""
        cond = q.condition or None
        if not cond:
            return None
        ctrl = self.by_key.get(str(cond.get("question", "")))
        return ctrl if ctrl is not None and ctrl.page == q.page and ctrl.key != q.key else None

    def rendered(self, q: QuestionDef) -> bool:
        """Rendered on its page: shown, or controlled from the same page (then JS toggles it, and
        without JS the person reads "answer only if …" and the server ignores it when unmet)."""
        if self.shown(q):
            return True
        ctrl = self.same_page_controller(q)
        return ctrl is not None and self.rendered(ctrl)

    def on_page(self, page: int) -> list[QuestionDef]:
        return [q for q in self.questions if q.page == page and self.rendered(q)]

    def pages(self) -> list[int]:
        """Pages that have at least one question to show, in order."""
        return sorted({q.page for q in self.questions if self.rendered(q)})

    def next_page(self, page: int) -> int | None:
        return next((p for p in self.pages() if p > page), None)

    def previous_page(self, page: int) -> int | None:
        return next((p for p in reversed(self.pages()) if p < page), None)

    def active(self, only: Iterable[QuestionDef] | None = None) -> list[QuestionDef]:
        """Questions whose answers count: shown given the answers."""
        return [q for q in (only if only is not None else self.questions) if self.shown(q)]
