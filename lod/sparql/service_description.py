"""The SPARQL 1.1 Service Description of the endpoint: exactly what it supports, nothing more."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

from lod.namespaces import DCT, RDF, RDFS, SD
from lod.sparql.formats import FORMATS

__all__ = ["describe", "SD_FORMATS"]

# W3C format IRIs (http://www.w3.org/ns/formats/) of what we serialise
SD_FORMATS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML", "trig": "TriG", "nquads": "N-Quads",
}


def describe(endpoint: str, *, fmt: str = "turtle", graphs: list[str] | None = None,
             snapshot: str | None = None, title: str | None = None) -> bytes:
    """Serialise the description of ``endpoint`` (its public URL) in format ``fmt`` (a graph format name)."""
    svc = NamedNode(endpoint + "#service")
    ds, dg = BlankNode("dataset"), BlankNode("defaultGraph")
    t: list[tuple[object, object, object]] = [
        (svc, RDF["type"], SD["Service"]),
        (svc, SD["endpoint"], NamedNode(endpoint)),
        (svc, SD["supportedLanguage"], SD["SPARQL11Query"]),
        (svc, SD["feature"], SD["UnionDefaultGraph"]),
        (svc, SD["defaultEntailmentRegime"], NamedNode("http://www.w3.org/ns/entailment/Simple")),
        (svc, SD["defaultDataset"], ds),
        (ds, RDF["type"], SD["Dataset"]),
        (ds, SD["defaultGraph"], dg),
        (dg, RDF["type"], SD["Graph"]),
        (dg, DCT["description"], Literal("The default graph is the union of all named graphs.", language="en")),
        (ds, RDFS["seeAlso"], NamedNode(endpoint.rsplit("/", 1)[0] + "/.well-known/void")),  # VoID: counts, dumps
    ]
    if title:
        t.append((svc, DCT["title"], Literal(title)))
    if snapshot:
        t.append((ds, DCT["identifier"], Literal(snapshot)))
    for name, local in SD_FORMATS.items():
        t.append((svc, SD["resultFormat"], NamedNode("http://www.w3.org/ns/formats/" + local)))
    for i, g in enumerate(graphs or []):
        ng = BlankNode(f"ng{i}")
        t += [(ds, SD["namedGraph"], ng), (ng, RDF["type"], SD["NamedGraph"]), (ng, SD["name"], NamedNode(g))]
    quads = [Quad(s, p, o) for s, p, o in t]  # type: ignore[arg-type]
    rdf = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
           "rdfxml": RdfFormat.RDF_XML, "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS}[fmt]
    prefixes = {"sd": str(SD), "dct": str(DCT)} if fmt in ("turtle", "trig", "rdfxml") else None
    if rdf.supports_datasets:
        return serialize(quads, format=rdf, prefixes=prefixes) if prefixes else serialize(quads, format=rdf)
    triples = [q.triple for q in quads]
    return serialize(triples, format=rdf, prefixes=prefixes) if prefixes else serialize(triples, format=rdf)


assert set(SD_FORMATS) <= set(FORMATS)
