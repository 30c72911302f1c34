"""Hypothesis strategies for valid survey definitions in canonical form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from models.survey import QUESTION_TYPES, THRESHOLD_FLOORS

keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
words = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
# Printable text, no surrounding whitespace (the validator strips it).
texts = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=30).map(
    str.strip).filter(bool)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC))


@st.composite
def questions(draw: st.DrawFn, languages: list[str]) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 6))
    qkeys = draw(st.lists(keys, min_size=n, max_size=n, unique=True))
    out: list[dict[str, Any]] = []
    for key in qkeys:
        qtype = draw(st.sampled_from(QUESTION_TYPES))
        options: list[str] = []
        settings: dict[str, Any] = {}
        if qtype in ("single_choice", "multiple_choice"):
            options = draw(st.lists(words, min_size=1, max_size=4, unique=True))
            if draw(st.booleans()):
                settings["allow_other"] = draw(st.booleans())
        if qtype in ("short_text", "long_text") and draw(st.booleans()):
            settings["max_length"] = draw(st.integers(1, 5000))
        if qtype == "multiple_choice" and draw(st.booleans()):
            settings["max_choices"] = draw(st.integers(1, 5))
        if qtype == "rating" and draw(st.booleans()):
            lo = draw(st.integers(-5, 5))
            settings.update(min=lo, max=lo + draw(st.integers(1, 10)))
        if qtype == "matrix":
            settings["statements"] = draw(st.lists(words, min_size=1, max_size=3, unique=True))
        condition = None
        page = draw(st.integers(1, 5))
        choices = [q for q in out if q["type"] in ("single_choice", "multiple_choice") and q["page"] <= page]
        if choices and draw(st.booleans()):
            ref = draw(st.sampled_from(choices))
            condition = {"question": ref["key"], "in": draw(st.lists(st.sampled_from(ref["options"]), min_size=1,
                                                                    unique=True))}
        qtexts: dict[str, Any] = {}
        for lang in languages:
            entry: dict[str, Any] = {"label": draw(texts)}
            if draw(st.booleans()):
                entry["help"] = draw(texts)
            if options:
                entry["options"] = {o: draw(texts) for o in options}
            if settings.get("statements"):
                entry["statements"] = {s: draw(texts) for s in settings["statements"]}
            qtexts[lang] = entry
        out.append({"key": key, "type": qtype, "required": draw(st.booleans()), "page": page,
                    "options": options, "settings": settings, "condition": condition, "texts": qtexts})
    return out


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    languages = draw(st.lists(st.sampled_from(["en", "de", "fr", "pt-BR", "nl"]), min_size=1, max_size=3,
                              unique=True))
    opens = draw(st.none() | moments)
    closes = None
    if draw(st.booleans()):
        closes = (opens or datetime(2000, 1, 1, tzinfo=UTC)) + timedelta(minutes=draw(st.integers(1, 10**6)))
    taxonomy = draw(st.none() | st.builds(lambda names, th: {
        **({"threshold": th} if th is not None else {}),
        "topics": [{"name": n, "description": f"about {n}"} for n in names]},
        st.lists(words, min_size=1, max_size=3, unique=True), st.none() | st.sampled_from([0.25, 0.5, 1.0])))
    audience = draw(st.sampled_from(["customer", "worker"]))
    floors = THRESHOLD_FLOORS.get(audience, {})
    return {
        "slug": draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True)),
        "title": draw(texts),
        "audience": audience,
        "languages": languages,
        "default_language": draw(st.sampled_from(languages)),
        "texts": {lang: draw(st.fixed_dictionaries({}, optional={"title": texts, "intro": texts, "thanks": texts}))
                  for lang in languages},
        "opens_at": opens,
        "closes_at": closes,
        "response_cap": draw(st.none() | st.integers(1, 10**6)),
        "min_group_size": draw(st.integers(floors.get("min_group_size", 1), 50)),
        "min_comment_group_size": draw(st.integers(floors.get("min_comment_group_size", 1), 50)),
        "retention_months": draw(st.none() | st.integers(1, 1200)),
        "rate_limit_per_minute": draw(st.none() | st.integers(1, 100_000)),
        "taxonomy": taxonomy,
        "questions": draw(questions(languages)),
    }
