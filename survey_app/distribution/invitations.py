"""Bulk invitations from a CSV file: every line checked first, then all rows created, or none.

Columns: `email` (required) plus any attributes (customer_id, region, channel, product, language...),
which are kept in Invitation.attributes and copied onto the response as its segment.

Tokens: only the SHA-256 of a token is stored, so a token can be emailed only when it is made. An
imported invitation therefore gets a throw-away token (its link works for nobody) and a fresh token is
made and emailed at send time; a reminder makes another fresh token, which replaces the first link.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Invitation, Survey
from survey_app.respond.tokens import invitation_token_hash, new_invitation_token

EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")
ATTRIBUTE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ROWS = 50_000
MAX_VALUE = 200


class InvitationImportError(ValueError):
    """The CSV cannot be imported; `problems` holds one line per problem ("line 4: ...")."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class InvitationRow:
    line: int
    email: str
    attributes: dict[str, Any] = field(default_factory=dict)


def parse_invitation_csv(data: bytes | str) -> list[InvitationRow]:
    """Read and check every row; raise InvitationImportError listing all problems by line."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvitationImportError([f"the file is not UTF-8 text (byte {exc.start})"]) from None
    data = data.lstrip("\ufeff")
    # Spreadsheets export with commas, semicolons (European locales) or tabs: the header line decides.
    first = data.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    problems: list[str] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvitationImportError(["the file is empty: expected a header line with an 'email' column"]) from None
    except csv.Error as exc:
        raise InvitationImportError([f"line 1: {exc}"]) from None
    if "email" not in header:
        problems.append("line 1: no 'email' column in the header")
    for i, name in enumerate(header):
        if name != "email" and not ATTRIBUTE_RE.match(name):
            problems.append(f"line 1: column {i + 1} name {name!r} must be lower-case letters, digits and _")
        if header.count(name) > 1 and header.index(name) == i:
            problems.append(f"line 1: column {name!r} appears more than once")
    if problems:
        raise InvitationImportError(problems)
    rows: list[InvitationRow] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(f"line {line}: more than {MAX_ROWS} invitations in one file: split it")
                break
            if len(values) != len(header):
                problems.append(f"line {line}: {len(values)} values, but the header has {len(header)} columns")
                continue
            record = {h: v.strip() for h, v in zip(header, values, strict=True)}
            email = record.pop("email")
            if not EMAIL_RE.match(email) or len(email) > 320:
                problems.append(f"line {line}: email {email!r} is not a valid address")
                continue
            key = email.lower()
            if key in seen:
                problems.append(f"line {line}: email {email} already appears on line {seen[key]}")
                continue
            seen[key] = line
            long = [k for k, v in record.items() if len(v) > MAX_VALUE]
            if long:
                problems.append(f"line {line}: {long[0]} is longer than {MAX_VALUE} characters")
                continue
            rows.append(InvitationRow(line, email, {k: v for k, v in record.items() if v}))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
    if not rows and not problems:
        problems.append("the file has a header but no invitations")
    if problems:
        raise InvitationImportError(problems)
    return rows


def create_invitations(
    session: Session, survey: Survey, rows: list[InvitationRow], *, expires_days: int | None = None,
    now: datetime | None = None, actor_id: int | None = None,
) -> list[Invitation]:
    """Add one invitation per row; refuse the whole file when an address was already invited to this survey."""
    now = now or datetime.now(UTC)
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise InvitationImportError([f"expiry must be between 1 and 3650 days, not {expires_days}"])
    emails = [r.email.lower() for r in rows]
    taken: set[str] = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        existing = session.scalars(select(Invitation.email).where(Invitation.survey_id == survey.id,
                                                                  Invitation.email.in_(chunk)))
        taken.update(e.lower() for e in existing if e)
    problems = [f"line {r.line}: {r.email} was already invited to this survey" for r in rows
                if r.email.lower() in taken]
    if problems:
        raise InvitationImportError(problems)
    expires = now + timedelta(days=expires_days) if expires_days else None
    invitations = [
        Invitation(survey_id=survey.id, email=r.email.lower(), attributes=r.attributes, expires_at=expires,
                   # A placeholder: this token is never shown, so the link works only once sent.
                   token_hash=invitation_token_hash(new_invitation_token()))
        for r in rows
    ]
    session.add_all(invitations)
    session.flush()
    session.add(AuditEntry(actor_id=actor_id, action="invitations.import", target_type="survey",
                           target_id=str(survey.id), detail={"count": len(invitations)}))
    return invitations
