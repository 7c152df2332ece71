"""The benchmarks run end to end at tiny size (no timed assertions: only that they work and say true things)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from lod.bench import generate, harvest, pages, publish, sparql
from lod.errors import PublishError
from lod.store import Primary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "tiny.nq"
    generate.generate_file(path, generate.parse_size("tiny"), seed=7)
    return path


def test_generate_is_deterministic_valid_and_marked_synthetic(tiny: Path) -> None:
    again = io.StringIO()
    stats = generate.generate(again, generate.parse_size("tiny"), seed=7)
    assert hashlib.sha256(again.getvalue().encode()).digest() == hashlib.sha256(tiny.read_bytes()).digest()
    other = io.StringIO()
    generate.generate(other, generate.parse_size("tiny"), seed=8)
    assert other.getvalue() != again.getvalue()
    quads = list(parse(path=str(tiny), format=RdfFormat.N_QUADS))
    assert len(quads) == stats["quads"] and 3000 < len(quads) < 8000
    graphs = {q.graph_name.value for q in quads}
    assert len(graphs) == stats["municipalities"] + 1
    assert all(g.startswith("https://kep.example.org/graph/bench-") for g in graphs)
    marked = {q.graph_name.value for q in quads if q.predicate.value.endswith("/description")
              and q.object.value == generate.SYNTHETIC_NOTE and q.subject.value == q.graph_name.value}
    assert marked == graphs
    # only declared kep: terms
    kep = "https://w3id.org/kep/def/kep#"
    declared = {q.subject.value for q in parse(path=str(ROOT / "ontology/kep.ttl"), format=RdfFormat.TURTLE)}
    used = {t.value for q in quads for t in (q.predicate, q.object) if isinstance(t, NamedNode) and t.value.startswith(kep)}
    assert used and used <= declared, used - declared
    assert stats["real_pairs"] > 0 and stats["partnerships"] > stats["real_pairs"]


def test_parse_size() -> None:
    assert generate.parse_size("1M") == 1_000_000 and generate.parse_size("250k") == 250_000
    with pytest.raises(Exception):
        generate.parse_size("huge")


def test_replace_graphs_bulk_fresh_existing_and_refused(tiny: Path, tmp_path: Path) -> None:
    graphs = list(generate.graphs_in(tiny))
    primary = Primary(tmp_path / "store")
    primary.replace_graphs_bulk(tiny, graphs)
    n = len(primary.store)
    assert primary.graphs() == sorted(graphs) and n == sum(1 for _ in open(tiny))
    # again: every graph exists now → staged and swapped; same content, no staging left
    primary.replace_graphs_bulk(tiny, graphs)
    assert primary.graphs() == sorted(graphs) and len(primary.store) == n
    # a file that writes an unannounced graph is undone and refused; the old graphs stay
    with pytest.raises(PublishError, match="not announced"):
        primary.replace_graphs_bulk(tiny, graphs[1:])
    assert primary.graphs() == sorted(graphs) and len(primary.store) == n
    # a parse error undoes the fresh graphs loaded so far
    bad = tmp_path / "bad.nq"
    bad.write_text('<http://x/s> <http://x/p> "o" <http://x/g1> .\nnot n-quads\n')
    with pytest.raises(PublishError):
        primary.replace_graphs_bulk(bad, ["http://x/g1"])
    assert "http://x/g1" not in primary.graphs() and len(primary.store) == n
    assert not (tmp_path / "store.bulk-journal").exists()
    primary.close()


def test_recover_bulk_drops_graphs_of_an_interrupted_load(tmp_path: Path) -> None:
    primary = Primary(tmp_path / "store")
    primary.store.bulk_load(b'<http://x/s> <http://x/p> "o" <http://x/g1> .\n', format=RdfFormat.N_QUADS)
    (tmp_path / "store.bulk-journal").write_text("http://x/g1\n")
    assert primary.recover_bulk() == ["http://x/g1"]
    assert primary.graphs() == [] and not (tmp_path / "store.bulk-journal").exists()
    primary.close()


def test_publish_bench(tiny: Path, tmp_path: Path) -> None:
    res = publish.run(tiny, tmp_path / "work", runs=1, warmup=0, per_graph_runs=1)
    assert set(res["results"]) == {"raw_bulk_load", "replace_graphs_bulk", "replace_graph_per_graph"}
    assert res["quads"] == sum(1 for _ in open(tiny)) and res["graphs"] > 40
    assert "| raw_bulk_load |" in publish.render(res)


def test_sparql_and_pages_bench_against_the_production_server(tiny: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    res = sparql.run(tiny, var, ROOT / "sparql", runs=1, warmup=0, rdflib=True)
    names = set(res["queries"])
    assert {"bench-describe", "bench-state-partnerships", "bench-count-by-country", "bench-sdg-coverage",
            "bench-label-search"} <= names
    assert res["queries"]["bench-describe"]["rows"] > 5          # Flensburg is in the tiny set
    assert res["queries"]["bench-count-by-country"]["rows"] > 5
    assert all("rdflib" in q and "http" in q for q in res["queries"].values())
    assert "describe" in sparql.render(res)
    res = pages.run(tiny, var, duration=0.5, runs=1, warmup=0, processes=1, threads=2, urls=50)
    assert res["routes"]["healthz (trivial)"]["requests"] > 0
    assert res["routes"]["healthz (trivial)"]["errors"] == 0
    assert len(res["routes"]) >= 2 and all(r["requests"] > 0 for r in res["routes"].values())
    assert res["worker_memory_kib"] and all(v["VmHWM"] > 0 for v in res["worker_memory_kib"].values())


def test_harvest_bench_tiny() -> None:
    res = harvest.run(sources=20, hosts=4, delay=0.05, runs=1, warmup=0)
    assert res["sources"] == 20 and res["errors"] == 0 and res["harvested"] == 20
    assert res["triples"] >= 20 * 20                                  # curated records mapped, not stubbed
    assert res["wall_s"]["median"] >= res["politeness_bound_s"]    # the delay is honoured


def test_cli_generate_and_publish_json(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOD_")}
    env["LOD_VAR_DIR"] = str(tmp_path / "var")
    out = tmp_path / "d.nq"
    subprocess.run([sys.executable, "-m", "lod", "bench", "generate", "--size", "tiny", "--out", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    r = subprocess.run([sys.executable, "-m", "lod", "bench", "publish", "--data", str(out), "--runs", "1",
                        "--warmup", "0", "--per-graph-runs", "0"], cwd=ROOT, env=env, check=True,
                       capture_output=True, text=True)
    assert "replace_graphs_bulk" in r.stdout and "machine:" in r.stdout
    data = json.loads((tmp_path / "var/bench/publish.json").read_text())
    assert data["benchmark"] == "publish" and data["machine"]["nproc"] >= 1
    assert Store  # imported for type completeness
