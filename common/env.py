"""Reading HEEDFUL_* settings: one parser per kind of value, one error that names the variable.

Both the deployment settings (models/settings.py) and the NLP settings (nlp/settings.py) read their
variables through `read`, so a value means the same and fails the same way wherever it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

PREFIX = "HEEDFUL_"

T = TypeVar("T")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class SettingError(ValueError):
    """A HEEDFUL_* variable holds a value that cannot be used; the message is one line naming it."""


def read(
    env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T, *, blank_is_unset: bool = True
) -> T:
    """`env[name]` parsed by `parse`, or `default` when unset; SettingError naming the variable.

    A blank value (`HEEDFUL_SMTP_HOST=` in an env file) counts as unset unless `blank_is_unset` is False,
    for values such as a model id where an empty string can only be a mistake.
    """
    raw = env.get(name)
    if raw is None or (blank_is_unset and not raw.strip()):
        return default
    try:
        return parse(raw.strip())
    except ValueError as exc:
        raise SettingError(f"{name} {exc}, not {raw!r}") from None


def whole_number(minimum: int = 0) -> Callable[[str], int]:
    """A parser for integers of at least `minimum`."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return parse


def fraction(raw: str) -> float:
    """A number between 0 and 1."""
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("must be a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


def boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("must be true or false (1/0, yes/no, on/off)")


def text(raw: str) -> str:
    """Any text but an empty one."""
    if not raw:
        raise ValueError("must not be empty")
    return raw


def comma_list(raw: str) -> tuple[str, ...]:
    """`a@x, b@y` → ("a@x", "b@y"); empty items are dropped."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def existing_file(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ValueError("must name a readable file")
    return path.resolve()
