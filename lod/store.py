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
import logging
import os
import shutil
import time
from collections.abc import Iterator
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

    def cut(self, primary: Primary) -> str:
        """Back up the primary store into a new snapshot and make it current. :returns: the snapshot id."""
        self.root.mkdir(parents=True, exist_ok=True)
        sid = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        tmp = self.root / f".tmp-{sid}"
        primary.store.flush()
        primary.store.backup(str(tmp))
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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
