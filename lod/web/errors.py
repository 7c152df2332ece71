"""The one error handler: typed LodErrors and HTTP errors → HTML, JSON or plain text."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from lod.errors import LodError, NotAcceptable, ServiceUnavailable, TooManyRequests
from lod.web.i18n import error_keys

logger = logging.getLogger(__name__)


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"])
    return best == "text/html" and request.path != "/healthz" and request.accept_mimetypes["text/html"] > 0.5


def render_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_html():
        title_key, help_key = error_keys(status)
        body = render_template("error.html", status=status, kind=kind, message=message, title_key=title_key,
                               help_key=help_key)
        resp = Response(body, status=status, mimetype="text/html")
    elif request.accept_mimetypes.best_match(["application/json", "text/plain"]) == "application/json":
        from flask import json

        resp = Response(json.dumps({"ok": False, "status": status, "error": kind, "message": message}),
                        status=status, mimetype="application/json")
    else:
        resp = Response(f"{status} {kind}: {message}\n", status=status, mimetype="text/plain")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def register(app: Flask) -> None:
    @app.errorhandler(LodError)
    def lod_error(exc: LodError) -> Response:
        headers: dict[str, str] = {}
        if isinstance(exc, (TooManyRequests, ServiceUnavailable)):
            headers["Retry-After"] = str(exc.retry_after)
        message = exc.message
        if isinstance(exc, NotAcceptable) and exc.alternatives:
            message += " Available: " + ", ".join(exc.alternatives)
        if exc.status >= 500:
            logger.warning("%s %s → %d %s", request.method, request.path, exc.status, message)
        return render_error(exc.status, exc.kind, message, headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after", "location")}
        return render_error(exc.code or 500, (exc.name or "error").lower().replace(" ", "-"),
                            exc.description or "", headers)

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500, "internal-error", "Something went wrong on our side; it has been logged.")
