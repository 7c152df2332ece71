"""Publish a bench dataset into a var/ folder and run the production server (``lod serve``) over it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from lod.bench.generate import graphs_in
from lod.errors import PublishError
from lod.queries import write_precomputed
from lod.search import INDEX_FILE, build_search_index
from lod.settings import load_settings
from lod.store import Primary, Snapshots, publish_lock

__all__ = ["publish_dataset", "serve", "free_port", "worker_pids", "rss_kib"]

ROOT = Path(__file__).resolve().parents[2]


def publish_dataset(nquads: Path, var: Path) -> str:
    """Bulk-publish ``nquads`` into ``var/store`` and cut a snapshot (reused when ``var`` already has one
    made from the same file). :returns: the snapshot id."""
    stamp = var / "bench-source.txt"
    key = f"{nquads.resolve()} {nquads.stat().st_size} {nquads.stat().st_mtime_ns}"
    snaps = Snapshots(var / "snapshots")
    if stamp.is_file() and stamp.read_text() == key and snaps.current_id():
        return snaps.current_id()  # type: ignore[return-value]
    with publish_lock(var, 10):
        primary = Primary(var / "store")
        try:
            primary.replace_graphs_bulk(nquads, list(graphs_in(nquads)))
            # the same per-snapshot work as pipeline.publish: search index before the switch, then the
            # precomputed whole-dataset aggregates (the dumps/catalog are left out: they measure nothing here)
            sid = snaps.cut(primary, prepare=lambda folder: build_search_index(primary.store, folder / INDEX_FILE))
            write_precomputed(primary.store, load_settings(env={}).path("sparql_dir"), var / "dumps" / sid / "queries")
        finally:
            primary.close()
    stamp.write_text(key)
    return sid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(var: Path, workers: int = 2, base_uri: str | None = None) -> Iterator[tuple[str, int]]:
    """``lod serve`` on 127.0.0.1:<free port> over ``var``; yields (base URL, gunicorn master pid).

    :raises PublishError: the server did not answer /healthz within 60 s.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOD_")}
    env.update({"LOD_VAR_DIR": str(var), "LOD_SERVER_PORT": str(port), "LOD_SERVER_HOST": "127.0.0.1",
                "LOD_SERVER_WORKERS": str(workers), "LOD_SOURCES_DIR": str(ROOT / "sources"),
                "LOD_SPARQL_DIR": str(ROOT / "sparql"), "LOD_ONTOLOGY_DIR": str(ROOT / "ontology")})
    if base_uri:
        env["LOD_BASE_URI"] = base_uri
    # access log off: it would cost the server time per request and fill the terminal
    proc = subprocess.Popen([sys.executable, "-m", "lod", "serve"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise PublishError(f"lod serve over {var} did not come up on {url}")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process in KiB, from /proc."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            out[line.split(":")[0]] = int(line.split()[1])
    return out
