"""The query worker process: opens the current snapshot read-only and answers jobs from its pipe.

Started by :class:`lod.sparql.pool.QueryPool` as a fresh interpreter (spawn semantics). Its address space is capped with
``RLIMIT_AS`` so a runaway allocation kills this process only; the parent kills it on a deadline.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

__all__ = ["Job", "Result", "main", "serve_fd", "execute"]


@dataclass(frozen=True)
class Job:
    """One query. ``formats`` maps a result shape (solutions/boolean/graph) to a format name, or None if the
    client accepts nothing for that shape."""

    query: str
    snapshot: str
    formats: dict[str, str | None]
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    max_triples: int = 50_000
    max_bytes: int = 50_000_000
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    body: bytes
    shape: str                  # solutions | boolean | graph
    format: str                 # format name
    truncated_by: str | None    # None | rows | triples | bytes
    count: int                  # rows or triples returned (1 for ASK)
    seconds: float
    snapshot: str


def execute(store: Any, job: Job) -> Result | tuple[str, str, Any]:
    """Run ``job`` on ``store``. :returns: a Result, or an (error kind, message, extra) tuple."""
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions

    from lod.sparql import serialize

    t0 = time.monotonic()
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    if job.default_graphs is None and job.named_graphs is None:
        kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs or ()]
        kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs or ()]
    try:
        result = store.query(job.query, **kwargs)
    except SyntaxError as exc:
        text = str(exc)
        return ("syntax", f"SPARQL syntax error: {text[:300] + ' …' if len(text) > 300 else text}", None)
    shape = "boolean" if isinstance(result, QueryBoolean) else \
        "solutions" if isinstance(result, QuerySolutions) else "graph"
    fmt = job.formats.get(shape)
    if fmt is None:
        return ("not-acceptable", shape, None)
    fmt = "json" if fmt == "html" and shape != "graph" else ("turtle" if fmt == "html" else fmt)
    truncated: str | None = None
    if shape == "boolean":
        body, count = serialize.boolean(fmt, bool(result)), 1
    elif shape == "solutions":
        names = [v.value for v in result.variables]
        body, truncated, count = serialize.solutions(fmt, names, result, max_rows=job.max_rows,
                                                     max_bytes=job.max_bytes)
    else:
        body, truncated, count = serialize.graph(fmt, result, max_triples=job.max_triples,
                                                 max_bytes=job.max_bytes, prefixes=job.prefixes)
    return Result(body, shape, fmt, truncated, count, time.monotonic() - t0, job.snapshot)


def main(conn: Connection, snapshots_root: str, memory_mb: int) -> None:
    """Worker loop: receive a Job, send back a Result or an error tuple; exits when the parent goes away."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from pyoxigraph import Store

    store: Any = None
    current: str | None = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job.snapshot != current:
                store = None
                store = Store.read_only(str(Path(snapshots_root) / job.snapshot))
                current = job.snapshot
            reply: Any = execute(store, job)
        except MemoryError:
            conn.send(("memory", "the query needed more memory than a query may use", None))
            return
        except OSError as exc:
            reply = ("store", f"the data could not be read: {exc}", None)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the client as a typed error
            reply = ("internal", f"{type(exc).__name__}: {exc}", None)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def serve_fd(fd: int, snapshots_root: str, memory_mb: int) -> None:
    """Entry point of a worker started as ``python -c`` with one end of a socket pair as ``fd``."""
    main(Connection(fd), snapshots_root, memory_mb)
