"""Write a canonical definition as YAML or JSON that `parse_definition` reads back to an equal dict."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import yaml


def to_plain(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as JSON-safe data, leaving out empty optional fields so files stay short."""
    out: dict[str, Any] = {}
    for key, value in definition.items():
        if key == "questions":
            out[key] = [_question(q) for q in value]
        elif isinstance(value, datetime):
            out[key] = _moment(value)
        elif value is not None:
            out[key] = value
    return out


def dump_definition(definition: dict[str, Any], fmt: str = "yaml") -> str:
    plain = to_plain(definition)
    if fmt == "json":
        return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
    raise ValueError(f"unknown format {fmt!r}: expected yaml or json")


def _question(q: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in q.items():
        if key in ("options", "settings", "condition") and not value:
            continue
        out[key] = value
    return out


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
