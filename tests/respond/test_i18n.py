"""Catalogs: every respondent string is translated, and the committed .mo files match the .po files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from survey_app.respond.i18n import TRANSLATIONS_DIR, Translator, choose_language

ROOT = Path(__file__).resolve().parents[2]


def _source_ids() -> set[str]:
    ids: set[str] = set()
    method_map = [("survey_app/respond/**.py", "python"), ("survey_app/templates/respond/**.html", "jinja2")]
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map, keywords={"_": None, "N_": None}
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.mark.parametrize("lang", ["de", "pl", "es"])
def test_every_string_is_translated_and_compiled(lang: str) -> None:
    folder = TRANSLATIONS_DIR / lang / "LC_MESSAGES"
    po = read_po(io.BytesIO((folder / "messages.po").read_bytes()))
    mo = read_mo(io.BytesIO((folder / "messages.mo").read_bytes()))
    translated = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_ids() - set(translated))
    assert missing == [], f"untranslated in {lang}: {missing[:5]} (pybabel extract/update, then compile)"
    assert {m.id: m.string for m in mo if m.id} == translated, "run `pybabel compile -d survey_app/translations`"


def test_placeholders_survive_translation() -> None:
    assert Translator("de")("Page %(n)s of %(total)s", n=2, total=3) == "Seite 2 von 3"
    assert Translator("pl")("Up to %(max)s characters.", max=50) == "Do 50 znaków."


def test_language_choice() -> None:
    assert choose_language(["en", "de"], "en", "de", None) == "de"
    assert choose_language(["en", "de"], "de", "fr", None) == "de"  # not offered: survey default
