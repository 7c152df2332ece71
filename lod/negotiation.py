"""Content negotiation for documents about things: RDF formats and HTML. Pure (no Flask).

The rules, deterministic and documented (docs: README "Dereferencing"):

1. An explicit format wins over ``Accept``: a per-format URL (``/doc/….ttl``) or ``?format=ttl``.
2. ``Accept`` is parsed with q-values; a media range applies with its most specific match
   (``text/turtle`` before ``text/*`` before ``*/*``). A malformed header is treated as ``*/*``.
3. Among the formats with the highest q, a format the client *named* beats one it only reached through a
   wildcard; remaining ties go by the server order :data:`ORDER` (Turtle, HTML, JSON-LD, N-Triples, RDF/XML).
   Hence ``*/*`` (curl, wget, a missing header) → **Turtle**; browsers name ``text/html`` → HTML.
4. If every offered format has q = 0 → :class:`~lod.errors.NotAcceptable` listing the alternatives.

>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8").ext
'html'
>>> negotiate("*/*").ext
'ttl'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lod.errors import NotAcceptable

__all__ = ["Format", "FORMATS", "ORDER", "DEFAULT", "negotiate", "by_name", "parse_accept"]


@dataclass(frozen=True)
class Format:
    ext: str                      # per-format URL suffix and ?format= value
    mime: str                     # Content-Type sent
    label: str                    # for people
    aliases: tuple[str, ...] = ()  # further media types that select this format
    rdf: bool = True


FORMATS: dict[str, Format] = {f.ext: f for f in (
    Format("ttl", "text/turtle", "Turtle", ("application/x-turtle", "text/n3", "text/rdf+n3", "application/turtle")),
    Format("html", "text/html", "HTML", ("application/xhtml+xml",), rdf=False),
    Format("jsonld", "application/ld+json", "JSON-LD", ("application/json",)),
    Format("nt", "application/n-triples", "N-Triples", ("text/plain",)),
    Format("rdf", "application/rdf+xml", "RDF/XML", ("application/xml", "text/xml")),
)}
ORDER: tuple[str, ...] = tuple(FORMATS)
DEFAULT = FORMATS["ttl"]
_NAMES = {**{f.ext: f for f in FORMATS.values()},
          "turtle": FORMATS["ttl"], "json-ld": FORMATS["jsonld"], "json": FORMATS["jsonld"],
          "ntriples": FORMATS["nt"], "n-triples": FORMATS["nt"], "xml": FORMATS["rdf"], "rdfxml": FORMATS["rdf"]}
_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def by_name(name: str) -> Format:
    """Format for an extension or ``?format=`` value (also a media type). :raises NotAcceptable: unknown."""
    key = name.strip().lower()
    if key in _NAMES:
        return _NAMES[key]
    for f in FORMATS.values():
        if key == f.mime or key in f.aliases:
            return f
    raise NotAcceptable(f"unknown format {name!r}", alternatives())


def alternatives() -> list[str]:
    return [f"{f.mime} (.{f.ext})" for f in FORMATS.values()]


def parse_accept(header: str | None) -> list[tuple[str, str, float]] | None:
    """Parse ``Accept`` into (type, subtype, q); None when it is missing, empty or malformed."""
    if header is None or not header.strip():
        return None
    out: list[tuple[str, str, float]] = []
    for part in header.split(","):
        if not part.strip():
            continue
        fields = [x.strip() for x in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            return None
        typ, _, sub = media.partition("/")
        if not (_TOKEN.match(typ) and _TOKEN.match(sub)) or (typ == "*" and sub != "*"):
            return None
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    return None
                if not 0.0 <= q <= 1.0 or q != q:
                    return None
        out.append((typ, sub, q))
    return out or None


def _quality(fmt: Format, ranges: list[tuple[str, str, float]]) -> tuple[float, bool]:
    """(q, named): q of the most specific range matching any of fmt's media types."""
    best_spec, best_q = -1, 0.0
    for mime in (fmt.mime, *fmt.aliases):
        typ, sub = mime.split("/")
        for rt, rs, q in ranges:
            if rt == typ and rs == sub:
                spec = 3 if mime == fmt.mime else 2
            elif rt == typ and rs == "*":
                spec = 1
            elif rt == "*" and rs == "*":
                spec = 0
            else:
                continue
            if spec > best_spec or (spec == best_spec and q > best_q):
                best_spec, best_q = spec, q
    return best_q, best_spec >= 2


def negotiate(accept: str | None, offered: tuple[str, ...] = ORDER) -> Format:
    """Choose the format for an ``Accept`` header among ``offered`` extensions (in server order).

    :raises NotAcceptable: the client accepts none of them (the message lists the alternatives).
    """
    ranges = parse_accept(accept) or [("*", "*", 1.0)]
    best: tuple[float, bool, int] | None = None
    chosen: Format | None = None
    for i, ext in enumerate(offered):
        q, named = _quality(FORMATS[ext], ranges)
        if q <= 0:
            continue
        key = (q, named, -i)
        if best is None or key > best:
            best, chosen = key, FORMATS[ext]
    if chosen is None:
        raise NotAcceptable(f"none of the requested media types ({accept}) is available",
                            [f"{FORMATS[e].mime} (.{e})" for e in offered])
    return chosen
