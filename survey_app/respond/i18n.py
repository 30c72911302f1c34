"""Respondent UI translations (gettext catalogs under survey_app/translations) and language choice.

Babel is used directly rather than Flask-Babel so the respondent blueprint owns its language choice
(survey languages, `?lang=`, Accept-Language) without app-wide locale state; templates get `_`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from werkzeug.datastructures import LanguageAccept

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
UI_LANGUAGES = ("en", "de", "pl", "es")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "pl": "Polski", "es": "Español", "fr": "Français"}


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    if lang == "en" or lang not in UI_LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")


class Translator:
    """`_("Page %(n)s of %(total)s", n=1, total=3)` in templates and views."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._t = translations(lang)

    def __call__(self, message: str, **params: Any) -> str:
        text = self._t.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text % {"n": n, **params}


def _base(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def choose_language(
    offered: Sequence[str], default: str, requested: str | None, accept: LanguageAccept | None
) -> str:
    """`?lang=` when the survey offers it, else the best Accept-Language match, else the survey default."""
    offered = [_base(x) for x in offered if x] or [default]
    if requested and _base(requested) in offered:
        return _base(requested)
    if accept:
        for value, _quality in accept:
            if _base(value) in offered:
                return _base(value)
    return default if default in offered else offered[0]


def ui_language(requested: str | None, accept: LanguageAccept | None) -> str:
    """For pages without a survey (a bad link): the visitor's language if we have a catalog for it."""
    return choose_language(UI_LANGUAGES, "en", requested, accept)


def language_choices(offered: Iterable[str]) -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in offered]
