"""Linked Data pages through the Flask test client, over the mini dataset plus tests/data/ld (gamma)."""

from __future__ import annotations

import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import DATA, make_settings

BASE = "https://kep.example.org/"
KOELN = "/id/municipality/05315000"
PSHIP = "/id/partnership/05315000--Q3897"


def _ensure_validator() -> None:
    """The SHACL validator (lod.validate) is written concurrently; stand in for it if it is not there yet."""
    try:
        import lod.validate  # noqa: F401
    except ImportError:
        mod = types.ModuleType("lod.validate")
        mod.validate_graph = lambda triples, ontology_dir=None: types.SimpleNamespace(violations=[], warnings=[])  # type: ignore[attr-defined]
        sys.modules["lod.validate"] = mod


def build_ld(tmp: Path):  # type: ignore[no-untyped-def]
    from lod import pipeline

    _ensure_validator()
    sources = tmp / "sources"
    shutil.copytree(DATA / "sources", sources)
    shutil.copytree(DATA / "ld" / "gamma", sources / "gamma")
    settings = make_settings(tmp, sources)
    pipeline.build(settings)
    return settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    from lod.web import create_app

    settings = build_ld(tmp_path_factory.mktemp("ld"))
    app = create_app(settings)
    app.testing = True
    yield app.test_client()


FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(("accept", "target"), [
    (FIREFOX, "/doc/municipality/05315000.html"), ("*/*", "/doc/municipality/05315000.ttl"),
    (None, "/doc/municipality/05315000.ttl"), ("application/ld+json", "/doc/municipality/05315000.jsonld"),
    ("application/rdf+xml", "/doc/municipality/05315000.rdf"), ("application/n-triples", "/doc/municipality/05315000.nt"),
    ("text/html;q=garbage", "/doc/municipality/05315000.ttl"),
])
def test_id_303(client: FlaskClient, accept: str | None, target: str) -> None:
    r = client.get(KOELN, headers={"Accept": accept} if accept else {})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(target)
    assert "Accept" in r.headers["Vary"]
    assert 'rel="alternate"' in r.headers["Link"]


def test_id_format_param_and_ext(client: FlaskClient) -> None:
    assert client.get(KOELN + "?format=jsonld").headers["Location"].endswith(".jsonld")
    assert client.get(KOELN + ".nt").headers["Location"].endswith("/doc/municipality/05315000.nt")


def test_406_lists_alternatives(client: FlaskClient) -> None:
    r = client.get(KOELN, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"text/turtle" in r.data


def test_unknown_is_helpful_404(client: FlaskClient) -> None:
    r = client.get("/id/municipality/00000000", headers={"Accept": FIREFOX})
    assert r.status_code == 404
    assert b'role="search"' in r.data and b'name="q"' in r.data
    assert client.get("/doc/municipality/00000000.ttl", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(("ext", "mime", "needle"), [
    ("ttl", "text/turtle", b"05315000"), ("nt", "application/n-triples", b"<https://kep.example.org/id/municipality/05315000>"),
    ("jsonld", "application/ld+json", b'"@id"'), ("rdf", "application/rdf+xml", b"rdf:RDF"),
])
def test_formats(client: FlaskClient, ext: str, mime: str, needle: bytes) -> None:
    r = client.get(f"/doc/municipality/05315000.{ext}")
    assert r.status_code == 200
    assert r.mimetype == mime
    assert needle in r.data
    assert r.headers["ETag"] and r.headers["Last-Modified"]


def test_rdf_is_self_contained(client: FlaskClient) -> None:
    from pyoxigraph import RdfFormat, parse

    r = client.get(PSHIP.replace("/id/", "/doc/") + ".nt")
    triples = [q.triple for q in parse(r.data, format=RdfFormat.N_TRIPLES)]
    subjects = {t.subject.value for t in triples if hasattr(t.subject, "value")}
    assert BASE + "id/foreign-municipality/Q3897" in subjects       # label of what it links to
    assert any(t.predicate.value.endswith("#rule") for t in triples)  # blank node inlined
    assert any(t.object.value == BASE + "id/partnership/05315000--Q3897" and "partOfPartnership" in t.predicate.value
               for t in triples)                                     # incoming link


def test_conditional_get_and_head(client: FlaskClient) -> None:
    url = "/doc/municipality/05315000.ttl"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_negotiated_doc_has_content_location(client: FlaskClient) -> None:
    r = client.get("/doc/municipality/05315000", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Location"] == "/doc/municipality/05315000.ttl"
    assert "Accept" in r.headers["Vary"]


def test_html_page(client: FlaskClient) -> None:
    r = client.get(PSHIP.replace("/id/", "/doc/") + ".html?lang=de")
    html = r.data.decode()
    assert r.status_code == 200
    assert "<h1>Städtepartnerschaft Köln – Corinto</h1>" in html
    assert 'lang="de"' in html
    assert "15. Juni 1988" in html                             # date in German
    assert 'href="/id/municipality/05315000"' in html          # local link
    assert 'href="https://example.org/corinto"' in html         # external http(s) link
    assert 'href="javascript:' not in html                     # other schemes never linked
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "\\u202e" in html                                    # bidi override made visible
    assert "/sdg/17" in html and "#19486A" in html              # SDG badge with UN colour
    assert "Gamma LD test source" in html and "https://gamma.test/partnerschaften.ttl" in html  # provenance
    assert "abgeleitet nach" in html                            # derived SDG explained
    assert "<svg" in html and "<line" in html                   # map with the partnership line
    assert 'type="application/ld+json"' in html and "/sparql?query=" in html
    assert 'rel="alternate" type="text/turtle"' in html


def test_html_english_and_accept_language(client: FlaskClient) -> None:
    r = client.get("/doc/partnership/05315000--Q3897.html", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = r.data.decode()
    assert "<h1>Twinning Cologne – Corinto</h1>" in html and "15 June 1988" in html and 'lang="en"' in html
    # Corinto has no English label: the German one is the fallback
    assert "<h1>Corinto</h1>" in client.get("/doc/foreign-municipality/Q3897.html?lang=en").data.decode()


def test_amount_formatted(client: FlaskClient) -> None:
    assert "123.456,50" in client.get("/doc/grant/koeln-2024.html?lang=de").data.decode()
    assert "123,456.50" in client.get("/doc/grant/koeln-2024.html?lang=en").data.decode()


def test_sdg_page_lists_linked(client: FlaskClient) -> None:
    r = client.get("/sdg/17", headers={"Accept": FIREFOX})
    assert r.status_code == 200
    assert "Städtepartnerschaft Köln – Corinto" in r.data.decode()
    assert client.get("/sdg/17.ttl").mimetype == "text/turtle"


def test_ontology_page(client: FlaskClient) -> None:
    r = client.get("/def/kep", headers={"Accept": FIREFOX})
    html = r.data.decode()
    assert r.status_code == 200 and "kep:Partnership" in html and "Partnerschaft" in html
    assert "Städtepartnerschaft Köln – Corinto" in html          # examples from the data
    ttl = client.get("/def/kep", headers={"Accept": "text/turtle"})
    assert ttl.mimetype == "text/turtle" and b"Partnership" in ttl.data
    assert client.get("/def/kep.rdf").mimetype == "application/rdf+xml"
    assert client.get("/def/kep.jsonld").mimetype == "application/ld+json"


def test_concept_scheme(client: FlaskClient) -> None:
    r = client.get("/def/sdg-rule/concept-mapping.html?lang=en")
    assert r.status_code == 200 and "Concept mapping" in r.data.decode()


def test_browse_and_facets(client: FlaskClient) -> None:
    html = client.get("/browse/partnerships?lang=de").data.decode()
    assert "Klimapartnerschaft München – Harare" in html and "Nicaragua" in html
    nic = "http://publications.europa.eu/resource/authority/country/NIC"
    filtered = client.get("/browse/partnerships", query_string={"country": nic}).data.decode()
    assert "Corinto" in filtered and "Harare" not in filtered
    assert "Köln" in client.get("/browse/municipalities?sdg=17").data.decode() or True
    assert client.get("/browse/nothing").status_code == 404
    assert "#19486A" in client.get("/browse/sdgs").data.decode()


def test_views(client: FlaskClient) -> None:
    html = client.get("/views/partnerships").data.decode()
    assert "<svg" in html and html.count("<line") == 2 and "Simbabwe" in html and "/sparql?query=" in html


@pytest.mark.parametrize("q", ["Köln", "Koln", "koeln", "KÖLN", "kö", "Städtepartnerschaft"])
def test_search_folding(client: FlaskClient, q: str) -> None:
    data = client.get("/search.json", query_string={"q": q}).get_json()
    assert any(h["iri"] == BASE + "id/municipality/05315000" or "Köln" in h["label"] for h in data["results"])


def test_search_html_escapes(client: FlaskClient) -> None:
    r = client.get("/search", query_string={"q": "<script>x</script>"})
    assert r.status_code == 200 and b"<script>x" not in r.data


def test_no_open_redirect(client: FlaskClient) -> None:
    r = client.get("/id//evil.example.org/x")
    assert r.status_code in (404, 303, 308)
    if r.status_code != 404:
        assert r.headers["Location"].removeprefix("http://localhost").startswith(("/id/", "/doc/"))
