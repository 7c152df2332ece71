"""``lod bench harvest``: many curated sources on many simulated hosts, fetched politely.

A child process serves small municipal pages from ``hosts`` HTTP servers, each bound to its own loopback
address (127.0.x.y: distinct origins, so the Fetcher keeps one politeness queue per host). The client
fetches every document through :class:`lod.harvest.fetch.Fetcher` (per-host delay, robots.txt, limits on),
one thread per host as a parallel harvester would, and maps each page with a stub (title + links → triples)
because the curated kind (lod/harvest/curated.py) is not in the tree yet; when it is, only ``_map`` changes.

Reported: wall time, the politeness bound (documents per host × delay), client CPU seconds and sources/s.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lod.bench.report import table
from lod.harvest.fetch import Fetcher, FetchPolicy

__all__ = ["run", "render"]

_PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Partnerschaften der Gemeinde {n}</title></head>
<body><h1>Städtepartnerschaften – Gemeinde {n}</h1>
<ul>{items}</ul><p>Koordination kommunale Entwicklungspolitik: Tel. 0{n:05d}-1234. Stand: 2026.</p>
{filler}</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
            ctype = "text/plain"
        else:
            n = int(re.sub(r"\D", "", self.path) or 0)
            items = "".join(f'<li><a href="/partner/{n}-{i}">Partnerstadt {i} ({n})</a> seit {1960 + i}</li>'
                            for i in range(1, 2 + n % 4))
            body = _PAGE.format(n=n, items=items, filler="<p>" + "Lorem ipsum dolor sit amet. " * 40 + "</p>").encode()
            ctype = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve(addresses: list[str], queue: Any, stop: Any) -> None:
    servers = []
    for addr in addresses:
        srv = ThreadingHTTPServer((addr, 0), _Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    queue.put([f"http://{a}:{s.server_address[1]}" for a, s in zip(addresses, servers)])
    stop.wait()
    for s in servers:
        s.shutdown()


def _map(html: str, url: str) -> int:
    """Stub of the curated mapping: a label and one triple per partner link."""
    title = re.search(r"<title>(.*?)</title>", html)
    return (1 if title else 0) + len(re.findall(r'<a href="/partner/', html))


def _harvest(origins: list[str], per_host: int, delay: float, workers: int) -> dict[str, Any]:
    policy = FetchPolicy(delay=delay, jitter=0.0, retries=0, allow_private=True, connect_timeout=10,
                         read_timeout=30, deadline=60, cache_dir=None)
    fetcher = Fetcher(policy)
    triples = errors = 0
    lock = threading.Lock()

    def host_job(h: int, origin: str) -> None:
        nonlocal triples, errors
        for d in range(per_host):
            url = f"{origin}/kep/{h * per_host + d}"
            try:
                doc = fetcher.fetch(url)
                n = _map(doc.text, url)
            except Exception:  # noqa: BLE001 - counted and reported
                with lock:
                    errors += 1
                continue
            with lock:
                triples += n

    cpu0, t0 = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda a: host_job(*a), enumerate(origins)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    fetcher.close()
    return {"wall_s": wall, "client_cpu_s": cpu, "triples": triples, "errors": errors}


def run(*, sources: int = 11_000, hosts: int = 200, delay: float = 0.5, workers: int | None = None,
        runs: int = 3, warmup: int = 1) -> dict[str, Any]:
    per_host = -(-sources // hosts)
    workers = workers or hosts
    addresses = [f"127.0.{1 + h // 250}.{1 + h % 250}" for h in range(hosts)]
    ctx = mp.get_context("spawn")
    queue, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(addresses, queue, stop), daemon=True)
    proc.start()
    try:
        origins = queue.get(timeout=60)
        for _ in range(warmup):
            _harvest(origins[: max(1, hosts // 10)], 2, 0.0, workers)
        samples = [_harvest(origins, per_host, delay, workers) for _ in range(max(1, runs))]
    finally:
        stop.set()
        proc.join(10)
        if proc.is_alive():
            proc.terminate()
    walls = [s["wall_s"] for s in samples]
    med = sorted(samples, key=lambda s: s["wall_s"])[len(samples) // 2]
    bound = (per_host - 1) * delay * -(-hosts // workers)
    return {"sources": per_host * hosts, "hosts": hosts, "documents_per_host": per_host, "delay_s": delay,
            "workers": workers, "mapping": "stub (lod/harvest/curated.py not present)",
            "wall_s": {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "runs": len(walls)},
            "politeness_bound_s": bound, "client_cpu_s": med["client_cpu_s"],
            "cpu_share_of_wall": med["client_cpu_s"] / med["wall_s"], "sources_per_s": per_host * hosts / med["wall_s"],
            "errors": med["errors"], "triples": med["triples"]}


def render(res: dict[str, Any]) -> str:
    w = res["wall_s"]
    rows = [[res["sources"], res["hosts"], res["documents_per_host"], res["delay_s"], res["workers"], w["median"],
             f"{w['min']:.3g}–{w['max']:.3g}", res["politeness_bound_s"], res["client_cpu_s"],
             f"{res['cpu_share_of_wall']:.0%}", res["sources_per_s"], res["errors"]]]
    return (f"harvest ({res['mapping']})\n"
            + table(["sources", "hosts", "docs/host", "delay s", "threads", "wall s", "min–max s",
                     "politeness bound s", "client CPU s", "CPU/wall", "sources/s", "errors"], rows))
