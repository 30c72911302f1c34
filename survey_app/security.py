"""Security headers applied to every response."""

from __future__ import annotations

from flask import Flask, Response, request, session

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_security(app: Flask) -> None:
    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure or app.config.get("PREFERRED_URL_SCHEME") == "https":
            resp.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # No server/version banner.
        resp.headers.pop("Server", None)
        if "no-store" not in (resp.headers.get("Cache-Control") or "") and _personal(
                request.endpoint or "", request.blueprint or ""):
            # Comments, exports, the urgent queue, new API tokens: nothing a signed-in user or an API
            # client was shown may stay in a shared cache or the browser's history cache.
            resp.headers["Cache-Control"] = "no-store"
        return resp


def _personal(endpoint: str, blueprint: str) -> bool:
    """Whether the answer was made for someone signed in (or an API client), static files aside."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return False
    return blueprint == "api" or "Authorization" in request.headers or session.get("sid") is not None
