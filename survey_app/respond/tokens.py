"""Invitation tokens and receipt codes: random, unguessable, and only the invitation token's hash is stored."""

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
