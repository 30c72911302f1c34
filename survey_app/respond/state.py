"""The signed draft carried in the form between pages, so anonymous respondents need no server session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from survey_app.respond.tokens import new_submission_id

SALT = "heedful.respond.draft"
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")


class BadState(ValueError):
    """The draft in the form was not made by us (tampered, or for another survey)."""


@dataclass
class Draft:
    page: int
    raw: dict[str, Any] = field(default_factory=dict)
    # Names this filling-in of the survey from its first page on: the final POST stores the response
    # under it once, and a replay (double tap, resend, a phone retrying) finds that response instead.
    submission: str = field(default_factory=new_submission_id)

    def at(self, page: int) -> Draft:
        """The same answers and submission, shown at `page`."""
        return Draft(page, self.raw, self.submission)


def _serializer(secret: str) -> URLSafeSerializer:
    # Signed, not encrypted: it holds only what this person typed, shown back to them anyway.
    return URLSafeSerializer(secret, salt=SALT)


def dump_draft(secret: str, survey_id: int, draft: Draft) -> str:
    return _serializer(secret).dumps({"s": survey_id, "p": draft.page, "r": draft.raw, "n": draft.submission})


def load_draft(secret: str, survey_id: int, token: str) -> Draft:
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        raise BadState("draft signature does not match") from None
    if not isinstance(data, dict) or data.get("s") != survey_id or not isinstance(data.get("r"), dict):
        raise BadState("draft belongs to another survey")
    page = data.get("p")
    draft = Draft(page=page if isinstance(page, int) else 1, raw=_clean_raw(data["r"]))
    submission = data.get("n")
    if isinstance(submission, str) and _SUBMISSION_ID.fullmatch(submission):
        draft.submission = submission  # else a form from before submission ids: it gets a new one
    return draft


def draft_from_json(data: Any) -> Draft | None:
    """Invitation.draft as stored by save & resume."""
    if not isinstance(data, dict) or not isinstance(data.get("raw"), dict):
        return None
    page = data.get("page")
    return Draft(page=page if isinstance(page, int) else 1, raw=_clean_raw(data["raw"]))


def draft_to_json(draft: Draft) -> dict[str, Any]:
    # Without the submission id: a resumed draft is a new filling-in, and the invitation row (which holds
    # the address it was sent to) must keep nothing that names a response.
    return {"page": draft.page, "raw": draft.raw}


def _clean_raw(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, str):
            out[str(k)] = v
        elif isinstance(v, list):
            out[str(k)] = [str(x) for x in v]
    return out
