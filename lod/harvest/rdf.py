"""Kind ``rdf``: a source that already publishes RDF (Turtle, N-Triples, RDF/XML, JSON-LD).

Options: ``format`` (turtle | ntriples | rdfxml | jsonld; default from the media type or file name),
``keep_graphs`` is not supported: everything goes into the source's one named graph.
pyoxigraph's RDF/XML parser expands internal DTD entities eagerly (a 1 KB "billion laughs" document
aborts the process), so any document declaring ``<!ENTITY`` is refused before parsing.
"""

from __future__ import annotations

import re

from pyoxigraph import RdfFormat, parse

from lod.errors import HarvestError, SourceError
from lod.harvest.base import HarvestContext, HarvestResult, Source

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "rdfxml": RdfFormat.RDF_XML,
            "jsonld": RdfFormat.JSON_LD}


def _format(source: Source, media_type: str | None, url: str) -> RdfFormat:
    name = source.options.get("format")
    if name is not None:
        if name not in _FORMATS:
            raise SourceError(f"option 'format' must be one of {', '.join(_FORMATS)}, got {name!r}",
                              path=str(source.yaml_path), line=source.lines.get("options"), key="options.format")
        return _FORMATS[name]
    if media_type:
        fmt = RdfFormat.from_media_type(media_type.split(";")[0].strip())
        if fmt is not None:
            return fmt
    ext = url.rsplit(".", 1)[-1].lower()
    fmt = RdfFormat.from_extension(ext)
    if fmt is None:
        raise HarvestError(f"{url}: cannot tell the RDF format (media type {media_type!r}); "
                           "set options.format in source.yaml")
    return fmt


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Parse every document; all triples go into the source graph (named graphs are flattened).

    :raises HarvestError: a document is not valid RDF (message names the URL and the parser's position).
    """
    triples = []
    documents = []
    for ref in source.documents:
        doc = ctx.fetch(ref.url)
        fmt = _format(source, ref.media_type or doc.media_type, ref.url)
        if fmt == RdfFormat.RDF_XML and _ENTITY_DECL.search(doc.text or ""):
            raise HarvestError(f"{ref.url}: RDF/XML declares DTD entities (<!ENTITY); refused, because entity "
                               "expansion can exhaust memory. Publish the document without a DTD.")
        try:
            for quad in parse(doc.text or "", format=fmt, base_iri=ref.url):
                triples.append(quad.triple)
        except SyntaxError as exc:
            raise HarvestError(f"{ref.url}: not valid {fmt.name}: {exc}") from None
        documents.append(doc)
    return HarvestResult(triples, documents)
