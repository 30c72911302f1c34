"""JSON errors for /api/v1: one shape, {"error": {"status", "message", "parameter"?}}, for every failure."""

from __future__ import annotations

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from survey_app.api.schemas import Error, ErrorDetail

API_PREFIX = "/api/v1/"


class ApiError(Exception):
    """A refusal the client can act on; `parameter` names the query or path parameter at fault."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, message: str, parameter: str | None = None) -> Response:
    resp = jsonify(Error(error=ErrorDetail(status=status, message=message, parameter=parameter)).model_dump())
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="heedful"'
    return resp


def http_error_response(exc: HTTPException) -> Response:
    """An HTTP error (routing 404/405, abort(), a bad request) as JSON; a 405 says which methods are allowed."""
    resp = error_response(exc.code or 500, exc.description or exc.name)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return resp
