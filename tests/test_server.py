"""The production server (gunicorn) over HTTP: serves, and switches to a new snapshot without a restart
and without failing requests in flight."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from lod import pipeline
from lod.settings import Settings

pytestmark = pytest.mark.slow
Q = "SELECT ?l WHERE { <https://kep.example.org/id/thing/beta-1> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def label(base: str) -> str:
    r = requests.get(base + "/sparql", params={"query": Q}, timeout=10)
    r.raise_for_status()
    return str(r.json()["results"]["bindings"][0]["l"]["value"])


def test_gunicorn_serves_home_and_health(live_server: tuple[str, Settings]) -> None:
    base, _ = live_server
    r = requests.get(base + "/", timeout=10)
    assert r.status_code == 200 and "KEP" in r.text
    assert "gunicorn" in r.headers.get("Server", "").lower()
    assert requests.get(base + "/healthz", timeout=10).json()["ok"] is True


def test_switches_snapshot_without_restart_or_failed_requests(live_server: tuple[str, Settings],
                                                             mini_sources: Path) -> None:
    base, settings = live_server
    assert label(base) == "Beta eins"
    errors: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                seen.add(label(base))
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(repr(exc))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        snap = mini_sources / "beta" / "snapshots" / "data.nt"
        for i in range(3):
            snap.write_text(snap.read_text().replace("Beta eins" if i == 0 else f"Beta v{i - 1}", f"Beta v{i}"))
            pipeline.build(settings)
    finally:
        import time

        deadline = time.monotonic() + 5
        while label(base) != "Beta v2" and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert label(base) == "Beta v2"
    assert "Beta eins" in seen
