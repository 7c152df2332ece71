"""An in-process HTTP load generator: keep-alive ``http.client`` connections in threads inside processes.

Client and server share the machine, so the numbers are lower bounds; compare ratios measured the same way.
"""

from __future__ import annotations

import http.client
import statistics
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

__all__ = ["request", "throughput", "percentile"]


def _conn(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)


def request(conn: http.client.HTTPConnection, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn.request("POST" if body is not None else "GET", path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp.status, resp.read()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def _thread(base: str, paths: list[str], offset: int, until: float) -> tuple[list[float], int, int]:
    conn = _conn(base)
    lat, errors, i = [], 0, offset
    while time.perf_counter() < until:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            status, _ = request(conn, path)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = _conn(base)
            errors += 1
            time.sleep(0.01)        # a dead server must not turn the client into a busy loop
            continue
        lat.append(time.perf_counter() - t0)
        if status != 200:
            errors += 1
    conn.close()
    return lat, errors, i - offset


def _process(base: str, paths: list[str], threads: int, seed: int, start: float, duration: float) -> tuple[list[float], int]:
    time.sleep(max(0.0, start - time.time()))
    until = time.perf_counter() + duration
    with ThreadPoolExecutor(threads) as pool:
        futs = [pool.submit(_thread, base, paths, (seed * threads + t) * 7919, until) for t in range(threads)]
        lat: list[float] = []
        errors = 0
        for f in futs:
            lt, e, _ = f.result()
            lat += lt
            errors += e
    return lat, errors


def throughput(base: str, paths: list[str], *, duration: float = 5.0, processes: int = 2,
               threads: int = 4) -> dict[str, Any]:
    """Hammer ``paths`` (round-robin) for ``duration`` seconds; req/s, p50/p99 in ms, errors."""
    start = time.time() + 0.5
    with ProcessPoolExecutor(processes) as pool:
        futs = [pool.submit(_process, base, paths, threads, p, start, duration) for p in range(processes)]
        lat: list[float] = []
        errors = 0
        for f in futs:
            lt, e = f.result()
            lat += lt
            errors += e
    return {"requests": len(lat), "req_per_s": len(lat) / duration, "errors": errors,
            "p50_ms": percentile(lat, 50) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "mean_ms": statistics.fmean(lat) * 1000 if lat else 0.0, "connections": processes * threads}
