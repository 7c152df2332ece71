"""The web layer: ``create_app(settings)`` builds the Flask app over the current read-only snapshot.

Views are thin: parse the request → call ``lod.queries`` → negotiate → render. The app never writes.
"""

from __future__ import annotations

from flask import Flask, Response

from lod.queries import CurrentSnapshot
from lod.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings, snapshot: CurrentSnapshot | None = None) -> Flask:
    """Build the app. ``snapshot`` defaults to ``var/snapshots/current`` of ``settings``."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2 * settings.sparql.max_query_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["lod"] = {
        "settings": settings,
        "snapshot": snapshot or CurrentSnapshot(settings.var / "snapshots", settings.server.snapshot_check_interval,
                                                precomputed_dir=settings.var / "dumps"),
    }
    if settings.server.behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from lod.web import errors, i18n, pages, sparql

    i18n.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    from lod.web import browse, resource

    app.register_blueprint(resource.bp)
    app.register_blueprint(browse.bp)
    from lod.web import publishing

    app.register_blueprint(publishing.bp)
    errors.register(app)
    app.after_request(_security_headers)
    return app


# Pages load nothing from other hosts and run only our own scripts; inline styles are allowed for the
# SDG badge colours and the SVG map.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def _security_headers(resp: Response) -> Response:
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
    return resp
