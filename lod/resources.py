"""Describe one thing from a read-only store: statements grouped by source, labels, provenance, incoming links.

Pure of Flask: every function takes a pyoxigraph ``Store`` (a read-only snapshot) and plain values.
The queries are ``sparql/resource-*.rq`` with the thing bound as ``?this`` through substitutions.
Labels use the fallback order: requested language → German → English → untagged → any other (sorted).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Store, Triple, Variable, serialize

from lod.errors import NotFound
from lod.namespaces import DCT, KEP, PREFIXES, RDF, RDFS, SCHEMA, SKOS, Iris
from lod.queries import load_query

__all__ = [
    "LABEL_PROPS", "DEF_BASE", "Value", "PropertyGroup", "Section", "IncomingGroup", "GraphInfo", "Description",
    "Resolver", "pick_label", "describe", "to_rdf", "sdg_number", "SDG_COLOURS", "format_literal", "map_data",
    "query_for_display", "clean_text",
]

LABEL_PROPS = (SKOS["prefLabel"].value, RDFS["label"].value, SCHEMA["name"].value, DCT["title"].value)
DEF_BASE = "https://w3id.org/kep"          # /def/… local path = IRI minus this
SDG_BASE = "http://metadata.un.org/sdg/"
MAX_OUT = 2000
INCOMING_PAGE = 50
# Official UN SDG colours (https://www.un.org/sustainabledevelopment/news/communications-material/)
SDG_COLOURS = {1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
               7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
               13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A"}
_SDG_RE = re.compile(r"^http://metadata\.un\.org/sdg/(\d{1,2})(?:\.[0-9a-z.]+)?$")
_CONTROL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"


def clean_text(text: str, limit: int = 2000) -> str:
    """Make control and bidi characters visible (``\\u202e``) and truncate long text with an ellipsis."""
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[:limit] + " …"


def sdg_number(iri: str) -> int | None:
    """Goal number of an SDG goal/target IRI (``…/sdg/17.17`` → 17), else None."""
    m = _SDG_RE.match(iri)
    if m and 1 <= int(m.group(1)) <= 17:
        return int(m.group(1))
    return None


def pick_label(labels: list[tuple[str, str]], lang: str) -> str | None:
    """Choose from (text, language) pairs: ``lang`` → de → en → untagged → any (sorted)."""
    if not labels:
        return None
    for want in (lang, "de", "en", ""):
        for text, tag in sorted(labels):
            if tag.lower().split("-")[0] == want:
                return text
    return sorted(labels, key=lambda x: (x[1], x[0]))[0][0]


@dataclass
class Value:
    kind: str                       # iri | literal | bnode
    value: str
    lang: str = ""
    datatype: str = ""
    label: str | None = None
    href: str | None = None         # where to link (local path or external http(s) IRI), None = no link
    sdg: int | None = None
    nested: list[PropertyGroup] = field(default_factory=list)
    derivation: list[str] = field(default_factory=list)  # how a derived value was derived (readable)


@dataclass
class PropertyGroup:
    iri: str
    label: str
    values: list[Value]
    href: str | None = None


@dataclass
class GraphInfo:
    iri: str
    slug: str
    title: str | None = None
    modified: str | None = None
    licence: str | None = None
    publisher: str | None = None
    sources: list[str] = field(default_factory=list)


@dataclass
class Section:
    graph: GraphInfo
    groups: list[PropertyGroup]


@dataclass
class IncomingGroup:
    iri: str
    label: str
    count: int
    items: list[Value]


@dataclass
class Description:
    iri: str
    label: str
    types: list[Value]
    sections: list[Section]
    incoming: list[IncomingGroup]
    page: int
    pages: int
    triples: list[Triple]
    truncated: bool = False

    @property
    def sdgs(self) -> list[Value]:
        seen: dict[str, Value] = {}
        for sec in self.sections:
            for g in sec.groups:
                for v in g.values:
                    if v.sdg and v.value not in seen:
                        seen[v.value] = v
        return sorted(seen.values(), key=lambda v: (v.sdg or 0, v.value))


class Resolver:
    """Labels and links for IRIs in one snapshot (label lookups cached).

    ``shared`` is an optional dict that outlives the resolver, for callers that keep one per snapshot (a web
    process): it memoises label look-ups across requests and is cleared when it grows past ``SHARED_MAX``.
    """

    SHARED_MAX = 100_000

    def __init__(self, store: Store, iris: Iris, lang: str, shared: dict[Any, Any] | None = None) -> None:
        self.store, self.iris, self.lang = store, iris, lang
        self._labels: dict[str, str | None] = {}
        self.shared = shared

    def labels(self, iri: str) -> list[tuple[str, str]]:
        if self.shared is not None:
            hit = self.shared.get(iri)
            if hit is None:
                hit = self._lookup(iri)
                if len(self.shared) >= self.SHARED_MAX:
                    self.shared.clear()
                self.shared[iri] = hit
            return list(hit)
        return self._lookup(iri)

    def _lookup(self, iri: str) -> list[tuple[str, str]]:
        node = NamedNode(iri)
        out: list[tuple[str, str]] = []
        for prop in LABEL_PROPS:
            for q in self.store.quads_for_pattern(node, NamedNode(prop), None, None):
                if isinstance(q.object, Literal):
                    out.append((q.object.value, q.object.language or ""))
            if out:
                break
        return out

    def label(self, iri: str) -> str | None:
        if iri not in self._labels:
            self._labels[iri] = pick_label(self.labels(iri), self.lang)
        return self._labels[iri]

    def href(self, iri: str) -> str | None:
        """Local path for IRIs we serve; the IRI itself for other http(s) IRIs; None for other schemes."""
        local = self.iris.local_path(iri)
        if local is not None and (local.startswith("/id/") or local.startswith("/graph/")):
            return local
        if iri.startswith(DEF_BASE + "/def/"):
            return iri[len(DEF_BASE):]
        n = sdg_number(iri)
        if n is not None:
            return "/sdg/" + iri[len(SDG_BASE):]
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def fallback_name(self, iri: str) -> str:
        n = sdg_number(iri)
        if n is not None:
            return f"SDG {iri[len(SDG_BASE):]}"
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def value(self, term: Any) -> Value:
        if isinstance(term, NamedNode):
            return Value("iri", term.value, label=self.label(term.value) or self.fallback_name(term.value),
                         href=self.href(term.value), sdg=sdg_number(term.value))
        if isinstance(term, Literal):
            return Value("literal", term.value, lang=term.language or "", datatype=term.datatype.value)
        return Value("bnode", str(term))

    def prop_label(self, iri: str) -> str:
        return self.label(iri) or self.fallback_name(iri)


def _rows(store: Store, sparql_dir: Path, name: str, **bind: Any) -> QuerySolutions:
    q = load_query(sparql_dir, name)
    subs = {Variable(k): (NamedNode(v) if isinstance(v, str) else v) for k, v in bind.items()}
    result = store.query(q.text, substitutions=subs, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    return result


def query_for_display(sparql_dir: Path, name: str, iri: str) -> str:
    """The query behind a page, with ``?this`` bound by a VALUES clause so it runs as is on /sparql."""
    text = load_query(sparql_dir, name).text
    node = NamedNode(iri)  # validates the IRI (no '>' or spaces)
    m = re.search(r"WHERE\s*\{", text)
    if not m:
        return text
    return text[:m.end()] + f"\n  VALUES ?this {{ <{node.value}> }}" + text[m.end():]


def graph_info(store: Store, sparql_dir: Path, iris: Iris, graph: str) -> GraphInfo:
    local = iris.local_path(graph) or graph
    info = GraphInfo(graph, local.removeprefix("/graph/"))
    for row in _rows(store, sparql_dir, "resource-graph", g=graph):
        for key in ("title", "modified", "licence", "publisher"):
            term = row[key]
            if term is not None and getattr(info, key) is None:
                setattr(info, key, term.value)
        if row["source"] is not None and row["source"].value not in info.sources:
            info.sources.append(row["source"].value)
    info.sources.sort()
    return info


def _group(resolver: Resolver, pairs: list[tuple[str, Any]], nested: dict[str, list[tuple[str, Any]]],
           depth: int = 0) -> list[PropertyGroup]:
    by_prop: dict[str, list[Value]] = {}
    for p, o in pairs:
        v = resolver.value(o)
        if v.kind == "bnode" and depth < 2:
            v.nested = _group(resolver, nested.get(v.value, []), nested, depth + 1)
        by_prop.setdefault(p, []).append(v)
    groups = []
    for p, values in by_prop.items():
        values.sort(key=lambda v: (v.kind, (v.label or v.value).lower(), v.value))
        groups.append(PropertyGroup(p, resolver.prop_label(p), values[:200], resolver.href(p)))
    groups.sort(key=lambda g: (0 if g.iri == RDF["type"].value else 1 if g.iri in LABEL_PROPS else 2,
                               g.label.lower(), g.iri))
    return groups


def describe(store: Store, sparql_dir: Path, iris: Iris, iri: str, lang: str = "de",
             page: int = 1, shared: dict[Any, Any] | None = None) -> Description:
    """Describe ``iri``: outgoing statements per source graph, blank nodes inlined, labels, incoming links.

    ``shared``: a per-snapshot memo for labels and graph provenance (see :class:`Resolver`), or None.
    :raises NotFound: nothing is known about the IRI (neither as subject nor as object).
    """
    resolver = Resolver(store, iris, lang, shared)
    this = NamedNode(iri)
    out = list(itertools.islice(_rows(store, sparql_dir, "resource-outgoing", this=iri), MAX_OUT + 1))
    truncated = len(out) > MAX_OUT
    out = out[:MAX_OUT]
    counts = [(r["p"].value, int(r["n"].value)) for r in _rows(store, sparql_dir, "resource-incoming-counts",
                                                              this=iri)]
    if not out and not counts:
        raise NotFound(f"nothing is known about <{iri}>")
    triples: list[Triple] = []
    per_graph: dict[str, list[tuple[str, Any]]] = {}
    types: list[Value] = []
    for r in out:
        g = r["g"].value
        per_graph.setdefault(g, []).append((r["p"].value, r["o"]))
        triples.append(Triple(this, r["p"], r["o"]))
        if r["p"].value == RDF["type"].value and isinstance(r["o"], NamedNode):
            if all(t.value != r["o"].value for t in types):
                types.append(resolver.value(r["o"]))
    nested: dict[str, list[tuple[str, Any]]] = {}
    for r in itertools.islice(_rows(store, sparql_dir, "resource-bnodes", this=iri), MAX_OUT):
        nested.setdefault(str(r["b"]), []).append((r["p"].value, r["o"]))
        triples.append(Triple(r["b"], r["p"], r["o"]))
    def info(g: str) -> GraphInfo:
        if shared is None:
            return graph_info(store, sparql_dir, iris, g)
        if ("graph", g) not in shared:
            shared[("graph", g)] = graph_info(store, sparql_dir, iris, g)
        return shared[("graph", g)]  # type: ignore[no-any-return]

    sections = [Section(info(g), _group(resolver, pairs, nested))
                for g, pairs in sorted(per_graph.items())]
    _explain_derivations(sections, resolver)
    # Labels of everything linked (outgoing), so the RDF is self-contained.
    linked = {t.object.value for t in triples if isinstance(t.object, NamedNode)} | {t.predicate.value for t in triples}
    incoming: list[IncomingGroup] = []
    page = max(1, page)
    pages = 1
    for p, n in counts:
        pages = max(pages, -(-n // INCOMING_PAGE))
        rows = _rows(store, sparql_dir, "resource-incoming", this=iri, p=p)
        items = []
        # the store's order is stable within a snapshot: a page is one slice, sorted for display (sorting all
        # incoming links first would cost seconds for things linked from ten thousand others)
        for s in sorted((r["s"] for r in itertools.islice(rows, (page - 1) * INCOMING_PAGE, page * INCOMING_PAGE)),
                        key=lambda term: term.value):
            items.append(resolver.value(s))
            triples.append(Triple(s, NamedNode(p), this))
            linked.add(s.value)
        incoming.append(IncomingGroup(p, resolver.prop_label(p), n, items))
        linked.add(p)
    for other in sorted(linked):
        for text, tag in resolver.labels(other):
            triples.append(Triple(NamedNode(other), RDFS["label"], Literal(text, language=tag) if tag else Literal(text)))
    label = pick_label(resolver.labels(iri), lang) or resolver.fallback_name(iri)
    return Description(iri, label, types, sections, incoming, page, pages, _dedupe(triples), truncated)


def _dedupe(triples: list[Triple]) -> list[Triple]:
    seen: set[Triple] = set()
    out = []
    for t in triples:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _explain_derivations(sections: list[Section], resolver: Resolver) -> None:
    """Attach to each kep:derivedSDG value the rule and basis of its kep:SDGDerivation record."""
    records: list[dict[str, list[Value]]] = []
    for sec in sections:
        for g in sec.groups:
            if g.iri == KEP["sdgDerivation"].value:
                for v in g.values:
                    records.append({ng.iri: ng.values for ng in v.nested})
    for sec in sections:
        for g in sec.groups:
            if g.iri != KEP["derivedSDG"].value:
                continue
            for v in g.values:
                for rec in records:
                    if any(x.value == v.value for x in rec.get(KEP["sdg"].value, [])):
                        rules = [x.label or x.value for x in rec.get(KEP["rule"].value, [])]
                        bases = [x.label or x.value for x in rec.get(KEP["basis"].value, [])]
                        v.derivation.append("; ".join(rules) + (" ← " + ", ".join(bases) if bases else ""))


_RDF_FORMATS = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
                "rdf": RdfFormat.RDF_XML}


def to_rdf(triples: list[Triple], ext: str) -> bytes:
    """Serialise triples in the format with extension ``ext`` (ttl, nt, jsonld, rdf)."""
    fmt = _RDF_FORMATS[ext]
    if fmt in (RdfFormat.TURTLE, RdfFormat.RDF_XML):
        return serialize(triples, format=fmt, prefixes=PREFIXES) or b""
    return serialize(triples, format=fmt) or b""


# ----------------------------------------------------------------------------- literals

_MONTHS = {"de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                  "November", "Dezember"],
           "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]}
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _group_digits(number: str, lang: str) -> str:
    sep, dec = (".", ",") if lang == "de" else (",", ".")
    neg = number.startswith("-")
    whole, _, frac = number.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if neg else "") + sep.join(groups) + (dec + frac if frac else "")


def format_literal(value: str, datatype: str, lang: str, prop: str = "") -> str:
    """A literal for people in ``lang`` (de/en): dates, integers and amounts localised; other text as is."""
    try:
        if datatype == _XSD + "date":
            d = date.fromisoformat(value[:10])
            return f"{d.day}. {_MONTHS['de'][d.month - 1]} {d.year}" if lang == "de" else \
                f"{d.day} {_MONTHS['en'][d.month - 1]} {d.year}"
        if datatype == _XSD + "dateTime":
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            day = format_literal(dt.date().isoformat(), _XSD + "date", lang)
            return f"{day}, {dt:%H:%M} UTC" if dt.utcoffset() is not None else f"{day}, {dt:%H:%M}"
        if datatype in (_XSD + "integer", _XSD + "int", _XSD + "long", _XSD + "nonNegativeInteger"):
            return _group_digits(str(int(value)), lang)
        if datatype in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
            if prop.startswith(_WGS):
                return value
            num = Decimal(value)
            money = prop in (SCHEMA["amount"].value, SCHEMA["value"].value)
            return _group_digits(f"{num:.2f}" if money else format(num.normalize(), "f"), lang)
    except (ValueError, InvalidOperation):
        pass
    return clean_text(value)


# ----------------------------------------------------------------------------- map

@dataclass
class MapData:
    points: list[dict[str, Any]]
    lines: list[tuple[dict[str, Any], dict[str, Any]]]

    def __bool__(self) -> bool:
        return bool(self.points)


def map_data(store: Store, sparql_dir: Path, resolver: Resolver, iri: str) -> MapData:
    """Points (this, linked places, partners of its partnerships) and one line per partnership."""
    points: dict[str, dict[str, Any]] = {}
    pships: dict[str, set[str]] = {}
    for r in _rows(store, sparql_dir, "resource-map", this=iri):
        try:
            lat, lon = float(r["lat"].value), float(r["long"].value)
        except ValueError:
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        x = r["x"].value if r["x"] is not None else iri
        points.setdefault(x, {"iri": x, "lat": lat, "lon": lon, "label": resolver.label(x) or x,
                              "href": resolver.href(x), "self": x == iri})
        if r["pship"] is not None:
            pships.setdefault(r["pship"].value, set()).add(x)
    lines = []
    if iri in points:
        for members in pships.values():
            for x in sorted(members):
                lines.append((points[iri], points[x]))
    else:
        partner_pts = [p for p in points.values() if not p["self"]]
        is_pship = any(t.value == KEP["Partnership"].value for t in
                       (q.object for q in store.quads_for_pattern(NamedNode(iri), RDF["type"], None, None))
                       if isinstance(t, NamedNode))
        if is_pship and len(partner_pts) >= 2:
            for a, b in itertools.combinations(sorted(partner_pts, key=lambda p: p["iri"]), 2):
                lines.append((a, b))
    return MapData(sorted(points.values(), key=lambda p: p["iri"]), lines)

