"""``lod bench pages``: resource pages and search per second (p50/p99) under ``lod serve``, beside the
trivial route /healthz on the same server and worker count; peak RSS per web worker from /proc.

The URL list comes from the data: municipality and partnership IRIs of the snapshot, mapped to their documents
(``/doc/….html`` and ``/doc/….ttl``: ``/id/…`` answers 303 See Other, which the load generator does not follow).
The search index file is written next to the snapshot as ``pipeline.publish`` does. Until resource pages exist
(a probe answers 404) the harness measures what does: a describe
through ``/sparql?query=…`` for the same IRIs, and says so in the result. The home page is timed once, not
under load: at 1M it runs whole-dataset aggregations (seconds) and would tie up the sync workers.
"""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pyoxigraph import Store

from lod.bench.loadgen import request, throughput
from lod.bench.report import table
from lod.bench.server import publish_dataset, rss_kib, serve, worker_pids

__all__ = ["run", "render"]

_IRIS = """PREFIX kep: <https://w3id.org/kep/def/kep#>
SELECT ?s WHERE { { ?s a kep:Municipality } UNION { ?s a kep:Partnership } }"""
SEARCH_TERMS = ["berg", "dorf", "stadt", "feld", "hausen", "kirchen", "bach", "heim", "burg", "au"]


def _iris(snapshot: Path, base_uri: str, limit: int) -> list[str]:
    store = Store.read_only(str(snapshot))
    out = [r["s"].value for r in store.query(_IRIS, use_default_graph_as_union=True)]  # type: ignore[index, union-attr]
    del store
    step = max(1, len(out) // limit)
    return [i[len(base_uri) - 1:] for i in out[::step][:limit] if i.startswith(base_uri)]


def _status(base: str, path: str) -> int:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        return request(conn, path, headers={"Accept": "text/html"})[0]
    finally:
        conn.close()


def run(nquads: Path, var: Path, *, base_uri: str = "https://kep.example.org/", duration: float = 5.0,
        runs: int = 3, warmup: int = 1, workers: int = 2, processes: int = 2, threads: int = 4,
        urls: int = 2000) -> dict[str, Any]:
    sid = publish_dataset(nquads, var)
    paths = _iris(var / "snapshots" / sid, base_uri, urls)
    res: dict[str, Any] = {"file": str(nquads), "snapshot": sid, "workers": workers,
                           "connections": processes * threads, "duration_s": duration, "routes": {}}
    with serve(var, workers) as (base, master):
        targets: dict[str, list[str]] = {"healthz (trivial)": ["/healthz"]}
        docs = ["/doc/" + p.removeprefix("/id/") for p in paths]
        if paths and _status(base, paths[0]) == 303 and _status(base, docs[0] + ".html") == 200:
            # /id/… answers 303 See Other (the load generator does not follow redirects): time the documents
            targets["resource page HTML /doc/….html"] = [d + ".html" for d in docs]
            targets["resource page Turtle /doc/….ttl"] = [d + ".ttl" for d in docs]
            res["resource_pages"] = "measured (/doc/….html and /doc/….ttl; /id/… is a 303 to them)"
        else:
            res["resource_pages"] = "not available yet (probe answered non-200); measured /sparql describe"
            targets["/sparql describe"] = ["/sparql?query=" + quote(f"SELECT ?p ?o WHERE {{ <{base_uri}{p[1:]}> ?p ?o }}")
                                           for p in paths]
        if _status(base, "/search?q=berg") == 200:
            targets["search"] = [f"/search?q={t}" for t in SEARCH_TERMS]
        else:
            res["search"] = "no /search route yet"
        t0 = time.perf_counter()
        res["home_single_request_s"] = {"status": _status(base, "/"), "seconds": time.perf_counter() - t0}
        for name, plist in targets.items():
            for _ in range(warmup):
                throughput(base, plist, duration=min(1.0, duration), processes=processes, threads=threads)
            samples = [throughput(base, plist, duration=duration, processes=processes, threads=threads)
                       for _ in range(max(1, runs))]
            samples.sort(key=lambda s: s["req_per_s"])
            med = samples[len(samples) // 2]
            res["routes"][name] = {**med, "req_per_s_min": samples[0]["req_per_s"],
                                   "req_per_s_max": samples[-1]["req_per_s"], "urls": len(plist)}
        res["worker_memory_kib"] = {str(pid): rss_kib(pid) for pid in worker_pids(master)}
    trivial = res["routes"]["healthz (trivial)"]["req_per_s"]
    for r in res["routes"].values():
        r["vs_trivial"] = r["req_per_s"] / trivial if trivial else None
    res["goal"] = "resource pages ≥ 0.5 × trivial route"
    return res


def render(res: dict[str, Any]) -> str:
    rows = [[name, r["req_per_s"], f"{r['req_per_s_min']:,.0f}–{r['req_per_s_max']:,.0f}", r["p50_ms"], r["p99_ms"],
             r["errors"], f"{r['vs_trivial']:.2f}×"] for name, r in res["routes"].items()]
    mem = ", ".join(f"{v.get('VmHWM', 0) / 1024:.0f} MB peak ({v.get('VmRSS', 0) / 1024:.0f} MB now)"
                    for v in res["worker_memory_kib"].values())
    return (f"pages over {res['file']} — {res['workers']} gunicorn workers, {res['connections']} connections, "
            f"{res['duration_s']:g} s per run; resource pages: {res['resource_pages']}\n"
            + table(["route", "req/s", "min–max req/s", "p50 ms", "p99 ms", "errors", "vs trivial"], rows)
            + f"\nweb worker memory: {mem or 'n/a'}"
            + f"\nhome page /, one request: {res['home_single_request_s']['seconds']:.2f} s "
              f"(status {res['home_single_request_s']['status']})")
