"""Publishing over HTTP (gunicorn on 127.0.0.1): catalog and VoID negotiation, dumps streamed with conditional and
range requests and equal to what /sparql serves, CSV, changelog (HTML, Atom, RDF), sitemap, robots.txt."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET

import requests
from pyoxigraph import (BlankNode, CanonicalizationAlgorithm, Dataset, Literal, NamedNode, Quad, RdfFormat, Store,
                        parse)

from lod.publishing import read_manifest
from lod.settings import Settings

ATOM = "{http://www.w3.org/2005/Atom}"


def _term(b: dict[str, str]) -> NamedNode | BlankNode | Literal:
    if b["type"] == "uri":
        return NamedNode(b["value"])
    if b["type"] == "bnode":
        return BlankNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], language=b["xml:lang"])
    return Literal(b["value"], datatype=NamedNode(b["datatype"])) if "datatype" in b else Literal(b["value"])


def test_nquads_dump_equals_what_sparql_serves(live_server: tuple[str, Settings]) -> None:
    base, _ = live_server
    r = requests.get(base + "/sparql", params={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    served = Dataset(Quad(_term(b["s"]), _term(b["p"]), _term(b["o"]), _term(b["g"]))  # type: ignore[arg-type]
                     for b in r.json()["results"]["bindings"])
    dump = requests.get(base + "/dumps/kep.nq.gz", timeout=30)
    assert dump.status_code == 200 and dump.headers["Content-Type"] == "application/gzip"
    dumped = Dataset(parse(gzip.decompress(dump.content), format=RdfFormat.N_QUADS))
    served.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    dumped.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    assert len(dumped) > 20 and dumped == served


def test_dumps_are_streamed_with_conditional_and_range_requests(live_server: tuple[str, Settings]) -> None:
    base, settings = live_server
    full = requests.get(base + "/dumps/kep.ttl.gz", timeout=30)
    assert full.status_code == 200 and full.headers.get("Accept-Ranges") == "bytes"
    part = requests.get(base + "/dumps/kep.ttl.gz", headers={"Range": "bytes=0-9"}, timeout=30)
    assert part.status_code == 206 and part.content == full.content[:10]
    again = requests.get(base + "/dumps/kep.ttl.gz", headers={"If-None-Match": full.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    assert requests.get(base + "/dumps/nope.nq.gz", timeout=30).status_code == 404
    assert requests.get(base + "/dumps/..%2Fmanifest.json", timeout=30).status_code == 404
    ctx = requests.get(base + "/dumps/context.jsonld", timeout=30)
    assert ctx.headers["Content-Type"].startswith("application/ld+json")
    assert ctx.json()["@context"]["kep"] == "https://w3id.org/kep/def/kep#"


def test_dump_index_lists_size_checksum_date_licence(live_server: tuple[str, Settings]) -> None:
    base, settings = live_server
    sid = requests.get(base + "/healthz", timeout=10).json()["snapshot"]
    manifest = read_manifest(settings, sid)
    assert manifest
    page = requests.get(base + "/dumps/?lang=en", timeout=30)  # the English UI text is pinned below
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for f in manifest["files"]:
        assert f["name"] in page.text and f["sha256"] in page.text and f["modified"] in page.text
    assert "dl-by-de/2.0" in page.text and "named graphs are lost" in page.text
    assert requests.get(base + "/dumps", allow_redirects=False, timeout=10).status_code == 301


def test_catalog_and_void_negotiate_rdf_formats(live_server: tuple[str, Settings]) -> None:
    base, settings = live_server
    for path, needle in (("/catalog", "http://www.w3.org/ns/dcat#Catalog"), ("/.well-known/void", "http://rdfs.org/ns/void#Dataset")):
        ttl = requests.get(base + path, headers={"Accept": "text/turtle"}, timeout=30)
        assert ttl.headers["Content-Type"].startswith("text/turtle") and "Accept" in ttl.headers["Vary"]
        jsonld = requests.get(base + path, headers={"Accept": "application/ld+json"}, timeout=30)
        assert jsonld.headers["Content-Type"].startswith("application/ld+json")
        rdfxml = requests.get(base + path + ".rdf", timeout=30)
        assert rdfxml.headers["Content-Type"].startswith("application/rdf+xml")
        graphs = []
        for body, fmt in ((ttl.content, RdfFormat.TURTLE), (jsonld.content, RdfFormat.JSON_LD),
                          (rdfxml.content, RdfFormat.RDF_XML)):
            store = Store()
            store.load(body, format=fmt)
            graphs.append(store)
            assert any(q.object.value == needle for q in store.quads_for_pattern(None, None, None))
        assert len(graphs[0]) == len(graphs[1]) == len(graphs[2])
        assert requests.get(base + path, headers={"Accept": "text/csv"}, timeout=30).status_code == 406
    sd = requests.get(base + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert "/.well-known/void" in sd.text


def test_csv_export_downloads(live_server: tuple[str, Settings]) -> None:
    base, _ = live_server
    r = requests.get(base + "/exports/partnerships.csv", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert header[:3] == ["partnership", "label", "german_partner"]
    assert requests.get(base + "/exports/", allow_redirects=False, timeout=10).headers["Location"].endswith("/dumps/#csv")


def test_changes_page_feed_and_rdf(live_server: tuple[str, Settings]) -> None:
    base, settings = live_server
    html = requests.get(base + "/changes", timeout=30)
    assert html.status_code == 200 and "alpha" in html.text and "http://alpha.test/data.ttl" in html.text
    feed = ET.fromstring(requests.get(base + "/changes.atom", timeout=30).content)
    entries = feed.findall(ATOM + "entry")
    assert {e.find(ATOM + "title").text.split(":")[0] for e in entries} == {"alpha", "beta"}  # type: ignore[union-attr]
    assert all(e.find(ATOM + "updated") is not None and e.find(ATOM + "id") is not None for e in entries)
    ttl = requests.get(base + "/changes.ttl", timeout=30)
    store = Store()
    store.load(ttl.content, format=RdfFormat.TURTLE)
    assert len(list(store.quads_for_pattern(None, None, NamedNode("http://www.w3.org/ns/prov#Activity")))) == 2


def test_sitemap_and_robots(live_server: tuple[str, Settings]) -> None:
    base, settings = live_server
    robots = requests.get(base + "/robots.txt", timeout=10).text
    assert "Disallow: /sparql?" in robots and f"Sitemap: {settings.base_uri}sitemap.xml" in robots
    sm = ET.fromstring(requests.get(base + "/sitemap.xml", timeout=30).content)
    locs = [u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text for u in sm]  # type: ignore[union-attr]
    assert settings.base_uri + "catalog" in locs
    docs = [loc for loc in locs if "/doc/" in loc]  # type: ignore[operator]
    assert settings.base_uri + "doc/thing/alpha-1" in docs
    local = docs[0].replace(settings.base_uri, base + "/")  # type: ignore[union-attr]
    assert requests.get(local, headers={"Accept": "text/html"}, timeout=30).status_code == 200
