"""The primary pyoxigraph store, its published read-only snapshots, and the publisher lock.

Layout under ``var_dir``::

    store/                 the primary store (only the publisher opens it, under publish.lock)
    snapshots/<id>/        read-only copies cut with Store.backup() (hard links, ~ms)
    snapshots/current      symlink → <id>: what the server serves; switched with an atomic rename
    publish.lock           fcntl lock: one publisher at a time

Crash safety: a graph is replaced in one transaction (load into a staging graph, then one update that drops
the live graph and moves staging into it). A snapshot is cut into ``.tmp-<id>`` and renamed, then
``current`` is switched by renaming a new symlink over it. A publisher killed at any moment leaves
``current`` pointing at a complete snapshot; ``recover()`` removes leftovers on the next run.
"""

from __future__ import annotations

import errno
import fcntl
import io
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from lod.errors import PublishError, StoreLocked

__all__ = ["Primary", "Snapshots", "publish_lock", "STAGING_PREFIX", "open_read_only"]

logger = logging.getLogger(__name__)
STAGING_PREFIX = "urn:x-kep-staging:"


@contextmanager
def publish_lock(var_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the publisher lock; wait up to ``timeout`` seconds.

    :raises StoreLocked: another publisher still holds it after ``timeout``.
    """
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "publish.lock"
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreLocked(f"{path}: another publisher is running (waited {timeout:g} s); "
                                      "try again when it has finished") from None
                time.sleep(0.1)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_read_only(path: Path) -> Store:
    """Open a snapshot read-only. :raises PublishError: the folder is not a readable store."""
    try:
        return Store.read_only(str(path))
    except OSError as exc:
        raise PublishError(f"{path}: cannot open snapshot: {exc}") from exc


class Primary:
    """The writable primary store. Open it only while holding :func:`publish_lock`."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.store = Store(str(path))

    def recover(self) -> list[str]:
        """Drop staging graphs a killed publisher left behind; returns their names."""
        left = [g.value for g in self.store.named_graphs()
                if isinstance(g, NamedNode) and g.value.startswith(STAGING_PREFIX)]
        for name in left:
            self.store.remove_graph(NamedNode(name))
        if left:
            logger.warning("recovered: dropped %d staging graph(s) left by an interrupted publish", len(left))
        return left

    def replace_graph(self, graph: str, ntriples: Path) -> int:
        """Atomically replace named graph ``graph`` with the triples in an N-Triples file.

        Readers (and a crash at any point) see either the old graph or the new one, never a mix.
        :returns: the new triple count.
        :raises PublishError: the file cannot be parsed (the live graph is untouched).
        """
        staging = NamedNode(f"{STAGING_PREFIX}{time.time_ns()}")
        try:
            self.store.load(path=str(ntriples), format=RdfFormat.N_TRIPLES, to_graph=staging)
        except (SyntaxError, OSError, ValueError) as exc:
            self.store.remove_graph(staging)
            raise PublishError(f"{ntriples}: cannot load staged graph: {exc}") from exc
        live = NamedNode(graph)
        self.store.update(f"DROP SILENT GRAPH <{live.value}> ; MOVE SILENT GRAPH <{staging.value}> TO <{live.value}>")
        self.store.flush()
        return self.count(graph)

    def remove_graph(self, graph: str) -> None:
        self.store.update(f"DROP SILENT GRAPH <{NamedNode(graph).value}>")

    def count(self, graph: str) -> int:
        result = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NamedNode(graph).value}> {{ ?s ?p ?o }} }}")
        return int(next(iter(result))["n"].value)  # type: ignore[index, union-attr, arg-type]

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

    # -- bulk publish (new; used by the nationwide benchmark and for large fresh loads) -----------------

    def _bulk_journal(self) -> Path:
        return self.path.with_name(self.path.name + ".bulk-journal")

    def recover_bulk(self) -> list[str]:
        """Undo a :meth:`replace_graphs_bulk` that was interrupted: drop the graphs its journal lists.

        Those graphs did not exist before that load, so dropping them restores the state before it.
        :returns: the graphs dropped.
        """
        journal = self._bulk_journal()
        if not journal.is_file():
            return []
        graphs = [g for g in journal.read_text(encoding="utf-8").splitlines() if g]
        for g in graphs:
            self.store.remove_graph(NamedNode(g))
        self.store.flush()
        journal.unlink()
        logger.warning("recovered: dropped %d graph(s) of an interrupted bulk publish", len(graphs))
        return graphs

    def replace_graphs_bulk(self, nquads: Path, graphs: list[str]) -> None:
        """Publish many named graphs from one N-Quads file with pyoxigraph's bulk loader.

        ``graphs`` lists every graph the file writes (and only those; quads in the default graph or in
        other graphs make it fail). Graphs that are new are bulk-loaded in place under a journal
        (``<store>.bulk-journal``, fsynced before loading, removed after the flush): a crash or a parse error
        mid-load is undone by :meth:`recover_bulk` (called first here), which drops exactly those graphs.
        Graphs that already exist are bulk-loaded into staging graphs and then swapped in with one
        ``DROP``/``MOVE`` update, as :meth:`replace_graph` does, so their old content stays until the swap.
        Graphs already in the store but not announced are diverted to staging names while loading, so the
        file cannot change them; if it tried, the load is undone. Loading into an empty store reads the
        file directly (fastest); otherwise each line is rewritten in Python on the way (slower).
        Readers never see the primary (they read snapshots), so atomicity is per publish run.
        Caveat: a default-graph quad in the file is removed with ``DROP DEFAULT`` (the primary keeps none).
        :raises PublishError: the file cannot be parsed or names other graphs (the load is undone).
        """
        self.recover_bulk()
        self.recover()
        wanted = set(graphs)
        before = set(self.graphs())
        existing = wanted & before
        fresh = sorted(wanted - existing)
        journal = self._bulk_journal()
        tmp = journal.with_name(journal.name + ".tmp")
        tmp.write_text("".join(g + "\n" for g in fresh), encoding="utf-8")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
        _fsync_dir(journal.parent)
        stamp = time.time_ns()
        staging = {g: f"{STAGING_PREFIX}{stamp}-{i}" for i, g in enumerate(sorted(existing))}
        # graphs in the store that were not announced are diverted too, so that the file cannot touch them
        quarantine = {g: f"{STAGING_PREFIX}{stamp}-x{i}" for i, g in enumerate(sorted(before - wanted))}

        def undo() -> None:
            for name in [*staging.values(), *quarantine.values()]:
                self.store.remove_graph(NamedNode(name))
            self.recover_bulk()

        try:
            if staging or quarantine:
                with open(nquads, "rb") as src:
                    self.store.bulk_load(_RenamingReader(src, {**staging, **quarantine}), format=RdfFormat.N_QUADS)
            else:
                self.store.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
            self.store.flush()
        except (SyntaxError, OSError, ValueError) as exc:
            undo()
            raise PublishError(f"{nquads}: cannot bulk-load: {exc}") from exc
        after = set(self.graphs())
        stray = (after - before - wanted - set(staging.values()) - set(quarantine.values())) | \
            {g for g, q in quarantine.items() if q in after}
        in_default = bool(self.store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=False))
        if stray or in_default:
            for g in stray - set(quarantine):
                self.store.remove_graph(NamedNode(g))
            if in_default:
                self.store.update("DROP SILENT DEFAULT")
            undo()
            raise PublishError(f"{nquads}: writes graphs that were not announced "
                               f"({', '.join(sorted(stray)[:3]) or 'the default graph'})")
        if staging:
            self.store.update(" ; ".join(f"DROP SILENT GRAPH <{g}> ; MOVE SILENT GRAPH <{n}> TO <{g}>"
                                         for g, n in staging.items()))
        self.store.flush()
        journal.unlink()
        _fsync_dir(journal.parent)

    def close(self) -> None:
        self.store.flush()
        del self.store


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    path: Path
    current: bool


class Snapshots:
    """Published snapshots under ``var/snapshots``; ``current`` is the one served."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.link = root / "current"

    def list(self) -> list[SnapshotInfo]:
        """Complete snapshots, oldest first."""
        if not self.root.is_dir():
            return []
        cur = self.current_id()
        ids = sorted(p.name for p in self.root.iterdir()
                     if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
        return [SnapshotInfo(i, self.root / i, i == cur) for i in ids]

    def current_id(self) -> str | None:
        try:
            return os.readlink(self.link)
        except OSError:
            return None

    def current_path(self) -> Path | None:
        cid = self.current_id()
        return self.root / cid if cid else None

    def cut(self, primary: Primary, prepare: Callable[[Path], None] | None = None) -> str:
        """Back up the primary store into a new snapshot and make it current.

        ``prepare(folder)`` runs on the complete snapshot before it becomes current (e.g. to add the search
        index), so the server never sees a snapshot without it.
        :returns: the snapshot id.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        sid = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        tmp = self.root / f".tmp-{sid}"
        primary.store.flush()
        primary.store.backup(str(tmp))
        if prepare is not None:
            prepare(tmp)
        os.rename(tmp, self.root / sid)
        self.switch(sid)
        return sid

    def switch(self, sid: str) -> None:
        """Atomically point ``current`` at snapshot ``sid``. :raises PublishError: no such snapshot."""
        if not (self.root / sid).is_dir():
            raise PublishError(f"no snapshot '{sid}' in {self.root}")
        tmp_link = self.root / f".current-{os.getpid()}"
        if tmp_link.is_symlink():
            tmp_link.unlink()
        os.symlink(sid, tmp_link)
        os.replace(tmp_link, self.link)
        _fsync_dir(self.root)

    def cleanup(self, keep: int) -> list[str]:
        """Remove unfinished snapshots and all but the newest ``keep`` (never the current one)."""
        removed = []
        if not self.root.is_dir():
            return removed
        for p in self.root.iterdir():
            if p.name.startswith(".tmp-") or (p.name.startswith(".current-") and p.is_symlink()):
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() and not p.is_symlink() else p.unlink()
                removed.append(p.name)
        snaps = self.list()
        for info in snaps[:-keep] if keep > 0 else []:
            if not info.current:
                shutil.rmtree(info.path, ignore_errors=True)
                removed.append(info.id)
        return removed

    def previous(self) -> str | None:
        """The snapshot published before the current one."""
        ids = [s.id for s in self.list()]
        cur = self.current_id()
        if cur not in ids:
            return ids[-1] if ids else None
        i = ids.index(cur)
        return ids[i - 1] if i > 0 else None


class _RenamingReader(io.RawIOBase):
    """A binary stream over an N-Quads file with some graph IRIs replaced (line by line)."""

    def __init__(self, src: io.BufferedReader, renames: dict[str, str]) -> None:
        self.src = src
        self.renames = {f" <{a}> .".encode(): f" <{b}> .".encode() for a, b in renames.items()}
        self.buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        while len(self.buf) < len(b):
            line = self.src.readline()
            if not line:
                break
            head, sep, tail = line.rstrip(b"\n").rpartition(b" <")
            if sep:
                key = b" <" + tail
                line = head + self.renames.get(key, key) + b"\n"
            self.buf += line
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
