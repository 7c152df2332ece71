"""Published files: ``/catalog`` (DCAT-AP.de), ``/.well-known/void``, ``/dumps/`` (+ files, context.jsonld),
``/exports/`` (CSV), ``/changes`` (HTML, Atom, Turtle), ``/sitemap.xml``, ``/robots.txt``.

Thin views over the files the publisher wrote into ``var/dumps/<snapshot-id>/`` (:mod:`lod.publishing`); big
files are streamed with ``send_file`` (conditional and range requests). The web process never writes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, send_file

from lod.errors import NotFound, ServiceUnavailable
from lod.negotiation import FORMATS, by_name, negotiate
from lod.publishing import artifacts_dir, changelog, read_manifest
from lod.publishing.sitemap import robots_txt
from lod.web.context import settings, snapshot

bp = Blueprint("publishing", __name__)

RDF_OFFERED = ("ttl", "jsonld", "nt", "rdf")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _current() -> tuple[str, Path, dict[str, Any]]:
    """(snapshot id, its artifacts folder, manifest). :raises ServiceUnavailable: not written (yet)."""
    sid, _ = snapshot().get()
    manifest = read_manifest(settings(), sid)
    if manifest is None:
        raise ServiceUnavailable(f"the downloads of snapshot {sid} are not available (yet); "
                                 "see 'lod publish' output", 30)
    return sid, artifacts_dir(settings(), sid), manifest


def _rdf_document(stem: str, ext: str | None) -> Response:
    sid, folder, _ = _current()
    fmt = by_name(ext) if ext else negotiate(request.headers.get("Accept"), RDF_OFFERED)
    if fmt.ext not in RDF_OFFERED:
        fmt = negotiate(fmt.mime, RDF_OFFERED)
    resp = send_file(folder / f"{stem}.{fmt.ext}", mimetype=fmt.mime, conditional=True, etag=True)
    resp.headers["Vary"] = "Accept"
    path = request.path.rsplit(".", 1)[0] if ext else request.path
    resp.headers["Link"] = ", ".join(f'<{path}.{e}>; rel="alternate"; type="{FORMATS[e].mime}"' for e in RDF_OFFERED)
    return resp


@bp.get("/catalog")
@bp.get("/catalog.<ext>")
def catalog(ext: str | None = None) -> Response:
    return _rdf_document("catalog", ext)


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<ext>")
def void(ext: str | None = None) -> Response:
    return _rdf_document("void", ext)


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


@bp.get("/dumps/")
def dumps_index() -> str:
    sid, _, manifest = _current()
    files = [dict(f, url=("/exports/" if f["format"] == "csv" else "/dumps/") + f["name"], human=_human(f["size"]))
             for f in manifest["files"]]
    return render_template("dumps.html", files=files, snapshot=sid, manifest=manifest, title=settings().title)


@bp.get("/dumps")
def dumps_redirect() -> Response:
    return redirect("/dumps/", 301)  # type: ignore[return-value]


@bp.get("/dumps/<name>")
def dump_file(name: str) -> Response:
    _, folder, manifest = _current()
    if name == "context.jsonld":
        return send_file(folder / name, mimetype="application/ld+json", conditional=True, etag=True)
    entry = next((f for f in manifest["files"] if f["name"] == name and f["format"] != "csv"), None)
    if entry is None or not _NAME.match(name):
        raise NotFound(f"no dump {name!r}; see /dumps/")
    resp = send_file(folder / name, mimetype=entry["media_type"], conditional=True, etag=True,
                     download_name=name, as_attachment=False)
    if name.endswith(".gz"):
        resp.headers["Content-Type"] = "application/gzip"
    return resp


@bp.get("/exports/")
def exports_index() -> Response:
    return redirect("/dumps/#csv", 302)  # type: ignore[return-value]


@bp.get("/exports/<name>")
def export_file(name: str) -> Response:
    _, folder, manifest = _current()
    entry = next((f for f in manifest["files"] if f["name"] == name and f["format"] == "csv"), None)
    if entry is None or not _NAME.match(name):
        raise NotFound(f"no CSV export {name!r}; see /dumps/#csv")
    return send_file(folder / "csv" / name, mimetype="text/csv; charset=utf-8", conditional=True, etag=True,
                     download_name=name)


@bp.get("/changes")
def changes() -> str:
    s = settings()
    try:
        sid, _ = snapshot().get()
    except ServiceUnavailable:
        sid = None
    return render_template("changes.html", entries=changelog.entries(s, 500), snapshot=sid, title=s.title,
                           base=s.base_uri)


@bp.get("/changes.atom")
def changes_atom() -> Response:
    return Response(changelog.atom(settings()), mimetype="application/atom+xml")


@bp.get("/changes.ttl")
def changes_ttl() -> Response:
    return Response(changelog.rdf(settings()), mimetype="text/turtle")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    _, folder, _ = _current()
    return send_file(folder / "sitemap.xml", mimetype="application/xml", conditional=True, etag=True)


@bp.get("/robots.txt")
def robots() -> Response:
    return Response(robots_txt(settings().base_uri), mimetype="text/plain")
