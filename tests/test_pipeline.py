"""The atomic publish: per-source named graphs, last good data kept, unchanged detection, lock, rollback."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pyoxigraph import Store

from lod import pipeline
from lod.errors import StoreLocked
from lod.settings import Settings
from lod.store import Snapshots, publish_lock

G = "https://kep.example.org/graph/"


def served(settings: Settings) -> Store:
    snaps = Snapshots(settings.var / "snapshots")
    path = snaps.current_path()
    assert path is not None
    return Store.read_only(str(path))


def labels(store: Store, graph: str) -> set[str]:
    q = (f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} "
         'FILTER(STRSTARTS(STR(?s), "https://kep.example.org/id/thing/")) }')
    return {row["l"].value for row in store.query(q)}


def test_build_publishes_one_named_graph_per_source_with_provenance(mini_settings: Settings) -> None:
    outcomes, sid = pipeline.build(mini_settings)
    assert sid is not None
    assert {o.slug: o.status for o in outcomes} == {"alpha": "published", "beta": "published"}
    store = served(mini_settings)
    assert {"Alpha eins", "Alpha zwei"} <= labels(store, G + "alpha")
    assert "Beta eins" in labels(store, G + "beta")
    # provenance: the graph names its source document and the run that produced it
    ask = store.query(f"""ASK {{ GRAPH <{G}alpha> {{
        <{G}alpha> <http://purl.org/dc/terms/source> <http://alpha.test/data.ttl> ;
                   <http://www.w3.org/ns/prov#wasGeneratedBy> ?run .
        ?run <http://www.w3.org/ns/prov#startedAtTime> ?t .
        <https://kep.example.org/id/thing/alpha-1> <http://www.w3.org/ns/prov#wasDerivedFrom> <http://alpha.test/data.ttl> }} }}""")
    assert bool(ask)


def test_unchanged_reharvest_changes_nothing(mini_settings: Settings) -> None:
    _, first = pipeline.build(mini_settings)
    before = set(served(mini_settings))
    outcomes, second = pipeline.build(mini_settings)
    assert second is None, "no new snapshot when nothing changed"
    assert {o.status for o in outcomes} == {"unchanged"}
    assert set(served(mini_settings)) == before


def test_changed_source_reports_changes_in_words(mini_settings: Settings, mini_sources: Path) -> None:
    pipeline.build(mini_settings)
    snap = mini_sources / "alpha" / "snapshots" / "data.ttl"
    snap.write_text(snap.read_text().replace('"Alpha zwei"@de', '"Alpha zwo"@de'))
    outcomes = pipeline.harvest(mini_settings, ["alpha"])
    assert outcomes[0].status == "harvested"
    assert any("alpha-2" in c or "Alpha zwo" in c for c in outcomes[0].changes), outcomes[0].changes
    pipeline.publish(mini_settings)
    assert "Alpha zwo" in labels(served(mini_settings), G + "alpha")


def test_failed_harvest_keeps_last_good_graph(mini_settings: Settings, mini_sources: Path) -> None:
    pipeline.build(mini_settings)
    (mini_sources / "alpha" / "snapshots" / "data.ttl").write_text("@prefix broken <")
    outcomes, _ = pipeline.build(mini_settings)
    alpha = next(o for o in outcomes if o.slug == "alpha")
    assert alpha.status == "failed" and "http://alpha.test/data.ttl" in (alpha.error or "")
    assert "Alpha eins" in labels(served(mini_settings), G + "alpha")
    st = {r["source"]: r for r in pipeline.status(mini_settings)["sources"]}
    assert st["alpha"]["last_error"] and st["alpha"]["last_success"]


def test_collapsed_source_is_not_published(tmp_path: Path, mini_sources: Path) -> None:
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, mini_sources, LOD_PUBLISH_MAX_SHRINK="0.3")
    snap = mini_sources / "alpha" / "snapshots" / "data.ttl"
    many = "\n".join(f'<https://kep.example.org/id/thing/a{i}> <http://www.w3.org/2000/01/rdf-schema#label> "A{i}" .'
                     for i in range(40))
    snap.write_text(many)
    pipeline.build(settings)
    snap.write_text(many.splitlines()[0])
    outcomes, _ = pipeline.build(settings)
    alpha = next(o for o in outcomes if o.slug == "alpha")
    assert alpha.status == "invalid" and "drop" in " ".join(alpha.details)
    assert len(labels(served(settings), G + "alpha")) == 40


def test_second_publisher_fails_clearly_while_first_holds_lock(mini_settings: Settings) -> None:
    pipeline.harvest(mini_settings)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with publish_lock(mini_settings.var, 5):
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        with pytest.raises(StoreLocked, match="another publisher is running"):
            pipeline.publish(mini_settings.replace(publish__lock_timeout=0.3))
    finally:
        release.set()
        t.join()
    outcomes, sid = pipeline.publish(mini_settings)
    assert sid and {o.status for o in outcomes} == {"published"}


def test_rollback_returns_to_previous_snapshot(mini_settings: Settings, mini_sources: Path) -> None:
    _, first = pipeline.build(mini_settings)
    snap = mini_sources / "beta" / "snapshots" / "data.nt"
    snap.write_text(snap.read_text().replace("Beta eins", "Beta neu"))
    _, second = pipeline.build(mini_settings)
    assert second and second != first
    assert "Beta neu" in labels(served(mini_settings), G + "beta")
    assert pipeline.rollback(mini_settings) == first
    assert "Beta eins" in labels(served(mini_settings), G + "beta")
    # the next build re-applies the current sources on top of the restored store
    pipeline.build(mini_settings)
    assert "Beta neu" in labels(served(mini_settings), G + "beta")


def test_old_snapshots_are_pruned(mini_settings: Settings, mini_sources: Path) -> None:
    snap = mini_sources / "beta" / "snapshots" / "data.nt"
    original = snap.read_text()
    for i in range(5):
        snap.write_text(original.replace("Beta eins", f"Beta {i}"))
        pipeline.build(mini_settings)
    assert len(Snapshots(mini_settings.var / "snapshots").list()) == mini_settings.publish.keep_snapshots


def test_shape_violation_blocks_publishing_and_names_the_node(mini_settings: Settings, mini_sources: Path) -> None:
    pipeline.build(mini_settings)
    snap = mini_sources / "alpha" / "snapshots" / "data.ttl"
    snap.write_text(snap.read_text() + """
<https://kep.example.org/id/partnership/broken> a kep:Partnership ;
    rdfs:label "Kaputte Partnerschaft"@de .
""")
    outcomes, _ = pipeline.build(mini_settings)
    alpha = next(o for o in outcomes if o.slug == "alpha")
    assert alpha.status == "invalid"
    text = " ".join(alpha.details)
    assert "https://kep.example.org/id/partnership/broken" in text and "alpha" in text
    store = served(mini_settings)
    assert not bool(store.query("ASK { GRAPH ?g { <https://kep.example.org/id/partnership/broken> ?p ?o } }"))
    assert "Alpha eins" in labels(store, G + "alpha")
    assert "validation failed" in pipeline.status(mini_settings)["sources"][0]["last_error"]


def test_bulk_path_publishes_the_same_graphs_as_the_transactional_path(tmp_path: Path, mini_sources: Path) -> None:
    from tests.conftest import make_settings

    seq = make_settings(tmp_path / "seq", mini_sources)
    bulk = make_settings(tmp_path / "bulk", mini_sources, LOD_PUBLISH_BULK_SOURCES="1")
    pipeline.build(seq)
    pipeline.build(bulk)

    def content(settings: Settings) -> set[str]:
        rows = served(settings).query(
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(!STRSTARTS(STR(?s), 'https://kep.example.org/id/harvest/')) "
            "FILTER(!STRSTARTS(STR(?o), 'https://kep.example.org/id/harvest/')) "
            "FILTER(?p NOT IN (<http://purl.org/dc/terms/modified>, <https://w3id.org/kep/def/kep#retrievedAt>)) }")
        return {" ".join(str(t) for t in r) for r in rows}

    assert content(seq) == content(bulk) and len(content(bulk)) > 10
    # a second bulk run replaces the changed graph and leaves the other one alone
    snap = mini_sources / "beta" / "snapshots" / "data.nt"
    snap.write_text(snap.read_text().replace("Beta eins", "Beta bulk"))
    outcomes, _ = pipeline.build(bulk)
    assert {o.slug: o.status for o in outcomes} == {"beta": "published", "alpha": "unchanged"}
    store = served(bulk)
    assert labels(store, G + "beta") == {"Beta bulk"}
    assert {"Alpha eins", "Alpha zwei"} <= labels(store, G + "alpha")


def test_many_sources_validate_in_parallel_with_per_source_verdicts(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    sources = tmp_path / "sources"
    n = pipeline.PARALLEL_VALIDATION_MIN * 2
    for i in range(n):
        folder = sources / f"s{i:03d}"
        (folder / "snapshots").mkdir(parents=True)
        body = f'<https://kep.example.org/id/thing/s{i}> <http://www.w3.org/2000/01/rdf-schema#label> "S {i}"@de .\n'
        if i == 7:   # a partnership without partners violates the shapes
            body += ("<https://kep.example.org/id/partnership/broken> "
                     "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kep/def/kep#Partnership> .\n")
        (folder / "snapshots" / "d.nt").write_text(body)
        (folder / "source.yaml").write_text(
            f"title: S{i}\nkind: rdf\npublisher: {{name: T, key: t}}\n"
            "licence: http://dcat-ap.de/def/licenses/dl-by-de/2.0\n"
            f"documents:\n  - url: http://s{i}.test/d.nt\n    snapshot: snapshots/d.nt\n")
    settings = make_settings(tmp_path, sources)
    assert all(o.status == "harvested" for o in pipeline.harvest(settings))
    outcomes = pipeline.validate(settings)
    assert len(outcomes) == n
    bad = [o for o in outcomes if o.status != "valid"]
    assert [o.slug for o in bad] == ["s007"]
    assert "https://kep.example.org/id/partnership/broken" in " ".join(bad[0].details)
