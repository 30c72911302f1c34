"""QR codes per site for worker surveys: a random SiteLink code per (survey, site), and the poster texts."""

from __future__ import annotations

import io
import secrets

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Site, SiteLink, Survey


def site_link_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/q/{code}"


def ensure_site_links(session: Session, survey: Survey) -> list[SiteLink]:
    """One link per site for this survey (creating the missing ones); returns them ordered by site name."""
    existing = {link.site_id: link for link in session.scalars(select(SiteLink).where(SiteLink.survey_id == survey.id))}
    for site in session.scalars(select(Site)):
        if site.id not in existing:
            # 96 random bits: a code on a poster cannot be guessed to post as another site.
            link = SiteLink(survey_id=survey.id, site_id=site.id, code=secrets.token_urlsafe(12))
            session.add(link)
            existing[site.id] = link
    session.flush()
    return sorted(existing.values(), key=lambda link: (link.site.name.lower(), link.site.code))


def get_site_link(session: Session, survey_id: int, site_code: str) -> SiteLink | None:
    return session.scalar(select(SiteLink).join(Site).where(SiteLink.survey_id == survey_id, Site.code == site_code))


def qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=2, xmldecl=False, svgns=True, omitsize=True,
                                     title="QR code")
    return out.getvalue().decode("utf-8")


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=12, border=2)
    return out.getvalue()


# "Scan to report a hazard — anonymous", per language; the survey may override with texts.<lang>.poster.
POSTER_WORDS: dict[str, tuple[str, str]] = {
    "en": ("Scan to report a hazard", "anonymous"),
    "de": ("Scannen, um eine Gefahr zu melden", "anonym"),
    "fr": ("Scannez pour signaler un danger", "anonyme"),
    "es": ("Escanee para informar de un peligro", "anónimo"),
    "it": ("Scansiona per segnalare un pericolo", "anonimo"),
    "nl": ("Scan om een gevaar te melden", "anoniem"),
    "pt": ("Digitalize para relatar um perigo", "anónimo"),
    "pl": ("Zeskanuj, aby zgłosić zagrożenie", "anonimowo"),
    "tr": ("Bir tehlikeyi bildirmek için tarayın", "anonim"),
    "ro": ("Scanați pentru a raporta un pericol", "anonim"),
}


def poster_lines(survey: Survey) -> list[tuple[str, str]]:
    """(language, instruction) for each survey language, in the survey's order."""
    out: list[tuple[str, str]] = []
    for lang in survey.languages:
        custom = ((survey.texts or {}).get(lang) or {}).get("poster")
        if custom:
            out.append((lang, custom))
            continue
        scan, anonymous = POSTER_WORDS.get(lang.split("-")[0], POSTER_WORDS["en"])
        out.append((lang, f"{scan} — {anonymous}"))
    return out
