"""Home page and health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from lod import __version__
from lod.errors import LodError
from lod.namespaces import Iris
from lod.queries import load_query
from lod.resources import Resolver
from lod.web.context import settings, snapshot
from lod.web.i18n import ui_lang
from lod.web.resource import shared_memo

bp = Blueprint("pages", __name__)


def home_data() -> dict[str, Any]:
    """What the home page shows; class names in the page language. :raises ServiceUnavailable: no data yet."""
    s = settings()
    snap = snapshot()
    sid, store = snap.get()
    classes = snap.select(load_query(s.path("sparql_dir"), "class-counts"))
    lang = ui_lang()
    if lang != "de":  # the precomputed rows carry the German labels
        resolver = Resolver(store, Iris(s.base_uri), lang, shared_memo(sid))
        classes = [dict(c, label=resolver.label(c["class"]) or c["label"]) for c in classes]
    graphs = snap.select(load_query(s.path("sparql_dir"), "source-counts"))
    iris = Iris(s.base_uri)
    for g in graphs:
        g["slug"] = (iris.local_path(g["g"]) or g["g"]).removeprefix("/graph/")
    return {"snapshot": sid, "classes": classes, "graphs": graphs, "title": s.title, "base": s.base_uri}


@bp.get("/")
def home() -> str:
    return render_template("home.html", **home_data())


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        sid, _ = snapshot().get()
    except LodError as exc:
        return jsonify({"ok": False, "version": __version__, "error": exc.message}), 503
    return jsonify({"ok": True, "version": __version__, "snapshot": sid}), 200
