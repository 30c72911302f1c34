"""The OpenAPI 3.1 document of /api/v1, made from the operations the app serves and their pydantic models.

Paths come from the URL rules of the views declared with `api_operation`; parameters and answers from the
models in schemas.py, which also do the validating. Nothing here is written twice.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic.json_schema import models_json_schema

from survey_app.api.operations import Operation
from survey_app.api.schemas import Error, Parameters

REF = "#/components/schemas/{model}"
ERROR_TEXT = {400: "Invalid parameter (unknown, repeated, empty or out of range; `parameter` names it)",
              401: "Missing, unknown or revoked token", 403: "Not allowed for this user", 404: "No such survey"}
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def build_document(app: Flask) -> dict[str, Any]:
    """The document for the operations registered on `app`."""
    operations: list[tuple[str, Operation]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op: Operation | None = getattr(app.view_functions.get(rule.endpoint), "api_operation", None)
        if op is None:
            continue
        declared = set(op.path.model_fields) if op.path else set()
        if declared != set(rule.arguments):
            raise ValueError(f"{rule.rule}: path parameters {sorted(rule.arguments)} but {op.operation_id} "
                             f"declares {sorted(declared)}")
        operations.append((_ARGUMENT.sub(r"{\1}", rule.rule), op))
    _refs, schemas = models_json_schema([(m, "serialization") for m in _answer_models(operations)],
                                        ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Heedful API", "version": "1.0.0",
                 "description": "Read-only access to survey trends, redacted comments and corrective actions. "
                                "Anonymity thresholds apply exactly as in the web pages. Query parameters are "
                                "checked strictly: unknown, repeated or empty ones are refused."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": {path: {"get": _operation(op)} for path, op in operations},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "An API token created by an admin at /api/tokens"}},
            "schemas": schemas.get("$defs", {}),
        },
    }


def _answer_models(operations: list[tuple[str, Operation]]) -> list[type[Any]]:
    models: list[type[Any]] = [Error]
    for _path, op in operations:
        if op.answer not in models:
            models.append(op.answer)
    return models


def _operation(op: Operation) -> dict[str, Any]:
    parameters = _parameters(op.path, "path") if op.path else []
    parameters += _parameters(op.query, "query")
    responses: dict[str, Any] = {"200": {"description": op.answer_description, "content": {
        "application/json": {"schema": {"$ref": REF.format(model=op.answer.__name__)}}}}}
    for code in op.errors:
        responses[str(code)] = {"description": ERROR_TEXT[code], "content": {
            "application/json": {"schema": {"$ref": REF.format(model=Error.__name__)}}}}
    return {"operationId": op.operation_id, "summary": op.summary,
            **({"parameters": parameters} if parameters else {}), "responses": responses}


def _parameters(model: type[Parameters], where: str) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in _without_null(prop).items() if k != "title"}
        description = prop.pop("description", "")
        out.append({"name": name, "in": where, "required": where == "path" or name in required,
                    "description": description, "schema": prop})
    return out


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`X | None = None` is how a model says "optional"; in a query that is leaving the parameter out."""
    branches = [b for b in schema.get("anyOf", ()) if b != {"type": "null"}]
    if len(branches) != 1:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**branches[0], **rest}
