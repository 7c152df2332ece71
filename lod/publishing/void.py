"""The VoID description of the dataset (served at ``/.well-known/void``): subsets per source, counts,
class and property partitions, linksets to Wikidata and the UN SDG scheme, example resources, dumps, endpoint.

The dataset node is the catalog's whole-dataset ``dcat:Dataset`` (also typed ``void:Dataset``).
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Triple

from lod.namespaces import DCT, RDF, VOID, XSD
from lod.publishing.model import Publication

__all__ = ["void_triples", "WIKIDATA_VOID", "SDG_VOID"]

WIKIDATA_VOID = NamedNode("http://www.wikidata.org/entity/Q2013")       # Wikidata (the dataset)
SDG_VOID = NamedNode("http://metadata.un.org/sdg")                      # UN SDG KOS


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD["integer"])


def void_triples(pub: Publication) -> list[Triple]:
    """The VoID statements for one publication."""
    ds = pub.dataset_iri()
    base = pub.base
    st = pub.stats
    t = [
        Triple(ds, RDF["type"], VOID["Dataset"]),
        Triple(ds, DCT["title"], Literal(pub.settings.title, language="de")),
        Triple(ds, VOID["uriSpace"], Literal(base + "id/")),
        Triple(ds, VOID["sparqlEndpoint"], NamedNode(base + "sparql")),
        Triple(ds, VOID["rootResource"], NamedNode(base)),
        Triple(ds, VOID["triples"], _int(st.triples)),
        Triple(ds, VOID["entities"], _int(st.entities)),
        Triple(ds, VOID["classes"], _int(len(st.classes))),
        Triple(ds, VOID["properties"], _int(len(st.properties))),
        Triple(ds, VOID["vocabulary"], NamedNode("https://w3id.org/kep/def/kep#")),
        Triple(ds, VOID["feature"], NamedNode("http://www.w3.org/ns/formats/N-Quads")),
        Triple(ds, VOID["feature"], NamedNode("http://www.w3.org/ns/formats/Turtle")),
        Triple(ds, VOID["feature"], NamedNode("http://www.w3.org/ns/formats/JSON-LD")),
        Triple(ds, DCT["modified"], Literal(pub.modified, datatype=XSD["dateTime"])),
    ]
    for ex in st.examples:
        t.append(Triple(ds, VOID["exampleResource"], NamedNode(ex)))
    for f in pub.files:
        if f.scope == "all" and f.format != "csv":
            t.append(Triple(ds, VOID["dataDump"], NamedNode(pub.download_url(f))))
    for i, (cls, n) in enumerate(st.classes):
        node = NamedNode(f"{base}.well-known/void#class-{i}")
        t += [Triple(ds, VOID["classPartition"], node), Triple(node, VOID["class"], NamedNode(cls)),
              Triple(node, VOID["entities"], _int(n))]
    for i, (prop, n) in enumerate(st.properties):
        node = NamedNode(f"{base}.well-known/void#property-{i}")
        t += [Triple(ds, VOID["propertyPartition"], node), Triple(node, VOID["property"], NamedNode(prop)),
              Triple(node, VOID["triples"], _int(n))]
    for src in pub.sources:
        sub = pub.dataset_iri(src.slug)
        graph = f"{base}graph/{src.slug}"
        triples, entities = st.graphs.get(graph, (0, 0))
        t += [Triple(ds, VOID["subset"], sub), Triple(sub, RDF["type"], VOID["Dataset"]),
              Triple(sub, DCT["title"], Literal(src.title, language="de")),
              Triple(sub, DCT["source"], NamedNode(graph)),
              Triple(sub, VOID["triples"], _int(triples)), Triple(sub, VOID["entities"], _int(entities)),
              Triple(sub, VOID["uriSpace"], Literal(base + "id/")),
              Triple(sub, VOID["sparqlEndpoint"], NamedNode(base + "sparql"))]
        for f in pub.files:
            if f.scope == src.slug:
                t.append(Triple(sub, VOID["dataDump"], NamedNode(pub.download_url(f))))
    targets = {"wikidata": (WIKIDATA_VOID, "Wikidata"), "sdg": (SDG_VOID, "UN SDG")}
    for i, (prop, target, n) in enumerate(st.linksets):
        ls = NamedNode(f"{base}.well-known/void#linkset-{target}-{i}")
        obj, label = targets[target]
        t += [Triple(ds, VOID["subset"], ls), Triple(ls, RDF["type"], VOID["Linkset"]),
              Triple(ls, DCT["title"], Literal(f"Links to {label} via <{prop}>", language="en")),
              Triple(ls, VOID["subjectsTarget"], ds), Triple(ls, VOID["objectsTarget"], obj),
              Triple(ls, VOID["linkPredicate"], NamedNode(prop)), Triple(ls, VOID["triples"], _int(n))]
    for obj, label in targets.values():
        t += [Triple(obj, RDF["type"], VOID["Dataset"]), Triple(obj, DCT["title"], Literal(label, language="en"))]
    return t
