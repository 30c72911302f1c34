"""Validate a survey definition and normalize it into the canonical dict that maps onto the models.

Validation never stops at the first problem: every problem found is collected with the field's path
and line, so an admin fixes a file in one pass. The canonical form has every field present (defaults
filled, datetimes aware in UTC), so two equal surveys give equal dicts.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from models.survey import AUDIENCES, QUESTION_TYPES, THRESHOLD_FLOORS
from survey_app.surveys.errors import DefinitionError, Problem
from survey_app.surveys.source import Lines, Path, path_text, read_source

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,4})?$")

CHOICE_TYPES = ("single_choice", "multiple_choice")
TEXT_TYPES = ("short_text", "long_text")
# Which settings each question type accepts; anything else is an unknown key.
SETTINGS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **{t: () for t in QUESTION_TYPES},
    "short_text": ("max_length",),
    "long_text": ("max_length",),
    "rating": ("min", "max"),
    "matrix": ("statements",),
    "single_choice": ("allow_other",),
    "multiple_choice": ("allow_other", "max_choices"),
}
MAX_TEXT_LENGTH = 10_000
MAX_RETENTION_MONTHS = 1200

SURVEY_KEYS = (
    "slug", "title", "audience", "languages", "default_language", "texts", "opens_at", "closes_at",
    "response_cap", "min_group_size", "min_comment_group_size", "retention_months", "taxonomy", "questions",
    "rate_limit_per_minute",
)
SURVEY_TEXT_KEYS = ("title", "intro", "thanks", "poster")
QUESTION_KEYS = ("key", "type", "required", "page", "options", "settings", "condition", "texts")
QUESTION_TEXT_KEYS = ("label", "help", "options", "statements")
TAXONOMY_KEYS = ("name", "threshold", "topics")
TOPIC_KEYS = ("name", "description", "examples", "keywords")

_MISSING = object()


def parse_definition(text: str, fmt: str = "auto", source: str = "<definition>") -> dict[str, Any]:
    """Parse YAML/JSON text and return the canonical definition; raise DefinitionError listing all problems."""
    raw, lines, problems = read_source(text, fmt, source)
    return validate_definition(raw, lines, source, problems)


def validate_definition(
    raw: Any, lines: Lines | None = None, source: str = "<definition>", problems: list[Problem] | None = None
) -> dict[str, Any]:
    """Validate plain data (from a file or built by the admin UI); return the canonical definition."""
    v = _Validator(lines or {})
    v.problems.extend(problems or [])
    result = v.survey(raw)
    if v.problems:
        raise DefinitionError(v.problems, source)
    return result


class _Validator:
    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    # -- helpers --------------------------------------------------------------------------------

    def error(self, path: Path, message: str) -> None:
        line = None
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        self.problems.append(Problem(line, path_text(path), message))

    def mapping(self, value: Any, path: Path, allowed: tuple[str, ...], what: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping, not {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error((*path, key), f"unknown key {key!r} (expected one of: {', '.join(allowed)})")
        return value

    def text(self, value: Any, path: Path, *, required: bool, max_length: int = MAX_TEXT_LENGTH) -> str | None:
        if value is _MISSING or value is None:
            if required:
                self.error(path, "is required")
            return None
        if not isinstance(value, str):
            self.error(path, f"must be text, not {_kind(value)}")
            return None
        value = value.strip()
        if required and not value:
            self.error(path, "must not be empty")
            return None
        if len(value) > max_length:
            self.error(path, f"is longer than {max_length} characters")
            return None
        return value or None

    def integer(self, value: Any, path: Path, *, minimum: int, maximum: int = 10**9) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"must be a whole number, not {_kind(value)}")
            return None
        if not minimum <= value <= maximum:
            self.error(path, f"must be between {minimum} and {maximum}")
            return None
        return value

    def retention(self, value: Any) -> int | None:
        """Months free text and contact data are kept; absent (null) keeps them until deleted by hand."""
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            self.error(("retention_months",), f"must be at least 1 month, not {value} (leave it out to keep "
                                              "answers until they are deleted by hand)")
            return None
        return self.integer(value, ("retention_months",), minimum=1, maximum=MAX_RETENTION_MONTHS)

    def boolean(self, value: Any, path: Path) -> bool | None:
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, not {_kind(value)}")
            return None
        return value

    def word(self, value: Any, path: Path) -> str | None:
        """A choice value or a statement key: text, or a whole number read as text."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"must be text (quote it), not {_kind(value)}")
            return None
        if len(value) > 100:
            self.error(path, "is longer than 100 characters")
            return None
        return value

    def moment(self, value: Any, path: Path) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(0), UTC)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None and 1900 <= parsed.year <= 9999:
                return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        self.error(path, f"must be a date or date-time such as 2025-03-01 or 2025-03-01T08:00:00Z, not {value!r}")
        return None

    # -- survey ---------------------------------------------------------------------------------

    def survey(self, raw: Any) -> dict[str, Any]:
        d = self.mapping(raw, (), SURVEY_KEYS, "the definition")
        if d is None:
            return {}
        out: dict[str, Any] = {}
        slug = d.get("slug", _MISSING)
        if slug is _MISSING:
            self.error(("slug",), "is required")
        elif not isinstance(slug, str) or not SLUG_RE.match(slug):
            self.error(("slug",), "must be 1-80 lower-case letters, digits and hyphens, "
                                  "starting and ending with a letter or digit")
        out["slug"] = slug
        out["title"] = self.text(d.get("title", _MISSING), ("title",), required=True, max_length=200)
        audience = d.get("audience", "customer")
        if audience not in AUDIENCES:
            self.error(("audience",), f"must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        out["audience"] = audience
        languages = self.languages(d.get("languages", ["en"]))
        out["languages"] = languages
        default = d.get("default_language", languages[0] if languages else "en")
        if default not in languages:
            self.error(("default_language",), f"must be one of the languages ({', '.join(languages)}), "
                                              f"not {default!r}")
        out["default_language"] = default
        out["texts"] = self.survey_texts(d.get("texts", _MISSING), languages)
        out["opens_at"] = self.moment(d.get("opens_at"), ("opens_at",))
        out["closes_at"] = self.moment(d.get("closes_at"), ("closes_at",))
        if out["opens_at"] and out["closes_at"] and out["closes_at"] <= out["opens_at"]:
            self.error(("closes_at",), "must be after opens_at")
        cap = d.get("response_cap")
        out["response_cap"] = None if cap is None else self.integer(cap, ("response_cap",), minimum=1)
        rate = d.get("rate_limit_per_minute")
        out["rate_limit_per_minute"] = None if rate is None else self.integer(
            rate, ("rate_limit_per_minute",), minimum=1, maximum=100_000)
        out["min_group_size"] = self.integer(d.get("min_group_size", 5), ("min_group_size",), minimum=1,
                                             maximum=1000)
        out["min_comment_group_size"] = self.integer(
            d.get("min_comment_group_size", 10), ("min_comment_group_size",), minimum=1, maximum=1000)
        for name, floor in THRESHOLD_FLOORS.get(audience, {}).items():
            if isinstance(out[name], int) and out[name] < floor:
                self.error((name,), f"must be at least {floor} for a {audience} survey: a smaller group could "
                                    f"point to the person who reported")
        out["retention_months"] = self.retention(d.get("retention_months"))
        out["taxonomy"] = self.taxonomy(d.get("taxonomy"))
        out["questions"] = self.questions(d.get("questions", _MISSING), languages)
        return out

    def languages(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            self.error(("languages",), f"must be a non-empty list of language codes, not {_kind(value)}")
            return []
        out: list[str] = []
        for i, lang in enumerate(value):
            if not isinstance(lang, str) or not LANG_RE.match(lang):
                self.error(("languages", i), f"must be a language code such as en or pt-BR, not {lang!r}")
            elif lang in out:
                self.error(("languages", i), f"duplicate language {lang!r}")
            else:
                out.append(lang)
        return out

    def survey_texts(self, value: Any, languages: list[str]) -> dict[str, dict[str, str]]:
        if value is _MISSING:
            self.error(("texts",), f"is required: texts for each language ({', '.join(languages)})")
            return {}
        d = self.mapping(value, ("texts",), tuple(languages), "texts")
        if d is None:
            return {}
        out: dict[str, dict[str, str]] = {}
        for lang in languages:
            path: Path = ("texts", lang)
            if lang not in d:
                self.error(("texts",), f"missing texts for language {lang!r}")
                continue
            t = self.mapping(d[lang] if d[lang] is not None else {}, path, SURVEY_TEXT_KEYS, f"texts.{lang}")
            if t is None:
                continue
            entry: dict[str, str] = {}
            for key in SURVEY_TEXT_KEYS:
                s = self.text(t.get(key), (*path, key), required=False,
                              max_length=200 if key == "title" else MAX_TEXT_LENGTH)
                if s:
                    entry[key] = s
            out[lang] = entry
        return out

    def taxonomy(self, value: Any) -> str | dict[str, Any] | None:
        path: Path = ("taxonomy",)
        if value is None:
            return None
        if isinstance(value, str):
            return self.text(value, path, required=True, max_length=120)
        d = self.mapping(value, path, TAXONOMY_KEYS, "taxonomy (a taxonomy name, or inline topics)")
        if d is None:
            return None
        out: dict[str, Any] = {}
        if "name" in d:
            out["name"] = self.text(d["name"], (*path, "name"), required=True, max_length=120)
        if "threshold" in d:
            th = d["threshold"]
            if isinstance(th, bool) or not isinstance(th, int | float) or not 0 <= th <= 1:
                self.error((*path, "threshold"), "must be a number between 0 and 1")
            else:
                out["threshold"] = float(th)
        topics = d.get("topics", _MISSING)
        if not isinstance(topics, list) or not topics:
            self.error((*path, "topics"), "must be a non-empty list of topics")
            return out
        out["topics"] = []
        names: set[str] = set()
        for i, raw in enumerate(topics):
            tp: Path = (*path, "topics", i)
            t = self.mapping(raw, tp, TOPIC_KEYS, "a topic")
            if t is None:
                continue
            topic: dict[str, Any] = {
                "name": self.text(t.get("name", _MISSING), (*tp, "name"), required=True, max_length=80),
                "description": self.text(t.get("description", _MISSING), (*tp, "description"), required=True),
            }
            if topic["name"] and topic["name"].casefold() in names:
                self.error((*tp, "name"), f"duplicate topic {topic['name']!r}")
            names.add(str(topic["name"]).casefold())
            for key in ("examples", "keywords"):
                if key in t:
                    items = t[key]
                    if not isinstance(items, list):
                        self.error((*tp, key), "must be a list of text")
                        continue
                    topic[key] = [self.text(x, (*tp, key, j), required=True) for j, x in enumerate(items)]
            out["topics"].append(topic)
        return out

    # -- questions ------------------------------------------------------------------------------

    def questions(self, value: Any, languages: list[str]) -> list[dict[str, Any]]:
        # An empty list is allowed: the admin editor creates a survey first and adds questions after.
        if not isinstance(value, list):
            self.error(("questions",), f"must be a list of questions, not {_kind(value)}")
            return []
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(value):
            q = self.question(raw, i, languages, out, seen)
            if q is not None:
                out.append(q)
                if isinstance(q.get("key"), str):
                    seen.setdefault(q["key"], i)
        return out

    def question(
        self, raw: Any, i: int, languages: list[str], earlier: list[dict[str, Any]], seen: dict[str, int]
    ) -> dict[str, Any] | None:
        path: Path = ("questions", i)
        d = self.mapping(raw, path, QUESTION_KEYS, f"question #{i + 1}")
        if d is None:
            return None
        key = d.get("key", _MISSING)
        if key is _MISSING:
            self.error(path, "question key is required")
        elif not isinstance(key, str) or not KEY_RE.match(key):
            self.error((*path, "key"), "must start with a lower-case letter and use only a-z, 0-9 and _ "
                                       f"(at most 64), not {key!r}")
        elif key in seen:
            self.error((*path, "key"), f"duplicate question key {key!r} (also question #{seen[key] + 1})")
        qtype = d.get("type", _MISSING)
        if qtype is _MISSING:
            self.error(path, "question type is required")
        elif qtype not in QUESTION_TYPES:
            self.error((*path, "type"), f"unknown question type {qtype!r} (expected one of: "
                                        f"{', '.join(QUESTION_TYPES)})")
            qtype = None
        q: dict[str, Any] = {"key": key, "type": qtype}
        q["required"] = self.boolean(d.get("required", False), (*path, "required"))
        q["page"] = self.integer(d.get("page", 1), (*path, "page"), minimum=1, maximum=100)
        q["options"] = self.options(d.get("options"), path, qtype)
        q["settings"] = self.settings(d.get("settings"), path, qtype)
        q["condition"] = self.condition(d.get("condition"), path, key, q["page"], earlier, set(seen))
        q["texts"] = self.question_texts(d.get("texts", _MISSING), path, languages, q)
        return q

    def options(self, value: Any, path: Path, qtype: str | None) -> list[str]:
        p: Path = (*path, "options")
        if qtype in CHOICE_TYPES:
            if not isinstance(value, list) or not value:
                self.error(p, f"a {qtype} question needs a non-empty list of options")
                return []
        elif value in (None, []):
            return []
        else:
            self.error(p, "options are only for single_choice and multiple_choice questions")
            return []
        out: list[str] = []
        for j, raw in enumerate(value):
            word = self.word(raw, (*p, j))
            if word is None:
                continue
            if word in out:
                self.error((*p, j), f"duplicate option {word!r}")
            else:
                out.append(word)
        return out

    def settings(self, value: Any, path: Path, qtype: str | None) -> dict[str, Any]:
        p: Path = (*path, "settings")
        allowed = SETTINGS_BY_TYPE.get(qtype or "", ())
        if value is None:
            value = {}
        d = self.mapping(value, p, allowed or ("(none for this type)",), f"settings of a {qtype} question")
        if d is None:
            return {}
        out: dict[str, Any] = {}
        if "max_length" in d:
            out["max_length"] = self.integer(d["max_length"], (*p, "max_length"), minimum=1, maximum=MAX_TEXT_LENGTH)
        for bound in ("min", "max"):
            if bound in d:
                out[bound] = self.integer(d[bound], (*p, bound), minimum=-100, maximum=100)
        if isinstance(out.get("min"), int) and isinstance(out.get("max"), int) and out["min"] >= out["max"]:
            self.error((*p, "max"), "must be greater than min")
        if "max_choices" in d:
            out["max_choices"] = self.integer(d["max_choices"], (*p, "max_choices"), minimum=1, maximum=100)
        if "allow_other" in d:
            out["allow_other"] = self.boolean(d["allow_other"], (*p, "allow_other"))
        if qtype == "matrix":
            statements = d.get("statements")
            if not isinstance(statements, list) or not statements:
                self.error((*p, "statements"), "a matrix question needs a non-empty list of statement keys")
            else:
                keys: list[str] = []
                for j, raw in enumerate(statements):
                    word = self.word(raw, (*p, "statements", j))
                    if word is not None and word in keys:
                        self.error((*p, "statements", j), f"duplicate statement {word!r}")
                    elif word is not None:
                        keys.append(word)
                out["statements"] = keys
        return out

    def condition(
        self, value: Any, path: Path, key: Any, page: Any, earlier: list[dict[str, Any]], earlier_keys: set[str]
    ) -> dict[str, Any] | None:
        if value is None:
            return None
        p: Path = (*path, "condition")
        d = self.mapping(value, p, ("question", "in"), "condition")
        if d is None:
            return None
        target = d.get("question", _MISSING)
        values = d.get("in", _MISSING)
        ok = True
        if target is _MISSING:
            self.error(p, "condition needs 'question' (the key of an earlier question)")
            ok = False
        elif target == key:
            self.error((*p, "question"), "a question cannot depend on itself")
            ok = False
        elif target not in earlier_keys:
            self.error((*p, "question"), f"refers to {target!r}, which is not an earlier question")
            ok = False
        if not isinstance(values, list) or not values:
            self.error((*p, "in"), "must be a non-empty list of answer values")
            return None
        for j, v in enumerate(values):
            if v is None or isinstance(v, dict | list | float):
                self.error((*p, "in", j), f"must be text, a whole number or true/false, not {_kind(v)}")
                ok = False
        values = list(values)
        if ok:
            ref = next(q for q in earlier if q.get("key") == target)
            allowed: list[Any] | None = None
            if ref["page"] is not None and isinstance(page, int) and ref["page"] > page:
                self.error((*p, "question"), f"refers to {target!r}, which is on a later page ({ref['page']})")
            if ref["type"] in CHOICE_TYPES:
                allowed = ref["options"] + (["other"] if ref["settings"].get("allow_other") else [])
                values = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
            elif ref["type"] in ("yes_no", "consent"):
                allowed = ["yes", "no"]
                # YAML 1.1 reads an unquoted yes/no as true/false.
                values = [{True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v for v in values]
            if allowed is not None:
                for j, v in enumerate(values):
                    if v not in allowed:
                        self.error((*p, "in", j), f"{v!r} is not an answer of {target!r} "
                                                  f"(expected one of: {', '.join(map(str, allowed))})")
        return {"question": target, "in": values}

    def question_texts(
        self, value: Any, path: Path, languages: list[str], q: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        p: Path = (*path, "texts")
        if value is _MISSING:
            self.error(path, f"question texts are required for each language ({', '.join(languages)})")
            return {}
        d = self.mapping(value, p, tuple(languages), "question texts")
        if d is None:
            return {}
        out: dict[str, dict[str, Any]] = {}
        for lang in languages:
            lp: Path = (*p, lang)
            if lang not in d:
                self.error(p, f"missing texts for language {lang!r}")
                continue
            t = self.mapping(d[lang], lp, QUESTION_TEXT_KEYS, f"texts.{lang}")
            if t is None:
                continue
            entry: dict[str, Any] = {"label": self.text(t.get("label", _MISSING), (*lp, "label"), required=True,
                                                        max_length=1000)}
            help_text = self.text(t.get("help"), (*lp, "help"), required=False)
            if help_text:
                entry["help"] = help_text
            for field, expected, what in (("options", q["options"], "option"),
                                          ("statements", q["settings"].get("statements") or [], "statement")):
                labels = self.labels(t.get(field), (*lp, field), expected, what, lang)
                if labels:
                    entry[field] = labels
            out[lang] = entry
        return out

    def labels(self, value: Any, path: Path, expected: list[str], what: str, lang: str) -> dict[str, str]:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.error(path, f"must be a mapping of {what} to label, not {_kind(value)}")
            return {}
        out: dict[str, str] = {}
        for raw_key, raw_label in value.items():
            k = str(raw_key) if isinstance(raw_key, int) and not isinstance(raw_key, bool) else raw_key
            if k not in expected:
                self.error((*path, raw_key), f"unknown {what} {k!r}")
                continue
            label = self.text(raw_label, (*path, raw_key), required=True, max_length=500)
            if label:
                out[k] = label
        for k in expected:
            if k not in out and not any(p.field.startswith(path_text((*path, k))) for p in self.problems):
                self.error(path, f"missing label for {what} {k!r} in language {lang!r}")
        return {k: out[k] for k in expected if k in out}


def _kind(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"[:60]
