"""Index pages per class (with facets and paging), label search, SDG pages, cross-municipal views, maps."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from lod.errors import NotFound
from lod.namespaces import KEP, OWL, PREFIXES, RDFS, SKOS, Iris
from lod.queries import load_query
from lod.resources import DEF_BASE, SDG_BASE, MapData, Resolver, pick_label, sdg_number
from lod.search import index_for
from lod.web.context import settings, snapshot
from lod.web.resource import cached, shared_memo, ui_lang

bp = Blueprint("browse", __name__)
STATIC = Path(__file__).parent / "static"
PAGE = 50
CLASSES: dict[str, str] = {
    "municipalities": KEP["Municipality"].value, "partnerships": KEP["Partnership"].value,
    "projects": KEP["Project"].value, "programmes": KEP["FundingProgramme"].value,
    "posts": KEP["CoordinatorPost"].value,
}
FACETS = ("state", "country", "sdg", "programme", "year")


def sparql_link(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


# ----------------------------------------------------------------------------- map

@lru_cache(maxsize=1)
def _outline() -> dict[str, Any]:
    return json.loads((STATIC / "outline.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def svg_map(data: MapData, width: int = 640) -> dict[str, Any]:
    """Project points and lines (equirectangular) into an SVG viewBox around them, with outlines."""
    lons = [p["lon"] for p in data.points]
    lats = [p["lat"] for p in data.points]
    pad = 4.0
    x0, x1 = max(-180.0, min(lons) - pad), min(180.0, max(lons) + pad)
    y0, y1 = max(-90.0, min(lats) - pad), min(90.0, max(lats) + pad)
    if x1 - x0 < 12:
        mid = (x0 + x1) / 2
        x0, x1 = mid - 6, mid + 6
    if y1 - y0 < 8:
        mid = (y0 + y1) / 2
        y0, y1 = mid - 4, mid + 4
    scale = width / (x1 - x0)
    height = round((y1 - y0) * scale)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - x0) * scale, 1), round((y1 - lat) * scale, 1)

    def path(poly: list[list[float]]) -> str:
        return "M" + " L".join(f"{round((lon - x0) * scale, 1)},{round((y1 - lat) * scale, 1)}"
                               for lon, lat in poly) + " Z"

    outline = _outline()
    points = [{**p, "x": xy(p["lon"], p["lat"])[0], "y": xy(p["lon"], p["lat"])[1]} for p in data.points]
    lines = [(xy(a["lon"], a["lat"]), xy(b["lon"], b["lat"])) for a, b in data.lines]
    # only outlines that reach into the view (the others would be clipped anyway)
    world = [path(p) for p, (bx0, by0, bx1, by1) in zip(outline["world"], _boxes())
             if bx1 >= x0 and bx0 <= x1 and by1 >= y0 and by0 <= y1]
    return {"width": width, "height": height, "world": world,
            "germany": path(outline["germany"]), "points": points, "lines": lines}


@lru_cache(maxsize=1)
def _boxes() -> list[tuple[float, float, float, float]]:
    """Bounding box (lon0, lat0, lon1, lat1) of each world outline polygon."""
    return [(min(x for x, _ in p), min(y for _, y in p), max(x for x, _ in p), max(y for _, y in p))
            for p in _outline()["world"]]


# ----------------------------------------------------------------------------- helpers

def _rows(store: Store, name: str, **bind: str) -> list[dict[str, Any]]:
    q = load_query(settings().path("sparql_dir"), name)
    result = store.query(q.text, substitutions={Variable(k): NamedNode(v) for k, v in bind.items()},
                         use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]


def _resolver(store: Store) -> Resolver:
    return Resolver(store, Iris(settings().base_uri), ui_lang())


def _facet_value(key: str, term: Any) -> str | None:
    if term is None:
        return None
    if key == "year":
        return term.value[:4]
    if key == "sdg":
        n = sdg_number(term.value)
        return str(n) if n else None
    return str(term.value)


def class_items(store: Store, sid: str, cls: str) -> list[dict[str, Any]]:
    """Items of a class with their facet values (cached per snapshot)."""
    def build() -> list[dict[str, Any]]:
        items: dict[str, dict[str, Any]] = {}
        for r in _rows(store, "browse-items", **{"class": cls}):
            it = items.setdefault(r["item"].value, {"iri": r["item"].value, **{k: set() for k in FACETS}})
            for key in FACETS:
                v = _facet_value(key, r["start" if key == "year" else key])
                if v:
                    it[key].add(v)
        return list(items.values())
    return cached((sid, "class-items", cls), build)  # type: ignore[no-any-return]


@bp.get("/browse/<name>")
def index(name: str) -> str:
    if name == "sdgs":
        return sdg_index()
    if name not in CLASSES:
        raise NotFound(f"no index '{name}'; available: {', '.join(CLASSES)}, sdgs")
    sid, store = snapshot().get()
    res = _resolver(store)
    items = class_items(store, sid, CLASSES[name])
    chosen = {k: request.args.get(k, "") for k in FACETS if request.args.get(k)}
    selected = [it for it in items if all(v in it[k] for k, v in chosen.items())]
    facets = {}
    for key in FACETS:
        counts: dict[str, int] = {}
        for it in selected:
            for v in it[key]:
                counts[v] = counts.get(v, 0) + 1
        if counts:
            facets[key] = sorted(((v, _facet_label(res, key, v), n) for v, n in counts.items()),
                                 key=lambda x: (-x[2], x[1]))
    for it in selected:
        it["label"] = res.label(it["iri"]) or it["iri"]
        it["href"] = res.href(it["iri"])
    selected.sort(key=lambda it: (it["label"].lower(), it["iri"]))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(selected) // PAGE))
    q = load_query(settings().path("sparql_dir"), "browse-items").text
    query = q.replace("?item a ?class .", f"VALUES ?class {{ <{CLASSES[name]}> }}\n  ?item a ?class .")
    return render_template("list.html", name=name, items=selected[(page - 1) * PAGE:page * PAGE], total=len(selected),
                           page=page, pages=pages, facets=facets, chosen=chosen, title=name,
                           query_link=sparql_link(query), snapshot=sid, args=request.args.to_dict())


def _facet_label(res: Resolver, key: str, value: str) -> str:
    if key in ("year",):
        return value
    if key == "sdg":
        return f"SDG {value}"
    return res.label(value) or res.fallback_name(value)


def sdg_index() -> str:
    sid, store = snapshot().get()
    res = _resolver(store)
    counts: dict[int, list[int]] = {n: [0, 0] for n in range(1, 18)}
    rows = cached((sid, "by-sdg"), lambda: [(r["sdg"].value, int(r["stated"].value), int(r["derived"].value))
                                           for r in _rows(store, "browse-by-sdg")])
    targets = []
    for iri, stated, derived in rows:
        n = sdg_number(iri)
        if n is None:
            continue
        if iri == f"{SDG_BASE}{n}":
            counts[n][0] += stated
            counts[n][1] += derived
        else:
            targets.append({"iri": iri, "code": iri[len(SDG_BASE):], "n": n, "stated": stated, "derived": derived,
                            "label": res.label(iri)})
    goals = [{"n": n, "iri": f"{SDG_BASE}{n}", "label": res.label(f"{SDG_BASE}{n}"), "stated": c[0],
              "derived": c[1]} for n, c in counts.items()]
    return render_template("sdgs.html", goals=goals, targets=targets, title="SDGs", snapshot=sid,
                           query_link=sparql_link(load_query(settings().path("sparql_dir"), "browse-by-sdg").text))


@bp.get("/views/partnerships")
def partnerships_view() -> str:
    """Cross-municipal view: map of all partnerships and a table by partner country."""
    sid, store = snapshot().get()
    res = _resolver(store)
    sd = settings().path("sparql_dir")
    by_country = [{"iri": r["country"].value, "label": res.label(r["country"].value) or res.fallback_name(r["country"].value),
                   "n": int(r["n"].value)} for r in _rows(store, "browse-by-country")]
    pts: dict[str, dict[str, Any]] = {}
    lines = []
    for r in _rows(store, "browse-partnership-map"):
        ends = []
        for who, lat, lon in (("a", "alat", "along"), ("b", "blat", "blong")):
            iri = r[who].value
            try:
                p = pts.setdefault(iri, {"iri": iri, "lat": float(r[lat].value), "lon": float(r[lon].value),
                                         "label": res.label(iri) or iri, "href": res.href(iri), "self": False})
            except ValueError:
                break
            ends.append(p)
        if len(ends) == 2:
            lines.append((ends[0], ends[1]))
    mapd = MapData(sorted(pts.values(), key=lambda p: p["iri"]), lines)
    return render_template("views.html", by_country=by_country, map=svg_map(mapd) if mapd else None,
                           title="Partnerships", snapshot=sid,
                           country_query=sparql_link(load_query(sd, "browse-by-country").text),
                           map_query=sparql_link(load_query(sd, "browse-partnership-map").text))


# ----------------------------------------------------------------------------- search

def _hits(limit: int) -> tuple[str, list[dict[str, Any]]]:
    q = request.args.get("q", "")[:200]
    cur = snapshot()
    sid, store = cur.get()
    res = Resolver(store, Iris(settings().base_uri), ui_lang(), shared_memo(sid))
    hits = index_for(sid, store, cur.snapshots.root / sid).search(q, limit=limit, lang=ui_lang())
    return q, [{"iri": h.iri, "label": h.label, "href": res.href(h.iri),
                "type": (res.label(h.type) if h.type else None)} for h in hits]


@bp.get("/search")
def search() -> str:
    q, hits = _hits(50)
    return render_template("search.html", q=q, hits=hits, title=q or "Suche", snapshot=snapshot().get()[0])


@bp.get("/search.json")
def search_json() -> Response:
    q, hits = _hits(10)
    resp = jsonify({"q": q, "results": hits})
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


# ----------------------------------------------------------------------------- ontology documentation

def ontology_doc(store: Store, iri: str, lang: str) -> dict[str, Any]:
    """Classes and properties of the ontology ``iri`` for the documentation page, plus its triples."""
    res = Resolver(store, Iris(settings().base_uri), lang)
    terms: dict[str, dict[str, Any]] = {}
    for r in _rows(store, "browse-ontology", this=iri):
        term = r["term"].value
        t = terms.setdefault(term, {"iri": term, "kind": r["kind"].value, "domain": set(), "range": set(),
                                    "super": set(), "name": term.rsplit("#", 1)[-1]})
        for key in ("domain", "range", "super"):
            if r[key] is not None:
                t[key].add(r[key].value)
    node_comment = NamedNode(RDFS["comment"].value)
    for t in terms.values():
        labels = res.labels(t["iri"])
        t["label_de"] = pick_label([x for x in labels if x[1] == "de"], "de") or ""
        t["label_en"] = pick_label([x for x in labels if x[1] == "en"], "en") or ""
        comments = [(q.object.value, q.object.language or "") for q in
                    store.quads_for_pattern(NamedNode(t["iri"]), node_comment, None, None) if isinstance(q.object, Literal)]
        t["comment"] = pick_label(comments, lang) or ""
        for key in ("domain", "range", "super"):
            t[key] = sorted(({"iri": x, "label": res.label(x) or res.fallback_name(x), "href": res.href(x)}
                             for x in t[key]), key=lambda x: x["label"])
        if t["kind"] == OWL["Class"].value:
            t["examples"] = [{"iri": q.subject.value, "label": res.label(q.subject.value) or q.subject.value,
                              "href": res.href(q.subject.value)} for q, _ in zip(
                store.quads_for_pattern(None, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                        NamedNode(t["iri"]), None), range(3)) if isinstance(q.subject, NamedNode)]
        else:
            t["examples"] = [{"iri": q.subject.value, "label": res.label(q.subject.value) or q.subject.value,
                              "href": res.href(q.subject.value)} for q, _ in zip(
                store.quads_for_pattern(None, NamedNode(t["iri"]), None, None), range(3))
                if isinstance(q.subject, NamedNode)]
    ns = iri + "#"
    triples = []
    seen = set()
    for q in store.quads_for_pattern(None, None, None, None):
        if isinstance(q.subject, NamedNode) and (q.subject.value == iri or q.subject.value.startswith(ns)):
            if q.triple not in seen:
                seen.add(q.triple)
                triples.append(q.triple)
    titles = [(q.object.value, q.object.language or "") for q in
              store.quads_for_pattern(NamedNode(iri), NamedNode("http://purl.org/dc/terms/title"), None, None)]
    descs = [(q.object.value, q.object.language or "") for q in
             store.quads_for_pattern(NamedNode(iri), NamedNode("http://purl.org/dc/terms/description"), None, None)]
    ordered = sorted(terms.values(), key=lambda t: t["name"].lower())
    return {"iri": iri, "title": pick_label(titles, lang) or "KEP ontology", "description": pick_label(descs, lang),
            "classes": [t for t in ordered if t["kind"] == OWL["Class"].value],
            "properties": [t for t in ordered if t["kind"] != OWL["Class"].value], "triples": triples,
            "schemes": sorted(q.subject.value for q in store.quads_for_pattern(
                None, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SKOS["ConceptScheme"], None)
                if isinstance(q.subject, NamedNode) and q.subject.value.startswith(DEF_BASE)),
            "prefixes": PREFIXES}


__all__ = ["bp", "svg_map", "sparql_link", "ontology_doc", "class_items", "CLASSES"]
