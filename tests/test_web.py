"""The Flask app in-process: home page, health, and the first /sparql endpoint."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from lod import pipeline
from lod.settings import Settings
from lod.web import create_app


@pytest.fixture
def client(mini_settings: Settings) -> FlaskClient:
    pipeline.build(mini_settings)
    return create_app(mini_settings).test_client()


def test_home_lists_sources_and_links_sparql(client: FlaskClient) -> None:
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="de">' in html
    assert "alpha" in html and "beta" in html and 'href="/sparql"' in html


def test_healthz_names_snapshot(client: FlaskClient) -> None:
    data = client.get("/healthz").get_json()
    assert data["ok"] is True and data["snapshot"]


def test_healthz_without_data_is_503(mini_settings: Settings) -> None:
    r = create_app(mini_settings).test_client().get("/healthz")
    assert r.status_code == 503 and "lod build" in r.get_json()["error"]


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_sparql_select_json(client: FlaskClient, method: str) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    if method == "GET":
        r = client.get("/sparql", query_string={"query": q})
    elif method == "POST-form":
        r = client.post("/sparql", data={"query": q})
    else:
        r = client.post("/sparql", data=q, content_type="application/sparql-query")
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json"
    assert int(json.loads(r.data)["results"]["bindings"][0]["n"]["value"]) >= 3


def test_sparql_syntax_error_is_400_not_500(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE {"}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"] == "bad-query"


def test_home_counts_come_from_rows_precomputed_at_publish(mini_settings: Settings) -> None:
    """The home page's whole-dataset aggregates are computed once per snapshot by the publisher."""
    _, sid = pipeline.build(mini_settings)
    path = mini_settings.var / "dumps" / str(sid) / "queries" / "class-counts.json"
    rows = json.loads(path.read_text("utf-8"))
    assert isinstance(rows, list)
    # the served page shows what the publisher computed, not a fresh aggregate
    path.write_text(json.dumps([{"class": "https://w3id.org/kep/def/kep#Partnership", "label": "Vorberechnet",
                                 "n": "4711"}]), encoding="utf-8")
    client = create_app(mini_settings).test_client()
    html = client.get("/?lang=de").get_data(as_text=True)
    assert "Vorberechnet" in html and "4.711" in html          # German digit grouping
    assert "4,711" in client.get("/?lang=en").get_data(as_text=True)
