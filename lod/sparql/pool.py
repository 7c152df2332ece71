"""A pool of query worker processes with deadlines, a memory cap, respawn and a bounded wait queue.

pyoxigraph cannot cancel a query, so a query past its deadline is stopped by SIGKILLing its worker, which is
replaced at once. A worker that dies (memory cap, native crash) is replaced too; only its client gets an error.

>>> pool = QueryPool(Path("var/snapshots"), workers=2)          # doctest: +SKIP
>>> pool.run(Job("ASK {}", snapshot_id, {"boolean": "json"}), timeout=15).body   # doctest: +SKIP
b'{"head":{},"boolean":true}\\n'
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from lod.errors import BadQuery, LodError, NotAcceptable, QueryTimeout, ServiceUnavailable
from lod.sparql.formats import FORMATS, SHAPE_FORMATS
from lod.sparql.worker import Job, Result

__all__ = ["QueryPool", "QueryAborted"]

logger = logging.getLogger(__name__)


class QueryAborted(LodError):
    """The worker running the query died (memory cap or a crash in the engine); other queries are unaffected."""

    status = 500
    kind = "query-aborted"


class _Worker:
    """One worker: a fresh interpreter (like multiprocessing's "spawn", but independent of ``__main__``)
    talking over a socket pair with multiprocessing's Connection (pickled Jobs and Results)."""

    def __init__(self, root: Path, memory_mb: int) -> None:
        parent, child = socket.socketpair()
        code = "import sys; from lod.sparql.worker import serve_fd; serve_fd(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))"
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(child.fileno()), str(root), str(memory_mb)],
                                     pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, close_fds=True,
                                     env={**os.environ, "RUST_BACKTRACE": "0"},
                                     cwd=str(Path(__file__).resolve().parents[2]))
        child.close()
        self.conn = Connection(parent.detach())
        self.jobs = 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exitcode(self) -> int | None:
        try:
            return self.proc.wait(1)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class QueryPool:
    """``workers`` pre-spawned processes; :meth:`run` sends one job to a free one.

    At most ``max_waiting`` callers wait (default 2 × workers), each up to ``queue_wait`` seconds.
    """

    def __init__(self, snapshots_root: Path, *, workers: int = 2, memory_mb: int = 2048, queue_wait: float = 5.0,
                 max_waiting: int | None = None, max_jobs: int = 500) -> None:
        self.root, self.memory_mb, self.queue_wait = Path(snapshots_root), memory_mb, queue_wait
        self.max_waiting = 2 * workers if max_waiting is None else max_waiting
        self.max_jobs = max_jobs
        self.pid = os.getpid()
        self._free: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        for _ in range(workers):
            self._add()
        atexit.register(self.close)

    def _add(self) -> None:
        w = _Worker(self.root, self.memory_mb)
        with self._lock:
            self._all.append(w)
        self._free.put(w)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            if w in self._all:
                self._all.remove(w)
        if not self._closed:
            self._add()

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._waiting >= self.max_waiting and self._free.empty():
                raise ServiceUnavailable("the query queue is full; try again in a few seconds", 10)
            self._waiting += 1
        try:
            return self._free.get(timeout=self.queue_wait)
        except queue.Empty:
            raise ServiceUnavailable(f"all query workers stayed busy for {self.queue_wait:g} s; "
                                     "try again in a few seconds", 10) from None
        finally:
            with self._lock:
                self._waiting -= 1

    def run(self, job: Job, timeout: float) -> Result:
        """Run ``job`` in a worker, killing it after ``timeout`` seconds.

        :raises QueryTimeout: past the deadline (the worker was killed and replaced).
        :raises QueryAborted: the worker died (memory cap or engine crash).
        :raises BadQuery: syntax error (message with the parser's position).
        :raises NotAcceptable: the client accepts no format for this kind of result.
        :raises ServiceUnavailable: no worker became free in time, or the queue is full.
        """
        if self._closed:
            raise ServiceUnavailable("the query service is shutting down", 5)
        w = self._acquire()
        start = time.monotonic()
        try:
            try:
                w.conn.send(job)
            except (BrokenPipeError, OSError):          # died while idle: replace and retry once
                self._replace(w)
                w = self._acquire()
                w.conn.send(job)
            remaining = timeout - (time.monotonic() - start)
            if not w.conn.poll(max(0.0, remaining)):
                self._replace(w)
                w = None  # type: ignore[assignment]
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped. Add LIMIT, make "
                                   "the patterns more selective, or download the data dump for bulk work.")
            try:
                reply = w.conn.recv()
            except (EOFError, OSError):
                code = w.exitcode()
                self._replace(w)
                w = None  # type: ignore[assignment]
                raise QueryAborted(f"the query was stopped because it needed more memory than a query may use "
                                   f"({self.memory_mb} MiB) or crashed the query engine (exit {code}); "
                                   "simplify it, e.g. avoid building huge strings or cartesian products") from None
        except BaseException:
            if w is not None:
                self._release(w)
            raise
        self._release(w)
        if isinstance(reply, Result):
            return reply
        return _raise(reply, self.memory_mb)

    def _release(self, w: _Worker) -> None:
        w.jobs += 1
        if not w.alive() or w.jobs >= self.max_jobs:
            self._replace(w)
        else:
            self._free.put(w)

    def close(self) -> None:
        """Kill all workers (only from the process that created the pool)."""
        if self._closed or os.getpid() != self.pid:
            return
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), []
        for w in workers:
            w.kill()

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._all if w.alive())


def _raise(reply: tuple[str, str, object], memory_mb: int) -> Result:
    kind, message, _ = reply
    if kind == "syntax":
        raise BadQuery(message)
    if kind == "not-acceptable":
        raise NotAcceptable(f"none of the media types in your Accept header can represent a {message} result.",
                            [FORMATS[n].media_type for n in SHAPE_FORMATS[message]])
    if kind == "memory":
        raise QueryAborted(f"{message} ({memory_mb} MiB); simplify the query")
    if kind == "store":
        raise ServiceUnavailable(message, 5)
    raise QueryAborted(f"the query failed in the engine: {message}")
