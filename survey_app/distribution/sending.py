"""Email invitations and reminders. Each message carries a fresh token made in the same step.

Selection: invitations with an email, not used, not expired. An invitation is sent once (sent_at) and
reminded once (reminded_at, only after it was sent). The token hash is stored only after the server
accepted the message, so a failed send leaves the invitation as it was, ready for the next run.
Work goes in batches ordered by id; the caller commits after each batch (a checkpoint), so a crash
or a dead mail server loses at most the batch in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from common.mail import MailError, RecipientRefused
from models import Invitation, Survey
from survey_app.respond.tokens import invitation_token_hash, new_invitation_token

BATCH_SIZE = 50


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass
class SendResult:
    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, reason)
    last_id: int = 0
    aborted: str | None = None  # why the mail server stopped us, when it did
    done: bool = False  # no more eligible invitations after last_id


def invitation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/i/{token}"


def send_batch(
    session: Session, survey: Survey, mailer: Mailer, base_url: str, *, reminder: bool = False,
    after_id: int = 0, batch_size: int = BATCH_SIZE, now: datetime | None = None,
) -> SendResult:
    """Send invitations (or reminders) to the next `batch_size` eligible invitations after `after_id`."""
    now = now or datetime.now(UTC)
    stmt = select(Invitation).where(
        Invitation.survey_id == survey.id,
        Invitation.id > after_id,
        Invitation.email.is_not(None),
        Invitation.used_at.is_(None),
        or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
    )
    if reminder:
        stmt = stmt.where(Invitation.sent_at.is_not(None), Invitation.reminded_at.is_(None))
    else:
        stmt = stmt.where(Invitation.sent_at.is_(None))
    batch = list(session.scalars(stmt.order_by(Invitation.id).limit(batch_size)))
    result = SendResult(last_id=after_id, done=len(batch) < batch_size)
    for inv in batch:
        token = new_invitation_token()
        subject, body = compose(survey, inv, invitation_link(base_url, token), reminder=reminder)
        try:
            mailer.send(inv.email or "", subject, body)
        except RecipientRefused as exc:
            result.failed.append((inv.email or "", str(exc)))
            result.last_id = inv.id
            continue
        except MailError as exc:
            result.aborted = str(exc)
            result.done = True
            break
        inv.token_hash = invitation_token_hash(token)
        if reminder:
            inv.reminded_at = now
        else:
            inv.sent_at = now
        result.sent += 1
        result.last_id = inv.id
    session.flush()
    return result


def compose(survey: Survey, inv: Invitation, link: str, *, reminder: bool) -> tuple[str, str]:
    """Subject and plain-text body in the invitee's language (attribute `language`) or the survey's default."""
    lang = str((inv.attributes or {}).get("language") or "")
    if lang not in survey.languages:
        lang = survey.default_language
    texts = (survey.texts or {}).get(lang) or {}
    title = texts.get("title") or survey.title
    words = MAIL_WORDS.get(lang.split("-")[0], MAIL_WORDS["en"])
    subject = f"{words['reminder']}: {title}" if reminder else title
    parts = [texts["intro"]] if texts.get("intro") else []
    parts.append(f"{words['open']}\n{link}")
    if reminder:
        parts.append(words["replaces"])
    parts.append(words["personal"])
    if inv.expires_at is not None:
        parts.append(f"{words['until']} {inv.expires_at:%Y-%m-%d}.")
    return subject, "\n\n".join(parts) + "\n"


# Fixed sentences of the email; languages without an entry fall back to English.
MAIL_WORDS: dict[str, dict[str, str]] = {
    "en": {"reminder": "Reminder", "open": "Open your survey:",
           "replaces": "This link replaces the one we sent earlier.",
           "personal": "The link is personal and works once. Please do not forward it.",
           "until": "It works until"},
    "de": {"reminder": "Erinnerung", "open": "Zur Umfrage:",
           "replaces": "Dieser Link ersetzt den zuvor gesendeten.",
           "personal": "Der Link ist persönlich und nur einmal gültig. Bitte nicht weiterleiten.",
           "until": "Er ist gültig bis"},
    "fr": {"reminder": "Rappel", "open": "Ouvrir le questionnaire :",
           "replaces": "Ce lien remplace celui envoyé précédemment.",
           "personal": "Ce lien est personnel et ne sert qu'une fois. Merci de ne pas le transférer.",
           "until": "Il est valable jusqu'au"},
    "es": {"reminder": "Recordatorio", "open": "Abrir la encuesta:",
           "replaces": "Este enlace sustituye al que enviamos antes.",
           "personal": "El enlace es personal y solo funciona una vez. No lo reenvíe.",
           "until": "Es válido hasta el"},
}


def send_all(
    session: Session, survey: Survey, mailer: Mailer, base_url: str, *, commit: Callable[[], None],
    reminder: bool = False, batch_size: int = BATCH_SIZE,
) -> SendResult:
    """Send every batch, calling `commit()` after each: the edge owns the transaction and passes its commit."""
    total = SendResult()
    after = 0
    while True:
        r = send_batch(session, survey, mailer, base_url, reminder=reminder, after_id=after, batch_size=batch_size)
        commit()
        total.sent += r.sent
        total.failed += r.failed
        after = total.last_id = r.last_id
        if r.aborted:
            total.aborted = r.aborted
        if r.done:
            total.done = r.aborted is None
            return total
