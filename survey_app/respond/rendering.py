"""What a survey page template needs: texts in the chosen language, typed values, errors and ids."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from models import Department, Site, Survey
from survey_app.respond.answers import (
    N_,
    YES_NO,
    Problem,
    allows_other,
    field_name,
    scale_range,
    statement_keys,
    text_limit,
)
from survey_app.respond.conditions import Visibility
from survey_app.respond.definitions import QuestionDef
from survey_app.respond.i18n import Translator

LIKERT_LABELS = (N_("Strongly disagree"), N_("Disagree"), N_("Neither agree nor disagree"), N_("Agree"),
                 N_("Strongly agree"))
SCALE_ENDS = {
    "nps": (N_("0 = not at all likely"), N_("10 = extremely likely")),
    "csat": (N_("1 = very dissatisfied"), N_("5 = very satisfied")),
    "ces": (N_("1 = very difficult"), N_("7 = very easy")),
}


def localized(texts: Mapping[str, Any] | None, lang: str, default: str) -> dict[str, Any]:
    """Texts in `lang`, falling back key by key to the default language."""
    texts = texts or {}
    base = dict(texts.get(default) or next(iter(texts.values()), {}) or {})
    base.update({k: v for k, v in (texts.get(lang) or {}).items() if v})
    return base


class PageView:
    def __init__(
        self,
        survey: Survey,
        lang: str,
        raw: Mapping[str, Any],
        problems: Mapping[str, Problem],
        visibility: Visibility,
        sites: list[Site],
        departments: list[Department],
        _: Translator,
    ) -> None:
        self.survey, self.lang, self.raw, self.problems = survey, lang, raw, problems
        self.vis, self.sites, self.departments, self._ = visibility, sites, departments, _
        self.default = survey.default_language

    # Texts -----------------------------------------------------------------
    def survey_text(self, key: str) -> str:
        value = localized(self.survey.texts, self.lang, self.default).get(key)
        return str(value) if value else (self.survey.title if key == "title" else "")

    def q(self, q: QuestionDef) -> dict[str, Any]:
        return localized(q.texts, self.lang, self.default)

    def label(self, q: QuestionDef) -> str:
        return str(self.q(q).get("label") or q.key)

    def help(self, q: QuestionDef) -> str:
        return str(self.q(q).get("help") or "")

    def options(self, q: QuestionDef) -> list[tuple[str, str, str]]:
        """(value, label, input id) for each choice."""
        labels = self.q(q).get("options") or {}
        values = [str(o) for o in (q.options or [])]
        if q.type == "yes_no":
            values = list(YES_NO)
            labels = {"yes": self._("Yes"), "no": self._("No"), **labels}
        if q.type in ("single_choice", "multiple_choice") and allows_other(q) and "other" not in values:
            values.append("other")
            labels = {"other": self._("Other"), **labels}
        return [(v, str(labels.get(v, v)), f"{field_name(q)}-{i}") for i, v in enumerate(values)]

    def scale(self, q: QuestionDef) -> list[tuple[str, str, str]]:
        lo, hi = scale_range(q)
        star = q.type == "rating" and (q.settings or {}).get("style") == "star"
        out = []
        for i, n in enumerate(range(lo, hi + 1)):
            label = str(n)
            if q.type == "likert":
                label = self._(LIKERT_LABELS[i])
            elif star:
                label = f"{n} ★"
            out.append((str(n), label, f"{field_name(q)}-{i}"))
        return out

    def scale_ends(self, q: QuestionDef) -> tuple[str, str] | None:
        texts = self.q(q)
        if texts.get("low") and texts.get("high"):
            return str(texts["low"]), str(texts["high"])
        ends = SCALE_ENDS.get(q.type)
        return (self._(ends[0]), self._(ends[1])) if ends else None

    def statements(self, q: QuestionDef) -> list[tuple[str, str, str]]:
        """(statement key, label, field name) for a matrix."""
        labels = self.q(q).get("statements") or {}
        return [(k, str(labels.get(k, k)), field_name(q, k)) for k in statement_keys(q, self.default)]

    def matrix_scale(self, q: QuestionDef, name: str) -> list[tuple[str, str, str]]:
        return [(str(i + 1), self._(label), f"{name}-{i}") for i, label in enumerate(LIKERT_LABELS)]

    def picker(self, q: QuestionDef) -> list[tuple[str, str]]:
        rows = self.sites if q.type == "site" else self.departments
        return [(str(r.id), r.name) for r in rows]

    def limit(self, q: QuestionDef) -> int:
        return text_limit(q)

    # Typed values ------------------------------------------------------------
    def value(self, name: str) -> str:
        v = self.raw.get(name, "")
        v = v[0] if isinstance(v, list) and v else v
        return str(v or "").replace("\x00", "")

    def checked(self, name: str, value: str) -> bool:
        v = self.raw.get(name)
        return value in v if isinstance(v, list) else v == value

    # Errors and ids ------------------------------------------------------------
    def error(self, q: QuestionDef) -> str | None:
        p = self.problems.get(q.key)
        return self._(p.message, **p.params) if p else None

    def first_id(self, q: QuestionDef) -> str:
        if q.type == "matrix":
            st = self.statements(q)
            return f"{st[0][2]}-0" if st else field_name(q)
        if q.type in ("single_choice", "multiple_choice", "yes_no"):
            return f"{field_name(q)}-0"
        if q.type in ("nps", "csat", "ces", "rating", "likert"):
            return f"{field_name(q)}-0"
        return field_name(q)

    def described_by(self, q: QuestionDef, *extra: str) -> str | None:
        ids = [*extra]
        if self.help(q):
            ids.append(f"{field_name(q)}-help")
        if q.key in self.problems:
            ids.append(f"{field_name(q)}-error")
        return " ".join(ids) or None

    def condition_attrs(self, q: QuestionDef) -> dict[str, str] | None:
        """For a question controlled from the same page: what JS needs to show and hide it."""
        ctrl = self.vis.same_page_controller(q)
        if ctrl is None or not q.condition:
            return None
        return {
            "field": field_name(ctrl),
            "values": json.dumps([str(v) for v in q.condition.get("in") or []]),
        }

    def condition_hint(self, q: QuestionDef) -> str | None:
        ctrl = self.vis.same_page_controller(q)
        if ctrl is None or not q.condition:
            return None
        labels = dict((v, lab) for v, lab, _id in self.options(ctrl) + self.scale_safe(ctrl))
        wanted = [labels.get(str(v), str(v)) for v in q.condition.get("in") or []]
        return self._("Answer this only if your answer to “%(question)s” was: %(answers)s.",
                      question=self.label(ctrl), answers=", ".join(wanted))

    def scale_safe(self, q: QuestionDef) -> list[tuple[str, str, str]]:
        return self.scale(q) if q.type in ("nps", "csat", "ces", "rating", "likert") else []
