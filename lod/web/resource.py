"""Dereferencing: ``/id/…`` (303 to a document), ``/doc/…``, ``/def/…`` (ontology, concept schemes), ``/sdg/…``.

Negotiation rules: :mod:`lod.negotiation`. Every document has per-format URLs (``.html``, ``.ttl``, ``.jsonld``,
``.nt``, ``.rdf``) and accepts ``?format=``; responses carry ``Vary``, ``Link: rel=alternate``, ``ETag`` and
``Last-Modified`` derived from the snapshot id, and answer ``If-None-Match`` / ``If-Modified-Since`` with 304.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request
from markupsafe import Markup
from pyoxigraph import NamedNode
from werkzeug.http import http_date, parse_date

from lod.errors import LodError, NotFound
from lod.namespaces import KEP, OWL, RDF, RDFS, SKOS, WGS, Iris
from lod.negotiation import FORMATS, Format, by_name, negotiate
from lod.resources import (DEF_BASE, SDG_BASE, SDG_COLOURS, Description, Resolver, describe, format_literal,
                           map_data, query_for_display, to_rdf)
from lod.web.context import settings, snapshot
from lod.web.i18n import MESSAGES, t, ui_lang

bp = Blueprint("resource", __name__)

_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 512


def cached(key: tuple[Any, ...], make: Any) -> Any:
    """Memoise ``make()`` under ``key`` (which starts with the snapshot id) in this web process."""
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = make()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


class PageCache:
    """Rendered documents of this web process, least recently used dropped first, bounded in bytes.

    Keys start with the snapshot id, so a new snapshot never sees an old page (old ones age out).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: tuple[Any, ...], body: bytes) -> bytes:
        if len(body) > self.max_bytes // 16:
            return body
        with self._lock:
            old = self._items.pop(key, None)
            self.size += len(body) - (len(old) if old is not None else 0)
            self._items[key] = body
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)
        return body


PAGES = PageCache(48 * 1024 * 1024)


def shared_memo(sid: str) -> dict[Any, Any]:
    """Labels and graph provenance of snapshot ``sid`` memoised in this web process (see ``Resolver``)."""
    return cached((sid, "shared-memo"), dict)  # type: ignore[no-any-return]


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    lang = ui_lang()
    return {"sdg_colour": sdg_colour, "sdg_text_colour": sdg_text_colour,
            "fmt_literal": lambda v, p="": format_literal(v.value, v.datatype, lang, p)}


def sdg_colour(n: int | None) -> str:
    return SDG_COLOURS.get(n or 0, "#555555")


def sdg_text_colour(n: int | None) -> str:
    """Black or white text, whichever has the higher contrast against the goal colour (WCAG)."""
    hexv = sdg_colour(n).lstrip("#")
    rgb = [int(hexv[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lum = sum(w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
              for w, c in zip((0.2126, 0.7152, 0.0722), rgb))
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


# ----------------------------------------------------------------------------- negotiation and caching

def split_ext(rest: str) -> tuple[str, Format | None]:
    stem, dot, ext = rest.rpartition(".")
    if dot and ext in FORMATS and stem:
        return stem, FORMATS[ext]
    return rest, None


def choose(explicit: Format | None) -> tuple[Format, bool]:
    """(format, negotiated?) from the URL suffix, ``?format=`` or ``Accept``."""
    if explicit:
        return explicit, False
    if request.args.get("format"):
        return by_name(request.args["format"]), False
    return negotiate(request.headers.get("Accept")), True


def snapshot_time(sid: str) -> datetime:
    try:
        return datetime.strptime(sid, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=timezone.utc)


def alternates(doc_base: str) -> list[tuple[Format, str]]:
    return [(f, f"{doc_base}.{f.ext}") for f in FORMATS.values()]


def validators(sid: str, *parts: str) -> tuple[str, datetime]:
    tag = hashlib.sha256("\x1f".join((sid, *parts)).encode()).hexdigest()[:32]
    return f'"{tag}"', snapshot_time(sid).replace(microsecond=0)


def not_modified(etag: str, modified: datetime) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm:
        return etag in [x.strip().removeprefix("W/") for x in inm.split(",")] or inm.strip() == "*"
    ims = parse_date(request.headers.get("If-Modified-Since"))
    return ims is not None and modified <= ims


def finish(resp: Response, etag: str, modified: datetime, doc_base: str, negotiated: bool, fmt: Format) -> Response:
    resp.headers["ETag"] = etag
    resp.headers["Last-Modified"] = http_date(modified)
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Vary"] = "Accept, Accept-Language" if fmt.ext == "html" or negotiated else "Accept-Language"
    if negotiated:
        resp.headers["Vary"] = "Accept, Accept-Language"
        resp.headers["Content-Location"] = f"{doc_base}.{fmt.ext}"
    resp.headers["Link"] = ", ".join(f'<{quote(u, safe="/:.-_~")}>; rel="alternate"; type="{f.mime}"'
                                     for f, u in alternates(doc_base))
    if fmt.rdf:
        resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


# ----------------------------------------------------------------------------- views

def _iris() -> Iris:
    return Iris(settings().base_uri)


def known(iri: str) -> bool:
    _, store = snapshot().get()
    node = NamedNode(iri)
    return next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None or \
        next(iter(store.quads_for_pattern(None, None, node, None)), None) is not None


def _iri_for_id(rest: str) -> str:
    try:
        return NamedNode(settings().base_uri + "id/" + rest).value
    except ValueError:
        raise NotFound(f"not a valid identifier: /id/{rest}") from None


@bp.route("/id/<path:rest>", methods=["GET", "HEAD"])
def identifier(rest: str) -> Response:
    """303 See Other to the document chosen by negotiation (never to another host)."""
    stem, explicit = split_ext(rest)
    iri = _iri_for_id(stem if explicit else rest)
    if explicit is None and not known(iri) and known(_iri_for_id(stem)):
        iri = _iri_for_id(stem)
    fmt, _ = choose(explicit)
    if not known(iri):
        raise NotFound(f"nothing is known about {iri}")
    local = "/doc/" + iri[len(settings().base_uri + "id/"):]
    target = f"{local}.{fmt.ext}"
    if request.args.get("lang") in MESSAGES:
        target += "?lang=" + request.args["lang"]
    resp = redirect(quote(target, safe="/:.-_~?="), code=303)
    resp.headers["Vary"] = "Accept"
    resp.headers["Link"] = ", ".join(f'<{quote(u, safe="/:.-_~")}>; rel="alternate"; type="{f.mime}"'
                                     for f, u in alternates(local))
    return resp


@bp.route("/doc/<path:rest>", methods=["GET", "HEAD"])
def document(rest: str) -> Response:
    stem, explicit = split_ext(rest)
    iri = _iri_for_id(stem)
    return serve(iri, "/doc/" + stem, explicit)


@bp.route("/def/<path:rest>", methods=["GET", "HEAD"])
def definition(rest: str) -> Response:
    stem, explicit = split_ext(rest)
    iri = f"{DEF_BASE}/def/{stem}"
    if stem == "kep":
        return serve_ontology(iri, explicit)
    return serve(iri, "/def/" + stem, explicit)


@bp.route("/sdg/<path:rest>", methods=["GET", "HEAD"])
def sdg(rest: str) -> Response:
    stem, explicit = split_ext(rest)
    return serve(SDG_BASE + stem, "/sdg/" + stem, explicit)


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def serve(iri: str, doc_base: str, explicit: Format | None) -> Response:
    """Answer for one thing's document in the negotiated format (304 when the client's copy is current)."""
    fmt, negotiated = choose(explicit)
    try:
        NamedNode(iri)
    except ValueError:
        raise NotFound("not a valid identifier") from None
    sid, store = snapshot().get()
    lang, page = ui_lang(), _page_arg()
    etag, modified = validators(sid, iri, fmt.ext, lang, str(page))
    if not_modified(etag, modified):
        return finish(Response(status=304), etag, modified, doc_base, negotiated, fmt)
    # the page depends on the snapshot, the format, the language and the URL (path and query: links in it)
    key = (sid, fmt.ext, lang, request.full_path)
    body = PAGES.get(key)
    if body is None:
        s = settings()
        desc: Description = cached((sid, "describe", iri, lang, page),
                                   lambda: describe(store, s.path("sparql_dir"), _iris(), iri, lang, page,
                                                    shared=shared_memo(sid)))
        if fmt.rdf:
            body = PAGES.put(key, to_rdf(desc.triples, fmt.ext))
        else:
            body = PAGES.put(key, render_resource(desc, doc_base, store).encode("utf-8"))
    resp = Response(body, mimetype=fmt.mime if fmt.rdf else "text/html")
    return finish(resp, etag, modified, doc_base, negotiated, fmt)


def render_resource(desc: Description, doc_base: str, store: Any) -> str:
    s = settings()
    resolver = Resolver(store, _iris(), ui_lang(), shared_memo(snapshot().get()[0]))
    mapd = map_data(store, s.path("sparql_dir"), resolver, desc.iri)
    from lod.web.browse import sparql_link, svg_map

    return render_template(
        "resource.html", d=desc, doc_base=doc_base, alternates=alternates(doc_base),
        jsonld=embedded_jsonld(desc), map=svg_map(mapd) if mapd else None,
        query_link=sparql_link(query_for_display(s.path("sparql_dir"), "resource-outgoing", desc.iri)),
        title=desc.label, snapshot=snapshot().get()[0])


_SCHEMA_TYPES = {KEP["Municipality"].value: "City", KEP["ForeignMunicipality"].value: "City",
                 KEP["State"].value: "State", KEP["Country"].value: "Country", KEP["Partnership"].value: "Project",
                 KEP["Project"].value: "Project", KEP["FundingProgramme"].value: "FundingScheme",
                 KEP["Grant"].value: "MonetaryGrant", KEP["Event"].value: "Event",
                 KEP["CoordinatorPost"].value: "Occupation", SKOS["Concept"].value: "DefinedTerm",
                 SKOS["ConceptScheme"].value: "DefinedTermSet", OWL["Ontology"].value: "Dataset"}


def embedded_jsonld(desc: Description) -> Markup:
    """schema.org JSON-LD for search engines, safe inside <script> (<, > and & escaped)."""
    types = [_SCHEMA_TYPES[t.value] for t in desc.types if t.value in _SCHEMA_TYPES] or ["Thing"]
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": types[0], "@id": desc.iri,
                            "name": desc.label, "url": desc.iri}
    for sec in desc.sections:
        for grp in sec.groups:
            if grp.iri == WGS["lat"].value and grp.values:
                data.setdefault("geo", {"@type": "GeoCoordinates"})["latitude"] = grp.values[0].value
            if grp.iri == WGS["long"].value and grp.values:
                data.setdefault("geo", {"@type": "GeoCoordinates"})["longitude"] = grp.values[0].value
            if grp.iri == RDFS["comment"].value and grp.values:
                data["description"] = grp.values[0].value
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with the HTML-significant characters escaped above


# ----------------------------------------------------------------------------- ontology

def serve_ontology(iri: str, explicit: Format | None) -> Response:
    fmt, negotiated = choose(explicit)
    sid, store = snapshot().get()
    lang = ui_lang()
    etag, modified = validators(sid, iri, fmt.ext, lang)
    if not_modified(etag, modified):
        return finish(Response(status=304), etag, modified, "/def/kep", negotiated, fmt)
    from lod.web.browse import ontology_doc

    doc = cached((sid, "ontology", lang), lambda: ontology_doc(store, iri, lang))
    if fmt.rdf:
        resp = Response(cached((sid, "ontology-rdf", fmt.ext), lambda: to_rdf(doc["triples"], fmt.ext)),
                        mimetype=fmt.mime)
    else:
        resp = Response(render_template("ontology.html", o=doc, alternates=alternates("/def/kep"),
                                        title=doc["title"], snapshot=sid), mimetype="text/html")
    return finish(resp, etag, modified, "/def/kep", negotiated, fmt)


# ----------------------------------------------------------------------------- 404 with a search box

def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "text/turtle", "application/json", "text/plain"])
    return best == "text/html"


@bp.errorhandler(NotFound)
def not_found(exc: LodError) -> Response:
    if _wants_html():
        return Response(render_template("404.html", message=exc.message, path=request.path), status=404,
                        mimetype="text/html")
    from lod.web.errors import render_error

    return render_error(exc.status, exc.kind, exc.message)


__all__ = ["bp", "MESSAGES", "t", "ui_lang", "cached", "RDF"]
