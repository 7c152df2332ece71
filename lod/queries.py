"""Named SPARQL queries (``sparql/*.rq``) and the read-only dataset the web layer queries.

Parameters are bound with pyoxigraph substitutions, never pasted into query text.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, QuerySolutions, Store, Variable

from lod.errors import BadQuery, ServiceUnavailable
from lod.store import Snapshots, open_read_only

__all__ = ["NamedQuery", "load_query", "list_queries", "select_rows", "write_precomputed", "CurrentSnapshot"]

logger = logging.getLogger(__name__)
_HEADER = re.compile(r"^#\s*(title|description|params|precompute)\s*:\s*(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    title: str
    description: str
    params: tuple[str, ...]
    precompute: bool = False     # "# precompute: yes": results computed once per snapshot at publish time


@lru_cache(maxsize=256)
def _read(path: Path, mtime: float) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if m:
            meta[m.group(1)] = m.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    params = tuple(p.strip() for p in meta.get("params", "").split(",") if p.strip())
    return NamedQuery(path.stem, text, meta.get("title", path.stem), meta.get("description", ""), params,
                      meta.get("precompute", "").lower() in ("yes", "true"))


def load_query(sparql_dir: Path, name: str) -> NamedQuery:
    """Load ``sparql/<name>.rq``. :raises BadQuery: no such query."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise BadQuery(f"invalid query name {name!r}")
    path = sparql_dir / f"{name}.rq"
    if not path.is_file():
        raise BadQuery(f"no named query '{name}' in {sparql_dir}")
    return _read(path, path.stat().st_mtime)


def list_queries(sparql_dir: Path) -> list[NamedQuery]:
    return [load_query(sparql_dir, p.stem) for p in sorted(sparql_dir.glob("*.rq"))]


def select_rows(store: Store, query: NamedQuery, **bindings: Any) -> list[dict[str, Any]]:
    """Run a named SELECT (IRIs given as str are bound as NamedNodes); rows as {var: value or None}."""
    subs = {Variable(k): (NamedNode(v) if isinstance(v, str) else v) for k, v in bindings.items()}
    result = store.query(query.text, substitutions=subs, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def write_precomputed(store: Store, sparql_dir: Path, folder: Path) -> list[str]:
    """Answer every query marked ``# precompute: yes`` once and store the rows as ``folder/<name>.json``.

    :returns: the names written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for query in list_queries(sparql_dir):
        if query.precompute:
            rows = select_rows(store, query)
            (folder / f"{query.name}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            names.append(query.name)
    return names


class CurrentSnapshot:
    """The snapshot ``var/snapshots/current`` points at, reopened when a newer one is published.

    Checks the link at most every ``interval`` seconds; requests already running keep the store object
    they got, so a switch never fails a request in flight.
    """

    def __init__(self, snapshots_dir: Path, interval: float = 1.0, precomputed_dir: Path | None = None) -> None:
        self.snapshots = Snapshots(snapshots_dir)
        self.precomputed_dir = precomputed_dir
        self._precomputed: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.interval = interval
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._id: str | None = None
        self._checked = 0.0

    def get(self) -> tuple[str, Store]:
        """:returns: (snapshot id, read-only store). :raises ServiceUnavailable: nothing published yet."""
        now = time.monotonic()
        if self._store is None or now - self._checked >= self.interval:
            with self._lock:
                self._checked = now
                sid = self.snapshots.current_id()
                if sid is None:
                    raise ServiceUnavailable("no data published yet: run 'lod build' (or make run)", 5)
                if sid != self._id:
                    self._store = open_read_only(self.snapshots.root / sid)
                    self._id = sid
                    logger.info("serving snapshot %s (pid %d)", sid, os.getpid())
        assert self._store is not None and self._id is not None
        return self._id, self._store

    def select(self, query: NamedQuery, **bindings: Any) -> list[dict[str, Any]]:
        """Run a named SELECT with IRIs/literals bound; rows as {var: python value}.

        A query marked ``# precompute: yes`` (and run without bindings) is answered from the rows the publisher
        wrote for this snapshot (:func:`write_precomputed`), when they exist.
        """
        sid, store = self.get()
        if query.precompute and not bindings and self.precomputed_dir is not None:
            key = (sid, query.name)
            if key not in self._precomputed:
                try:
                    path = self.precomputed_dir / sid / "queries" / f"{query.name}.json"
                    self._precomputed[key] = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    return select_rows(store, query)
            return self._precomputed[key]
        return select_rows(store, query, **bindings)
