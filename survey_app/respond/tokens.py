"""Invitation tokens, receipt codes and submission ids: random, unguessable; of tokens and submission ids
only the hash is stored."""

from __future__ import annotations

import hashlib
import secrets

# Crockford-style alphabet without 0/O, 1/I/L and U: easy to read aloud and to type from a slip of paper.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 10  # 30 ** 10 ≈ 2^49: enough that codes cannot be guessed or enumerated


def new_invitation_token() -> str:
    """A fresh URL-safe token carrying 256 random bits; give it to the invitee, store only its hash."""
    return secrets.token_urlsafe(32)


def invitation_token_hash(token: str) -> str:
    """The SHA-256 hex digest stored in Invitation.token_hash."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_receipt_code() -> str:
    """A short code a worker can note down and later use to follow what happened to their report."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


SUBMISSION_ID_BYTES = 16  # 128 random bits: two respondents never draw the same id


def new_submission_id() -> str:
    """The id of one filling-in of a survey, carried in the signed form state from the first page on.

    Drawn at random, never derived from the person, the link or the time: it can place or name no one.
    """
    return secrets.token_urlsafe(SUBMISSION_ID_BYTES)


def submission_key(submission_id: str) -> str:
    """The SHA-256 hex digest stored in Response.submission_key: a replay finds the response it stored,
    while the database alone cannot give back the id that sits in the respondent's page."""
    return hashlib.sha256(submission_id.encode("utf-8", "surrogatepass")).hexdigest()
