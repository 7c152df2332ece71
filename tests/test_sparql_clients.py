"""Real SPARQL clients against the live gunicorn server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

Q = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 5"


def test_sparqlwrapper_select_ask_construct(live_server: tuple[str, object]) -> None:
    base, _ = live_server
    sw = SPARQLWrapper(base + "/sparql")
    sw.setQuery(Q)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert rows and all("s" in r and "l" in r for r in rows)
    sw.setQuery("ASK { ?s ?p ?o }")
    sw.setReturnFormat(XML)
    assert sw.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    sw.setQuery("CONSTRUCT WHERE { ?s a ?c } LIMIT 3")
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 3
    sw.setMethod("POST")
    sw.setQuery(Q)
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["results"]["bindings"]


def test_rdflib_sparqlstore(live_server: tuple[str, object]) -> None:
    base, _ = live_server
    store = SPARQLStore(base + "/sparql")
    rows = list(store.query(Q))
    assert rows and all(len(r) == 2 for r in rows)
    assert store.query("ASK { ?s ?p ?o }").askAnswer is True
