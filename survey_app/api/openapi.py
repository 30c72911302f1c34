"""The OpenAPI 3.1 description of /api/v1, written as data next to the views it describes."""

from __future__ import annotations

from typing import Any

from common.periods import PERIOD_TYPES
from survey_app.analytics.comments import SENTIMENTS

NUM = {"type": ["number", "null"]}
INT = {"type": "integer", "minimum": 0}


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Invalid parameter", 401: "Missing, unknown or revoked token", 403: "Not allowed for this user",
            404: "No such survey"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


SURVEY_ID = _param("survey_id", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "Survey id", "path")
LIMIT = _param("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "Page size")
CURSOR = _param("cursor", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                "Keyset cursor: next_cursor of the previous page (items come in id order)")
SEGMENT = [
    _param("segment_type", {"type": "string", "maxLength": 40, "default": "*"},
           "Segment type (site, department, region, ...) or * for everyone"),
    _param("segment_value", {"type": "string", "maxLength": 120, "default": "*"}, "Segment value or *"),
]


def build_document() -> dict[str, Any]:
    trend_props: dict[str, Any] = {
        "period_type": {"type": "string", "enum": list(PERIOD_TYPES)},
        "period_start": {"type": "string", "format": "date"},
        "segment_type": {"type": "string"}, "segment_value": {"type": "string"}, "topic": {"type": "string"},
        "suppressed": {"type": "boolean", "description": "true when the group is under the anonymity "
                       "threshold (or hidden so it cannot be derived): every figure is then null"},
        "responses": {"type": ["integer", "null"]}, "comments": {"type": ["integer", "null"]},
        "sentiment_negative": {"type": ["integer", "null"]}, "sentiment_neutral": {"type": ["integer", "null"]},
        "sentiment_positive": {"type": ["integer", "null"]}, "urgent": {"type": ["integer", "null"]},
        "significant": {"type": ["boolean", "null"]},
        "model_name": {"type": ["string", "null"]}, "model_version": {"type": ["string", "null"]},
    }
    for f in ("nps", "nps_low", "nps_high", "csat", "csat_low", "csat_high", "ces_mean", "rating_mean",
              "sentiment_mean", "sentiment_low", "sentiment_high", "nps_change", "csat_change", "sentiment_change"):
        trend_props[f] = NUM
    return {
        "openapi": "3.1.0",
        "info": {"title": "Heedful API", "version": "1.0.0",
                 "description": "Read-only access to survey trends, redacted comments and corrective actions. "
                                "Anonymity thresholds apply exactly as in the web pages."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/surveys": {"get": {
                "operationId": "listSurveys", "summary": "Surveys the token's user may read",
                "responses": {**_ok("SurveyList", "Surveys"), **_errors(401)}}},
            "/api/v1/surveys/{survey_id}/trends": {"get": {
                "operationId": "listTrends", "summary": "Trend rows of one period type, thresholds applied",
                "parameters": [SURVEY_ID,
                               _param("period", {"type": "string", "enum": list(PERIOD_TYPES), "default": "month"},
                                      "Period type"),
                               *SEGMENT,
                               _param("topic", {"type": "string", "maxLength": 120, "default": "*"},
                                      "Topic or * for all"),
                               LIMIT, CURSOR],
                "responses": {**_ok("TrendPage", "One page of trend rows"), **_errors(400, 401, 403, 404)}}},
            "/api/v1/surveys/{survey_id}/comments": {"get": {
                "operationId": "listComments",
                "summary": "Redacted comments behind a period, segment and topic (comment threshold applies)",
                "parameters": [SURVEY_ID,
                               _param("period", {"type": "string", "enum": list(PERIOD_TYPES), "default": "month"},
                                      "Period type of period_start"),
                               _param("period_start", {"type": "string", "format": "date"},
                                      "Any day in the period; leave out for all time"),
                               *SEGMENT,
                               _param("topic", {"type": "string", "maxLength": 120, "default": "*"}, "Topic"),
                               _param("sentiment", {"type": "string", "enum": list(SENTIMENTS)}, "Sentiment"),
                               _param("q", {"type": "string", "maxLength": 200}, "Full-text search"),
                               _param("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
                                      "Page number"),
                               _param("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 20},
                                      "Page size")],
                "responses": {**_ok("CommentPage", "One page of comments, or the reason they are hidden"),
                              **_errors(400, 401, 403, 404)}}},
            "/api/v1/actions": {"get": {
                "operationId": "listActions", "summary": "Corrective actions",
                "parameters": [_param("status", {"type": "string", "enum": ["open", "closed", "all"],
                                                 "default": "all"}, "Filter by state"), LIMIT, CURSOR],
                "responses": {**_ok("ActionPage", "One page of actions"), **_errors(400, 401)}}},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "An API token created by an admin at /api/tokens"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["status", "message"],
                    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}},
                "Survey": {"type": "object", "required": ["id", "slug", "title", "audience"], "properties": {
                    "id": {"type": "integer"}, "slug": {"type": "string"}, "title": {"type": "string"},
                    "audience": {"type": "string", "enum": ["customer", "worker"]}, "archived": {"type": "boolean"},
                    "min_group_size": {"type": "integer"}, "min_comment_group_size": {"type": "integer"}}},
                "SurveyList": {"type": "object", "required": ["items"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Survey"}}}},
                "TrendRow": {"type": "object", "required": ["period_type", "period_start", "segment_type",
                                                            "segment_value", "topic", "suppressed"],
                             "properties": trend_props},
                "TrendPage": {"type": "object", "required": ["items", "next_cursor"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/TrendRow"}},
                    "next_cursor": {"type": ["integer", "null"]}}},
                "Comment": {"type": "object", "required": ["id", "month", "text", "sentiment_label"], "properties": {
                    "id": INT, "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "text": {"type": "string", "description": "Redacted text (names, emails, phones removed)"},
                    "sentiment_label": {"type": "string"}, "sentiment_score": {"type": "number"},
                    "topics": {"type": "array", "items": {"type": "string"}}, "urgent": {"type": "boolean"}}},
                "CommentPage": {"type": "object", "required": ["items", "total", "page", "pages", "suppressed"],
                                "properties": {
                                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
                                    "total": INT, "page": INT, "pages": INT, "suppressed": {"type": "boolean"},
                                    "reason": {"type": ["string", "null"]}}},
                "Action": {"type": "object", "required": ["id", "title", "status"], "properties": {
                    "id": {"type": "integer"}, "survey_id": {"type": ["integer", "null"]},
                    "site_id": {"type": ["integer", "null"]}, "title": {"type": "string"},
                    "source_type": {"type": "string"}, "topic": {"type": ["string", "null"]},
                    "status": {"type": "string", "enum": ["open", "in_progress", "done", "verified", "cancelled"]},
                    "due_date": {"type": ["string", "null"], "format": "date"},
                    "effective": {"type": ["boolean", "null"]}, "public_note": {"type": ["string", "null"]},
                    "created_at": {"type": "string", "format": "date-time"},
                    "closed_at": {"type": ["string", "null"], "format": "date-time"}}},
                "ActionPage": {"type": "object", "required": ["items", "next_cursor"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}},
                    "next_cursor": {"type": ["integer", "null"]}}},
            },
        },
    }
