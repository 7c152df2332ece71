"""Kill a publishing process with SIGKILL at many moments: the served snapshot stays intact, and the next
run recovers without manual steps."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import Store

from lod import pipeline
from lod.store import Snapshots
from tests.conftest import ROOT, lod_env, make_settings

pytestmark = pytest.mark.slow
BIG = 60_000


def write_big(path: Path, tag: str) -> None:
    with path.open("w") as f:
        for i in range(BIG):
            f.write(f'<https://kep.example.org/id/thing/b{i}> <http://www.w3.org/2000/01/rdf-schema#label> "{tag} {i}" .\n')


def count(store: Store, tag: str) -> int:
    q = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://kep.example.org/graph/beta> "
         f"{{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(?l, \"{tag} \")) }} }}")
    return int(next(iter(store.query(q)))["n"].value)


@pytest.mark.parametrize("bulk", ["0", "1"], ids=["transactional", "bulk"])
@pytest.mark.parametrize("delay", [0.05, 0.5, 1.5])
def test_sigkill_during_publish_leaves_served_data_intact(tmp_path: Path, mini_sources: Path, delay: float,
                                                           bulk: str) -> None:
    settings = make_settings(tmp_path, mini_sources, LOD_PUBLISH_BULK_SOURCES="1" if bulk == "1" else "25")
    snap = mini_sources / "beta" / "snapshots" / "data.nt"
    write_big(snap, "old")
    pipeline.build(settings)
    snaps = Snapshots(settings.var / "snapshots")
    good = snaps.current_id()

    write_big(snap, "new")
    assert pipeline.harvest(settings, ["beta"])[0].status == "harvested"
    proc = subprocess.Popen([sys.executable, "-m", "lod", "publish"], env=lod_env(settings), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    # Whatever moment it died at, "current" is a complete snapshot with either all old or all new data.
    cur = snaps.current_path()
    assert cur is not None
    store = Store.read_only(str(cur))
    old, new = count(store, "old"), count(store, "new")
    assert (old, new) in ((BIG, 0), (0, BIG)), (old, new)
    if snaps.current_id() == good:
        assert old == BIG
    del store

    # The next run recovers without manual steps and ends with the new data served.
    outcomes, _ = pipeline.publish(settings)
    assert all(o.ok for o in outcomes)
    pipeline.build(settings)
    store = Store.read_only(str(snaps.current_path()))
    assert count(store, "new") == BIG and count(store, "old") == 0
    graphs = {g.value for g in store.named_graphs()}
    assert not any(g.startswith("urn:x-kep-staging:") for g in graphs)
    assert not any(p.name.startswith(".tmp-") for p in snaps.root.iterdir())
