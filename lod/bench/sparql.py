"""``lod bench sparql``: the canonical queries (sparql/bench-*.rq) over HTTP against ``lod serve``, beside
in-process pyoxigraph on the same snapshot, and (optionally) rdflib on the same file.

Every engine serialises SELECT results to SPARQL JSON, as the endpoint does. Latency is measured with one
sequential keep-alive client: median of ``runs`` after ``warmup``.
"""

from __future__ import annotations

import http.client
import io
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyoxigraph import QueryResultsFormat, Store

from lod.bench.loadgen import request
from lod.bench.report import table, timed
from lod.bench.server import publish_dataset, serve
from lod.errors import PublishError
from lod.queries import list_queries

__all__ = ["run", "render", "bench_queries"]


def bench_queries(sparql_dir: Path) -> list[Any]:
    return [q for q in list_queries(sparql_dir) if q.name.startswith("bench-")]


def run(nquads: Path, var: Path, sparql_dir: Path, *, runs: int = 5, warmup: int = 1, workers: int = 2,
        rdflib: bool = False) -> dict[str, Any]:
    """:raises PublishError: the server did not come up or a query failed over HTTP."""
    sid = publish_dataset(nquads, var)
    queries = bench_queries(sparql_dir)
    res: dict[str, Any] = {"file": str(nquads), "snapshot": sid, "workers": workers, "queries": {},
                           "endpoint": "lod.sparql worker pool behind lod serve (gunicorn)"}
    store = Store.read_only(str(var / "snapshots" / sid))
    for q in queries:
        out: dict[str, Any] = {"title": q.title}

        def local(text: str = q.text) -> None:
            store.query(text, use_default_graph_as_union=True).serialize(format=QueryResultsFormat.JSON)

        out["pyoxigraph"] = timed(local, runs, warmup)
        result = store.query(q.text, use_default_graph_as_union=True)
        out["rows"] = sum(1 for _ in result)
        res["queries"][q.name] = out
    del store
    with serve(var, workers) as (base, _pid):
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        for q in queries:
            body = q.text.encode()

            def remote(body: bytes = body) -> None:
                status, data = request(conn, "/sparql", body, {"Content-Type": "application/sparql-query",
                                                              "Accept": "application/sparql-results+json"})
                if status != 200:
                    raise PublishError(f"/sparql answered {status}: {data[:300]!r}")

            res["queries"][q.name]["http"] = timed(remote, runs, warmup)
        conn.close()
    if rdflib:
        res["rdflib_load_s"] = _rdflib(nquads, queries, res["queries"], runs=max(1, min(runs, 3)))
    for out in res["queries"].values():
        local, remote = out["pyoxigraph"]["median"], out["http"]["median"]
        out["http_ratio"] = remote / local if local else None
        out["http_added_ms"] = (remote - local) * 1000
        local_ms = local * 1000
        out["goal_met"] = (remote / local <= 1.3) if local_ms > 50 else (out["http_added_ms"] <= 3.0)
        if "rdflib" in out:
            out["rdflib_ratio"] = out["rdflib"]["median"] / local if local else None
    return res


def _rdflib(nquads: Path, queries: list[Any], out: dict[str, Any], runs: int) -> float:
    import rdflib

    t0 = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(nquads), format="nquads")
    load = time.perf_counter() - t0
    for q in queries:
        def run_q(text: str = q.text) -> None:
            ds.query(text).serialize(io.BytesIO(), format="json")

        out[q.name]["rdflib"] = timed(run_q, runs, 0)
    return load


def render(res: dict[str, Any]) -> str:
    rows = []
    for name, q in res["queries"].items():
        row = [name.removeprefix("bench-"), q["rows"], q["pyoxigraph"]["median"] * 1000, q["http"]["median"] * 1000,
               f"{q['http_ratio']:.2f}×", f"{q['http_added_ms']:+.2f}", "yes" if q["goal_met"] else "NO",
               f"{q['http']['min'] * 1000:.3g}–{q['http']['max'] * 1000:.3g}"]
        if "rdflib" in q:
            row += [q["rdflib"]["median"] * 1000, f"{q['rdflib_ratio']:.0f}×"]
        rows.append(row)
    headers = ["query", "rows", "pyoxigraph ms", "HTTP ms", "HTTP/local", "added ms", "goal", "HTTP min–max ms"]
    if any("rdflib" in q for q in res["queries"].values()):
        headers += ["rdflib ms", "rdflib/pyox"]
    head = f"sparql over {res['file']} — endpoint: {res['endpoint']}, {res['workers']} workers"
    if "rdflib_load_s" in res:
        head += f"; rdflib load {res['rdflib_load_s']:.1f} s"
    return head + "\n" + table(headers, rows)
