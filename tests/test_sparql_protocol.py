"""/sparql protocol details in-process: formats, negotiation, dataset, errors, CORS, service description, page."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, parse

from lod import pipeline
from lod.settings import Settings
from lod.web import create_app
from lod.web.sparql import close_pool
from tests.conftest import DATA, make_settings

Q = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s"


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("sparql")
    shutil.copytree(DATA / "sources", tmp / "sources")
    settings = make_settings(tmp, tmp / "sources", LOD_SPARQL_MAX_ROWS=2)
    pipeline.build(settings)
    return settings


@pytest.fixture(scope="module")
def client(app_settings: Settings) -> Iterator[FlaskClient]:
    app = create_app(app_settings)
    yield app.test_client()
    close_pool(app)


@pytest.mark.parametrize("fmt,mime", [("json", "application/sparql-results+json"),
                                      ("xml", "application/sparql-results+xml"), ("csv", "text/csv"),
                                      ("tsv", "text/tab-separated-values")])
def test_select_formats_and_truncation(client: FlaskClient, fmt: str, mime: str) -> None:
    r = client.get("/sparql", query_string={"query": Q, "format": fmt})
    assert r.status_code == 200 and r.mimetype == mime and r.headers["Content-Type"].endswith("charset=utf-8")
    assert r.headers["X-KEP-Truncated"] == "true" and r.headers["X-SPARQL-MaxRows"] == "2"
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(r.get_data(as_text=True))))) == 3   # header + 2 rows
    if fmt == "json":
        assert len(json.loads(r.data)["results"]["bindings"]) == 2


@pytest.mark.parametrize("accept,fmt", [("text/turtle", RdfFormat.TURTLE), ("application/n-triples", RdfFormat.N_TRIPLES),
                                        ("application/ld+json", RdfFormat.JSON_LD), ("application/rdf+xml", RdfFormat.RDF_XML),
                                        ("application/n-quads", RdfFormat.N_QUADS), ("application/trig", RdfFormat.TRIG)])
def test_construct_formats(client: FlaskClient, accept: str, fmt: RdfFormat) -> None:
    r = client.post("/sparql", data="CONSTRUCT WHERE { ?s a ?c } LIMIT 1", content_type="application/sparql-query",
                    headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    assert len(list(parse(r.data, format=fmt))) == 1 and "X-KEP-Truncated" not in r.headers


def test_accept_q_values_and_406(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "ASK {}"},
                   headers={"Accept": "application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.1"})
    assert r.mimetype == "application/sparql-results+xml" and b"<boolean>true</boolean>" in r.data
    r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.get_data(as_text=True)
    for bad in (";;;", "text/html;q=abc", "x" * 10_000):
        assert client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": bad}).status_code == 200


def test_dataset_parameters(client: FlaskClient) -> None:
    q = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    union = json.loads(client.get("/sparql", query_string={"query": q}).data)
    none = json.loads(client.get("/sparql", query_string={"query": q, "default-graph-uri": "http://nothing/"}).data)
    assert int(union["results"]["bindings"][0]["n"]["value"]) > 0
    assert int(none["results"]["bindings"][0]["n"]["value"]) == 0
    r = client.get("/sparql", query_string={"query": q, "named-graph-uri": "not an iri"})
    assert r.status_code == 400


@pytest.mark.parametrize("kwargs,status", [
    ({"method": "PUT", "query_string": {"query": "ASK {}"}}, 405),
    ({"method": "GET", "query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ({"method": "POST", "data": "ASK {}", "content_type": "text/plain"}, 415),
    ({"method": "POST", "data": "ASK {}".encode("utf-16"), "content_type": "application/sparql-query; charset=UTF-16"}, 415),
    ({"method": "GET", "query_string": "query=%C3%28"}, 400),
    ({"method": "GET", "query_string": {"update": "INSERT DATA { <a> <b> <c> }"}}, 400),
    ({"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"}, 400),
    ({"method": "GET", "query_string": {"query": "SELECT * WHERE {"}}, 400),
    ({"method": "GET", "query_string": {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}}, 400),
])
def test_bad_requests_are_4xx_with_typed_body(client: FlaskClient, kwargs: dict, status: int) -> None:
    method = kwargs.pop("method")
    r = client.open("/sparql", method=method, headers={"Accept": "application/json"}, **kwargs)
    assert r.status_code == status, r.data
    body = r.get_json()
    assert body["ok"] is False and body["message"]


def test_syntax_error_names_position(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and "1:" in r.get_json()["message"]


def test_update_refusal_says_why(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"update": "INSERT DATA { <a> <b> <c> }"}, headers={"Accept": "text/plain"})
    assert r.status_code == 400 and "read-only" in r.get_data(as_text=True)


def test_cors_and_options(client: FlaskClient) -> None:
    r = client.options("/sparql", headers={"Origin": "http://other.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    r = client.get("/sparql", query_string={"query": "ASK {}"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert client.head("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_service_description_and_page(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and b"sparql-service-description" in r.data and b"SPARQL11Query" in r.data
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="query"' in html and "PREFIX kep:" in html and "sparql.js" in html
    assert "Partnerschaften je Kommune" in html          # curated examples listed


def test_html_result_table_without_js(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": Q, "format": "html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<table" in html and "Gekürzt" in html and "format=csv" in html
    assert 'href="/id/' in html or 'href="/' in html
