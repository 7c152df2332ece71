"""Protection against a live gunicorn: runaway queries are killed while others are served, memory blow-ups kill
only their worker, per-client limits give 429, a full queue gives 503."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lod import pipeline
from lod.errors import ServiceUnavailable, TooManyRequests
from lod.sparql.clients import ClientLimits
from lod.sparql.pool import QueryAborted, QueryPool
from lod.sparql.worker import Job
from lod.store import Snapshots
from tests.conftest import DATA, ROOT, gunicorn, make_settings

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
BLOWUP = ('SELECT ?w { BIND("aaaaaaaaaaaaaaaa" AS ?v0) '
          + " ".join(f"BIND(CONCAT(?v{i},?v{i}) AS ?v{i + 1})" for i in range(30)) + " BIND(STRLEN(?v30) AS ?w) }")
JSON = {"Accept": "application/json, application/sparql-results+json"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("protect")
    shutil.copytree(DATA / "sources", tmp / "sources")
    pipeline.build(make_settings(tmp, tmp / "sources"))
    return tmp


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    settings = make_settings(built, built / "sources", LOD_SPARQL_TIMEOUT=2, LOD_SPARQL_WORKER_MEMORY_MB=1024,
                             LOD_SPARQL_PER_CLIENT_CONCURRENCY=1)
    with gunicorn(settings) as base:
        yield base


def _get(base: str, q: str, ua: str) -> requests.Response:
    return requests.get(base + "/sparql", params={"query": q}, headers={**JSON, "User-Agent": ua}, timeout=20)


def test_runaway_killed_while_ordinary_queries_are_answered(server: str) -> None:
    out: dict[str, requests.Response] = {}
    t = threading.Thread(target=lambda: out.setdefault("r", _get(server, RUNAWAY, "runaway")))
    t.start()
    answers = [_get(server, "ASK { ?s ?p ?o }", "ordinary") for _ in range(5)]
    t.join(30)
    assert all(a.status_code == 200 and a.json()["boolean"] is True for a in answers)
    r = out["r"]
    assert r.status_code == 503 and r.json()["error"] == "timeout" and "2 s" in r.json()["message"]
    assert _get(server, "ASK {}", "runaway").status_code == 200      # the worker was replaced


def test_memory_blowup_kills_only_its_worker(built: Path) -> None:
    root = built / "var" / "snapshots"
    sid = Snapshots(root).current_id()
    fmts = {"solutions": "json", "boolean": "json", "graph": "turtle"}
    pool = QueryPool(root, workers=2, memory_mb=1024)
    try:
        with pytest.raises(QueryAborted, match="memory"):
            pool.run(Job(BLOWUP, sid, fmts), 20)          # type: ignore[arg-type]
        assert pool.run(Job("ASK { ?s ?p ?o }", sid, fmts), 5).body.endswith(b"true}\n")  # type: ignore[arg-type]
        assert pool.alive() == 2
    finally:
        pool.close()


def test_per_client_concurrency_gives_429(server: str) -> None:
    """A client whose only slot is held by a running query gets 429 for the next one."""
    for _ in range(5):   # retried if the probe happened to take the slot before the runaway did
        held: dict[str, requests.Response] = {}
        t = threading.Thread(target=lambda: held.setdefault("r", _get(server, RUNAWAY, "greedy")))
        t.start()
        time.sleep(0.3)                              # let the runaway take the slot (it runs for ~2 s)
        r = _get(server, "ASK {}", "greedy")
        t.join(30)
        if held["r"].status_code != 429:
            break
    assert r.status_code == 429, (r.status_code, held["r"].status_code)
    assert int(r.headers["Retry-After"]) >= 1 and r.json()["error"] == "rate-limited"


def test_time_budget_gives_429(tmp_path: Path) -> None:
    limits = ClientLimits(tmp_path, concurrency=2, budget=0.05)
    with limits.slot("k"):
        threading.Event().wait(0.06)
    with pytest.raises(TooManyRequests) as exc:
        with limits.slot("k"):
            pass
    assert exc.value.retry_after >= 1
    with limits.slot("other"):                     # other clients are unaffected
        pass


def test_full_queue_gives_503(built: Path) -> None:
    root = built / "var" / "snapshots"
    sid = Snapshots(root).current_id()
    assert sid
    pool = QueryPool(root, workers=1, memory_mb=1024, queue_wait=0.2, max_waiting=0)
    fmts = {"solutions": "json", "boolean": "json", "graph": "turtle"}
    try:
        t = threading.Thread(target=lambda: pytest.raises(Exception, pool.run, Job(RUNAWAY, sid, fmts), 1.5))
        t.start()
        threading.Event().wait(0.3)
        with pytest.raises(ServiceUnavailable) as exc:
            pool.run(Job("ASK {}", sid, fmts), 5)
        assert exc.value.retry_after >= 1
        t.join(10)
        assert pool.run(Job("ASK {}", sid, fmts), 5).body.startswith(b'{"head"')
    finally:
        pool.close()
