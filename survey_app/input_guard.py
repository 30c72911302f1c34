"""Input no page can use is refused at the door with a 4xx, before it can reach the database as an error.

- Ids in URLs: the `int` converter matches only what an INTEGER column holds (32-bit), so an id like
  99999999999999999999 is a plain 404 rather than an overflow in the driver.
- NUL characters: no text Heedful keeps may hold one (PostgreSQL refuses them in text outright), so a
  form field, query parameter or path with one is a 400. Respondent pages are left out (they show the
  typed text again whatever happens, and drop NULs from answers themselves), and so is the JSON API,
  whose strict parameter checks refuse a NUL naming the parameter.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

ID_MAX = 2**31 - 1  # INTEGER primary keys on SQLite and PostgreSQL alike; anonymous ids are their negatives


class DatabaseId(IntegerConverter):
    """`<int:x>` and `<int(signed=True):x>` limited to the range an id column can hold."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        low = min if min is not None else (-ID_MAX if signed else None)
        super().__init__(map, fixed_digits, low, max if max is not None else ID_MAX, signed)


def init_input_guard(app: Flask) -> None:
    """Install the id converter (before any blueprint adds routes) and the NUL check."""
    app.url_map.converters["int"] = DatabaseId
    app.before_request(_refuse_nul)


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def _refuse_nul() -> None:
    if (request.blueprint or "") in ("respond", "api"):
        return
    if "\x00" in request.path or _has_nul(request.args) or (request.method != "GET" and _has_nul(request.form)):
        abort(400, description="The request contains a NUL character, which no field may hold.")
