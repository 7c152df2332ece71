"""W3C SPARQL 1.1 Protocol and Service Description tests, driven by the manifests, against real gunicorn.

The fixture store holds data1–3.nt as the named graphs the manifest expects; update tests are inapplicable
(read-only endpoint) and reported as skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from lod.settings import Settings
from lod.store import Primary, Snapshots
from tests.conftest import ROOT, gunicorn, make_settings

W3C = Path("/work/shared/data/w3c-tests")
MANIFEST = W3C / "protocol" / "manifest.ttl"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason="W3C test data not available")


def _manifest() -> Store:
    store = Store()
    store.load(path=str(MANIFEST), format=RdfFormat.TURTLE, base_iri=BASE)
    return store


def _one(store: Store, s: object, p: str) -> object | None:
    for q in store.quads_for_pattern(s, NamedNode(p), None):  # type: ignore[arg-type]
        return q.object
    return None


def _all(store: Store, s: object, p: str) -> list[object]:
    return [q.object for q in store.quads_for_pattern(s, NamedNode(p), None)]  # type: ignore[arg-type]


def _list(store: Store, head: object) -> list[object]:
    out = []
    while head is not None and head != NamedNode(RDF_NS + "nil"):
        out.append(_one(store, head, RDF_NS + "first"))
        head = _one(store, head, RDF_NS + "rest")
    return out


def _tests() -> list[tuple[str, object]]:
    if not MANIFEST.is_file():
        return []
    store = _manifest()
    manifest = NamedNode(BASE)
    return [(e.value.rsplit("#", 1)[-1], e) for e in _list(store, _one(store, manifest, MF + "entries"))]


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("w3c")
    settings: Settings = make_settings(tmp, ROOT / "tests" / "data" / "sources")
    primary = Primary(settings.var / "store")
    for i in (1, 2, 3):
        primary.replace_graph(f"http://kasei.us/2009/09/sparql/data/data{i}.rdf", W3C / "protocol" / f"data{i}.nt")
    Snapshots(settings.var / "snapshots").cut(primary)
    primary.close()
    with gunicorn(settings) as base:
        yield base


def _boolean(resp: requests.Response) -> bool:
    if "json" in resp.headers["Content-Type"]:
        return bool(json.loads(resp.content)["boolean"])
    root = ElementTree.fromstring(resp.content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"  # type: ignore[union-attr]


def _check_format(resp: requests.Response, expected: str) -> None:
    ctype = resp.headers["Content-Type"].split(";")[0].strip()
    if expected == "boolean":
        assert ctype in ("application/sparql-results+json", "application/sparql-results+xml")
    elif expected == "tabular":
        assert ctype in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                         "text/tab-separated-values")
        if ctype.endswith("json"):
            assert "bindings" in json.loads(resp.content)["results"]
    else:
        fmt = {"text/turtle": RdfFormat.TURTLE, "application/n-triples": RdfFormat.N_TRIPLES,
               "application/rdf+xml": RdfFormat.RDF_XML, "application/ld+json": RdfFormat.JSON_LD}[ctype]
        list(parse(resp.content, format=fmt, base_iri="http://example.org/"))  # must parse


@pytest.mark.parametrize("name,test", _tests(), ids=[n for n, _ in _tests()])
def test_protocol(w3c_server: str, name: str, test: object) -> None:
    if name.startswith("update_"):
        pytest.skip("inapplicable: the public endpoint is read-only (SPARQL Update is refused with 400)")
    store = _manifest()
    requests_ = _list(store, _one(store, _one(store, test, MF + "action"), HT + "requests"))
    assert requests_, name
    for request in requests_:
        response = _one(store, request, HT + "resp")
        method = _one(store, request, HT + "methodName").value  # type: ignore[union-attr]
        path = _one(store, request, HT + "absolutePath").value.replace("/sparql/", "/sparql", 1)  # type: ignore
        headers = {_one(store, h, HT + "fieldName").value: _one(store, h, HT + "fieldValue").value  # type: ignore
                   for h in _list(store, _one(store, request, HT + "headers"))}
        body_node = _one(store, request, HT + "body")
        data = None
        if body_node is not None:
            enc = _one(store, body_node, CNT + "characterEncoding")
            data = _one(store, body_node, CNT + "chars").value.encode(enc.value if enc else "utf-8")  # type: ignore
        if data is not None and "content-type" not in {k.lower() for k in headers}:
            headers["Content-Type"] = ""          # requests must not invent one
        resp = requests.request(method, w3c_server + path, headers=headers, data=data, timeout=20,
                                allow_redirects=False)
        statuses = [s.value.rsplit("StatusCode", 1)[-1] for s in _all(store, response, MF + "expectedStatus")]  # type: ignore
        assert f"{str(resp.status_code)[0]}xx" in statuses, (name, resp.status_code, resp.text[:300])
        assert resp.status_code < 500
        expected_format = _one(store, response, MF + "expectedFormat")
        if expected_format is not None:
            _check_format(resp, expected_format.value)  # type: ignore[union-attr]
        expected_boolean = _one(store, response, MF + "expectedBoolean")
        if expected_boolean is not None:
            assert _boolean(resp) is (expected_boolean.value == "true"), name  # type: ignore[union-attr]


def test_service_description_returns_rdf_with_endpoint(w3c_server: str) -> None:
    """returns-rdf, has-endpoint-triple and conforms-to-schema (checked as: typed service, language, dataset)."""
    resp = requests.get(w3c_server + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/turtle")
    store = Store()
    store.load(resp.content, format=RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert store.query(f"ASK {{ ?s <{sd}endpoint> <{w3c_server}/sparql> }}")
    assert store.query(f"""ASK {{ ?s a <{sd}Service> ; <{sd}supportedLanguage> <{sd}SPARQL11Query> ;
        <{sd}resultFormat> ?f ; <{sd}defaultDataset> ?d . ?d a <{sd}Dataset> ; <{sd}defaultGraph> ?g .
        ?d <{sd}namedGraph>/<{sd}name> <http://kasei.us/2009/09/sparql/data/data1.rdf> }}""")
    assert not store.query(f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Update> }}")
    assert not store.query(f"ASK {{ ?s <{sd}feature> <{sd}BasicFederatedQuery> }}")
