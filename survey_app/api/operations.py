"""Declaring an API operation: one decorator gives the view its token check, its parameter checks and its
answer shape, and records what openapi.py puts into the document, so the two cannot drift.

Query parameters are read strictly: one that the operation does not declare, one given twice and one given
empty are refused with a 400 that names it, before the declared checks (type, range, length, enum) run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from models import User
from survey_app.api.errors import ApiError, error_response
from survey_app.api.schemas import Answer, NoQuery, Parameters
from survey_app.api.tokens import authenticate_token
from survey_app.extensions import csrf, db


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one view."""

    operation_id: str
    summary: str
    answer: type[Answer]
    answer_description: str
    query: type[Parameters]
    path: type[Parameters] | None
    errors: tuple[int, ...]


def api_operation(operation_id: str, summary: str, *, answer: type[Answer], answer_description: str,
                  query: type[Parameters] = NoQuery, path: type[Parameters] | None = None,
                  errors: tuple[int, ...] = ()) -> Callable[[Callable[..., Answer]], Callable[..., Any]]:
    """Make `view(**path_parameters, query=...) -> Answer` an authenticated JSON operation.

    `errors` lists the statuses the view itself may answer besides 400 and 401, which every operation may.
    """
    op = Operation(operation_id, summary, answer, answer_description, query, path,
                   tuple(sorted({400, 401, *errors})))

    def decorator(view: Callable[..., Answer]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(**path_values: Any) -> Any:
            user = authenticate_token(db.session, request.headers.get("Authorization"))
            if user is None:
                return error_response(401, "A valid API token is required: send Authorization: Bearer <token>.")
            db.session.commit()  # last_used_at
            g.api_user = user
            arguments = parse_path(op.path, path_values) if op.path else {}
            answer = view(**arguments, query=parse_query(op.query, request.args))
            return jsonify(answer.model_dump(mode="json"))

        wrapped.api_operation = op  # type: ignore[attr-defined]
        csrf.exempt(wrapped)  # bearer tokens, not cookies: nothing for a cross-site form to ride on
        return wrapped

    return decorator


def api_user() -> User:
    """The user whose token authenticated this request."""
    user: User = g.api_user
    return user


def parse_query(model: type[Parameters], args: MultiDict[str, str]) -> Any:
    """The declared query parameters, or ApiError(400) naming the first one at fault."""
    declared = model.model_fields
    for name in args:
        values = args.getlist(name)
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise ApiError(400, f"unknown parameter {name!r} (this operation takes: {known})", name)
        if len(values) > 1:
            raise ApiError(400, f"{name} is given {len(values)} times: give it once", name)
        if values[0] == "":
            raise ApiError(400, f"{name} is empty: give a value or leave it out for the default", name)
    return _validate(model, args.to_dict(), status=400)


def parse_path(model: type[Parameters], values: Mapping[str, Any]) -> dict[str, Any]:
    """Path parameters outside their declared range name nothing: 404."""
    parsed = _validate(model, dict(values), status=404)
    return dict(parsed)


def _validate(model: type[BaseModel], values: dict[str, Any], *, status: int) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise ApiError(status, f"{name}: {first['msg']}", name) from None
