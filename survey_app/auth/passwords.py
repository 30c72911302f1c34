"""Argon2id password hashing (argon2-cffi defaults follow RFC 9106's recommendations) and the password policy."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


MIN_PASSWORD_LENGTH = 12
# zxcvbn looks at most this many characters (its own limit is 72, and its time grows with length); a
# password longer than this is at least as strong as its first 64 characters.
_ESTIMATE_CHARS = 64


def password_problem(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why `password` is too weak for an account, in words to show; None when it is acceptable.

    At least 12 characters, not on zxcvbn's list of 30,000 common passwords (case-insensitive), and
    scored 3 of 4 or better by zxcvbn's guess estimate, which also catches repeats, keyboard runs,
    dates and the email itself ("aaaaaaaaaaaa", "qwertyuiop12", "ana@example.org").
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"password must be at least {MIN_PASSWORD_LENGTH} characters"
    if password.lower() in _common_passwords():
        return "password is one of the most common passwords: choose another"
    estimate = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=list(user_inputs))
    if estimate["score"] < 3:
        hint = estimate["feedback"]["warning"] or "add a few uncommon words"
        return f"password is too easy to guess ({hint.rstrip('.')}): choose a longer or less predictable one"
    return None


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])
