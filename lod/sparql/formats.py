"""Result formats of the endpoint and content negotiation (Accept with q-values, or a ``format`` parameter).

Three result shapes: ``solutions`` (SELECT), ``boolean`` (ASK) and ``graph`` (CONSTRUCT/DESCRIBE). Each has its
formats; ``html`` is the query page itself (for browsers).
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from lod.errors import BadRequest, NotAcceptable

__all__ = ["Format", "FORMATS", "SHAPE_FORMATS", "negotiate", "by_name"]


@dataclass(frozen=True)
class Format:
    name: str            # the ``format=`` value
    media_type: str      # what we send
    aliases: tuple[str, ...] = ()   # other media types a client may ask for
    label: str = ""
    extension: str = ""

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "application/sparql-results+json", ("application/json",), "SPARQL JSON", "srj"),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "SPARQL XML", "srx"),
    Format("csv", "text/csv", (), "CSV", "csv"),
    Format("tsv", "text/tab-separated-values", (), "TSV", "tsv"),
    Format("turtle", "text/turtle", ("application/x-turtle",), "Turtle", "ttl"),
    Format("ntriples", "application/n-triples", ("text/plain",), "N-Triples", "nt"),
    Format("jsonld", "application/ld+json", ("application/json",), "JSON-LD", "jsonld"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), "RDF/XML", "rdf"),
    Format("trig", "application/trig", (), "TriG", "trig"),
    Format("nquads", "application/n-quads", (), "N-Quads", "nq"),
    Format("html", "text/html", ("application/xhtml+xml",), "HTML", "html"),
)}

# Per result shape: its formats, the first is the default for */* and missing Accept.
SHAPE_FORMATS: dict[str, tuple[str, ...]] = {
    "solutions": ("json", "xml", "csv", "tsv", "html"),
    "boolean": ("json", "xml", "csv", "tsv", "html"),
    "graph": ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads", "html"),
}
_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml",
            "rdf+xml": "rdfxml", "nq": "nquads", "n-quads": "nquads", "srj": "json", "srx": "xml"}


def by_name(name: str) -> Format:
    """:raises BadRequest: unknown ``format`` value."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key in FORMATS:
        return FORMATS[key]
    media = {f.media_type: f for f in FORMATS.values()}
    if key in media:
        return media[key]
    raise BadRequest(f"unknown format {name!r}; use one of: {', '.join(FORMATS)}")


def negotiate(shape: str, accept_header: str | None, format_param: str | None) -> Format:
    """Pick the response format for a result ``shape``.

    The ``format`` parameter wins over ``Accept``. A missing, empty, ``*/*`` or malformed Accept gives the
    default (JSON for results, Turtle for graphs).

    :raises NotAcceptable: nothing acceptable (lists the alternatives).
    :raises BadRequest: unknown or unsuitable ``format`` parameter.
    """
    names = SHAPE_FORMATS[shape]
    if format_param:
        fmt = by_name(format_param)
        if fmt.name not in names:
            # media types shared between shapes (application/json, …): map to this shape's nearest format
            if fmt.name in ("jsonld",) and "json" in names:
                return FORMATS["json"]
            raise BadRequest(f"format {format_param!r} does not fit a {_SHAPE_WORD[shape]} result; "
                             f"use one of: {', '.join(names)}")
        return fmt
    accept = _parse_accept(accept_header)
    if accept is None:
        return FORMATS[names[0]]
    best: tuple[float, int, str] | None = None
    for i, name in enumerate(names):
        fmt = FORMATS[name]
        q = max(_quality(accept, mt) for mt in (fmt.media_type, *fmt.aliases))
        if q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, name)
    if best is None:
        raise NotAcceptable("none of the media types in your Accept header can represent this result.",
                            [FORMATS[n].media_type for n in names])
    return FORMATS[best[2]]


_SHAPE_WORD = {"solutions": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT/DESCRIBE"}


def _parse_accept(header: str | None) -> MIMEAccept | None:
    if not header or not header.strip() or len(header) > 4096:
        return None
    try:
        accept = parse_accept_header(header.lower(), MIMEAccept)
    except ValueError:
        return None
    valid = [(v, q) for v, q in accept if "/" in v or v == "*"]
    return MIMEAccept(valid) if valid else None


def _quality(accept: MIMEAccept, media_type: str) -> float:
    """Quality of ``media_type``: the most specific matching range decides (RFC 9110 §12.5.1)."""
    major = media_type.split("/")[0]
    found: dict[int, float] = {}
    for value, q in accept:
        value = value.split(";")[0].strip()
        if value == media_type:
            found.setdefault(3, q)
        elif value == f"{major}/*":
            found.setdefault(2, q)
        elif value in ("*/*", "*"):
            found.setdefault(1, q)
    return found[max(found)] if found else 0.0
