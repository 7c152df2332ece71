"""``lod bench publish``: publishing a nationwide dataset through lod.store, beside a raw pyoxigraph bulk load.

Three ways, each into a fresh directory, each followed by the snapshot cut where it applies:

- ``raw bulk_load``: ``Store(dir).bulk_load(file)`` + flush: the engine's limit on this machine;
- ``Primary.replace_graphs_bulk`` + ``Snapshots.cut``: our bulk publish path (journal, checks, snapshot);
- ``Primary.replace_graph`` per graph + cut: what ``pipeline.publish`` does today, one transaction per
  source (the per-graph N-Triples files are prepared untimed).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, Store

from lod.bench.generate import graphs_in
from lod.bench.report import table, timed
from lod.store import Primary, Snapshots

__all__ = ["run"]


def _split(nquads: Path, folder: Path) -> list[tuple[str, Path]]:
    """One N-Triples file per graph (untimed preparation for the per-graph path)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, Path]] = []
    last, fh = None, None
    with open(nquads, "rb") as src:
        for line in src:
            head, _, tail = line.rstrip(b" .\n").rpartition(b" <")
            g = tail[:-1].decode()
            if g != last:
                if fh:
                    fh.close()
                path = folder / f"{len(out):05d}.nt"
                out.append((g, path))
                fh = open(path, "wb")
                last = g
            fh.write(head + b" .\n")  # type: ignore[union-attr]
    if fh:
        fh.close()
    return out


def run(nquads: Path, work: Path, *, runs: int = 3, warmup: int = 1, per_graph_runs: int = 1) -> dict[str, Any]:
    """Measure; ``work`` is a scratch folder on the same disk (emptied). ``per_graph_runs=0`` skips that path."""
    work.mkdir(parents=True, exist_ok=True)
    quads = sum(1 for _ in open(nquads, "rb"))
    graphs = list(graphs_in(nquads))
    target = work / "target"

    def fresh() -> None:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)

    def raw() -> None:
        store = Store(str(target / "store"))
        store.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
        store.flush()
        del store

    def ours_bulk() -> None:
        primary = Primary(target / "store")
        primary.replace_graphs_bulk(nquads, graphs)
        Snapshots(target / "snapshots").cut(primary)
        primary.close()

    results: dict[str, Any] = {"file": str(nquads), "quads": quads, "graphs": len(graphs), "results": {}}
    results["results"]["raw_bulk_load"] = timed(raw, runs, warmup, fresh)
    results["results"]["replace_graphs_bulk"] = timed(ours_bulk, runs, warmup, fresh)
    results["disk_mb"] = round(sum(p.stat().st_size for p in (target / "store").rglob("*") if p.is_file()) / 1e6)
    if per_graph_runs > 0:
        parts = _split(nquads, Path(tempfile.mkdtemp(dir=work, prefix="split-")))

        def ours_per_graph() -> None:
            primary = Primary(target / "store")
            for g, path in parts:
                primary.replace_graph(g, path)
            Snapshots(target / "snapshots").cut(primary)
            primary.close()

        results["results"]["replace_graph_per_graph"] = timed(ours_per_graph, per_graph_runs, 0, fresh)
        shutil.rmtree(parts[0][1].parent, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    raw_t = results["results"]["raw_bulk_load"]["median"]
    for r in results["results"].values():
        r["ratio_to_raw"] = r["median"] / raw_t if raw_t else None
        r["quads_per_s"] = quads / r["median"] if r["median"] else None
    results["goal"] = "replace_graphs_bulk ≤ 1.25 × raw bulk_load"
    return results


def render(res: dict[str, Any]) -> str:
    rows = [[k, v["median"], v["min"], v["max"], v["runs"], f"{v['quads_per_s']:,.0f}", f"{v['ratio_to_raw']:.2f}×"]
            for k, v in res["results"].items()]
    return (f"publish {res['quads']:,} quads in {res['graphs']:,} graphs ({res['disk_mb']} MB on disk)\n"
            + table(["path", "median s", "min s", "max s", "runs", "quads/s", "vs raw"], rows))
