"""Label search: folding, ranking, the index file written at publish time and read by /search.json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, Store

from lod import search
from lod.search import INDEX_FILE, LabelIndex, build_search_index, fold, index_for
from tests.test_ld_pages import BASE, build_ld

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
LABELS = {"koeln": ("Köln", "Cologne"), "bucht": ("Kölner Bucht", None), "bad": ("Bad Köln am See", None),
          "neu": ("Neuköln", None), "gross": ("Großstadt Ärgernis", "Big city"), "other": ("Bonn", None)}


@pytest.fixture(scope="module")
def store() -> Store:
    st = Store()
    g = NamedNode(BASE + "graph/t")
    for key, (de, en) in LABELS.items():
        st.add(Quad(NamedNode(BASE + "id/x/" + key), RDFS_LABEL, Literal(de, language="de"), g))
        if en:
            st.add(Quad(NamedNode(BASE + "id/x/" + key), RDFS_LABEL, Literal(en, language="en"), g))
    return st


@pytest.mark.parametrize(("text", "folded"), [("Köln", "koln"), ("koeln", "koln"), ("KÖLN", "koln"),
                                              ("Großstadt", "grossstadt"), ("Ärger", "arger"), ("Aerger", "arger"),
                                              ("São  Paulo!", "sao paulo"), ("", "")])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("source", ["file", "memory"])
def test_ranking(store: Store, tmp_path: Path, source: str) -> None:
    idx = LabelIndex(path=build_search_index(store, tmp_path / INDEX_FILE)) if source == "file" else LabelIndex(store)
    hits = idx.search("koeln")
    assert [(h.iri.rsplit("/", 1)[1], h.score) for h in hits] == [("koeln", 3), ("bucht", 2), ("bad", 1), ("neu", 0)]
    assert hits[0].label == "Köln" and idx.search("Koln", lang="en")[0].label == "Cologne"
    assert [h.iri.rsplit("/", 1)[1] for h in idx.search("ärger")] == ["gross"]     # word prefix, umlaut folded
    assert [h.iri.rsplit("/", 1)[1] for h in idx.search("STADT")] == ["gross"]     # inside a word
    assert [h.iri.rsplit("/", 1)[1] for h in idx.search("bad koln")] == ["bad"]    # phrase
    assert [h.iri.rsplit("/", 1)[1] for h in idx.search("kolner bu")] == ["bucht"]
    assert idx.search("st") == [] and idx.search("") == [] and idx.search("zzz") == []  # short: no infix
    assert len(idx.search("koln", limit=2)) == 2


def test_index_file_is_replaced_atomically(store: Store, tmp_path: Path) -> None:
    out = tmp_path / INDEX_FILE
    out.write_bytes(b"not a database")
    build_search_index(store, out)
    assert LabelIndex(path=out).search("bonn")[0].label == "Bonn"
    assert sorted(p.name for p in tmp_path.iterdir()) == [INDEX_FILE]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, Path]]:
    from lod.web import create_app

    settings = build_ld(tmp_path_factory.mktemp("search"))
    app = create_app(settings)
    app.testing = True
    snaps = settings.var / "snapshots"
    yield app.test_client(), snaps / (snaps / "current").readlink()


def test_publish_writes_index_and_web_uses_it(published: tuple[FlaskClient, Path]) -> None:
    client, snap = published
    assert (snap / INDEX_FILE).is_file()
    before = sorted(p.name for p in snap.iterdir())
    data = client.get("/search.json", query_string={"q": "koeln"}).get_json()
    assert data["results"][0]["iri"] == BASE + "id/municipality/05315000"
    assert data["results"][0]["href"] == "/id/municipality/05315000"
    idx = search._OPEN[snap.name]
    assert idx.path == snap / INDEX_FILE                     # read from the publisher's file
    assert sorted(p.name for p in snap.iterdir()) == before  # the web process wrote nothing


@pytest.mark.parametrize(("q", "iri"), [("Köln", "id/municipality/05315000"), ("KOLN", "id/municipality/05315000"),
                                        ("münch", "id/municipality/09162000"),
                                        ("muench", "id/municipality/09162000"),
                                        ("stadtepartnerschaft koln", None), ("koordinationsstelle", None)])
def test_search_json_folded(published: tuple[FlaskClient, Path], q: str, iri: str | None) -> None:
    client, _ = published
    results = client.get("/search.json", query_string={"q": q}).get_json()["results"]
    assert results, q
    if iri:
        assert results[0]["iri"] == BASE + iri
    else:
        assert all(fold(q) in fold(r["label"]) for r in results)


def test_missing_file_falls_back_to_memory(published: tuple[FlaskClient, Path], tmp_path: Path) -> None:
    client, snap = published
    from pyoxigraph import Store as S

    store = S.read_only(str(snap))
    search._OPEN.clear()
    idx = index_for("x-test", store, tmp_path)                    # no index file in tmp_path
    assert idx.path is None and idx.search("koln")[0].label == "Köln"
    assert list(tmp_path.iterdir()) == []
    build_search_index(store, tmp_path / INDEX_FILE)              # appears later: used from then on
    assert index_for("x-test", store, tmp_path).path == tmp_path / INDEX_FILE
    search._OPEN.clear()
    assert client.get("/search.json", query_string={"q": "koln"}).get_json()["results"][0]["label"] == "Köln"
