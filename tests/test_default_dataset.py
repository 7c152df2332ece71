"""The default dataset as a whole: every bundled source publishes, the union conforms to the shapes,
every kep: term is declared, and every curated example query answers with rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store, parse

from lod.queries import list_queries
from lod.settings import Settings
from lod.sources import discover_sources
from lod.store import Snapshots
from lod.validate import undeclared_kep_terms, validate_graph
from tests.conftest import ROOT


def served(settings: Settings) -> Store:
    path = Snapshots(settings.var / "snapshots").current_path()
    assert path is not None
    return Store.read_only(str(path))


def test_every_bundled_source_is_published(default_dataset: Settings) -> None:
    store = served(default_dataset)
    graphs = {g.value for g in store.named_graphs()}
    for source in discover_sources(ROOT / "sources"):
        assert f"{default_dataset.base_uri}graph/{source.slug}" in graphs, source.slug


def _content(settings: Settings, skip: set[str]) -> list:
    triples = []
    for path in sorted((settings.var / "state").glob("*.published.nt")):
        if path.name.split(".")[0] in skip:
            continue
        triples += [q.triple for q in parse(path=str(path), format=RdfFormat.N_TRIPLES)]
    return triples


def test_union_of_sources_conforms_to_shapes(default_dataset: Settings) -> None:
    # The register (224k triples) is validated on its own at publish; here the union of everything else
    # checks the links across sources (partners, programmes, places) too.
    triples = _content(default_dataset, skip={"municipalities"})
    report = validate_graph(triples, ontology_dir=ROOT / "ontology")
    assert report.conforms, [str(v) for v in report.violations[:5]]
    assert not report.violations
    # page graphs name partner cities with skos:altLabel; the preferred label is graph/places' alone
    assert not [w for w in report.warnings if "Mehrere Bezeichnungen" in w.message_de], report.summary()
    assert report.warnings == [], report.summary()


def test_every_kep_term_in_the_published_data_is_declared(default_dataset: Settings) -> None:
    # (the ontology's own graph is excluded: its comments mention terms in prose, e.g. "kep:Partnership-Knoten")
    text = "\n".join(p.read_text("utf-8") for p in (default_dataset.var / "state").glob("*.published.nt")
                     if not p.name.startswith("_ontology"))
    assert undeclared_kep_terms(text) == set()


@pytest.mark.parametrize("query", [q for q in list_queries(ROOT / "sparql") if q.name.startswith("example-")],
                         ids=lambda q: q.name)
def test_example_query_returns_rows_on_default_dataset(default_dataset: Settings, query) -> None:
    store = served(default_dataset)
    result = store.query(query.text, use_default_graph_as_union=True)
    rows = list(result)
    assert rows, f"{query.name} ({query.title}) returns no rows on the default dataset"


def test_queries_folder_is_documented() -> None:
    for q in list_queries(ROOT / "sparql"):
        assert q.title != q.name and q.description, f"sparql/{q.name}.rq needs '# title:' and '# description:'"


def test_partnership_map_shows_only_its_partners(default_dataset: Settings) -> None:
    """Regression: the map query once matched every place with coordinates (11,000 points)."""
    from lod.namespaces import Iris
    from lod.resources import Resolver, map_data

    store = served(default_dataset)
    iris = Iris(default_dataset.base_uri)
    pship = iris.thing("partnership", "05334002--Q157053").value
    data = map_data(store, ROOT / "sparql", Resolver(store, iris, "de"), pship)
    assert {p["iri"].rsplit("/", 1)[-1] for p in data.points} == {"05334002", "Q157053"}
    assert len(data.lines) == 1
