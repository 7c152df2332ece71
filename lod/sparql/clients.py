"""Per-client limits shared by all web worker processes: queries in flight, and worker seconds per minute.

State lives in small files under ``var/sparql-clients/`` guarded by ``fcntl`` locks, so the limits hold across
gunicorn's processes, and a process that dies releases its slots (the kernel drops its locks).
A client is identified by a hash of its address and User-Agent (nothing personal is stored).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lod.errors import TooManyRequests

__all__ = ["ClientLimits", "client_key"]

WINDOW = 60.0


def client_key(address: str | None, user_agent: str | None) -> str:
    return hashlib.sha256(f"{address or '-'}\x00{user_agent or '-'}".encode()).hexdigest()[:20]


class ClientLimits:
    """``concurrency`` queries in flight and ``budget`` worker seconds per 60 s per client."""

    def __init__(self, folder: Path, *, concurrency: int, budget: float) -> None:
        self.folder, self.concurrency, self.budget = folder, concurrency, budget
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def slot(self, key: str) -> Iterator[None]:
        """Hold one of the client's in-flight slots while running a query; records the time used.

        :raises TooManyRequests: all slots are taken, or the time budget of the last minute is spent.
        """
        self._check_budget(key)
        handle = None
        for i in range(self.concurrency):
            f = open(self.folder / f"{key}.{i}.slot", "a+")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                handle = f
                break
            except OSError:
                f.close()
        if handle is None:
            raise TooManyRequests(f"you already have {self.concurrency} queries running; wait for them to "
                                  "finish before sending more", 2)
        start = time.monotonic()
        try:
            yield
        finally:
            self._spend(key, time.monotonic() - start)
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def _ledger(self, key: str) -> Path:
        return self.folder / f"{key}.budget"

    def _read(self, f: object) -> list[list[float]]:
        f.seek(0)  # type: ignore[attr-defined]
        try:
            entries = json.loads(f.read() or "[]")  # type: ignore[attr-defined]
        except ValueError:
            entries = []
        now = time.time()
        return [e for e in entries if isinstance(e, list) and len(e) == 2 and now - e[0] < WINDOW]

    def used(self, key: str) -> tuple[float, float]:
        """(seconds used in the window, seconds until enough of it expires to be under budget again)."""
        path = self._ledger(key)
        if not path.exists():
            return 0.0, 0.0
        with open(path) as f:
            fcntl.flock(f, fcntl.LOCK_SH)
            entries = self._read(f)
        total = sum(e[1] for e in entries)
        wait, excess, now = 0.0, total - self.budget, time.time()
        for ts, secs in sorted(entries):
            if excess < 0:
                break
            excess -= secs
            wait = ts + WINDOW - now
        return total, max(0.0, wait)

    def _check_budget(self, key: str) -> None:
        total, wait = self.used(key)
        if total >= self.budget:
            raise TooManyRequests(f"your queries used {total:.0f} s of query time in the last minute "
                                  f"(the budget is {self.budget:g} s per minute); try again later or use the "
                                  "data dumps for bulk work", max(1, int(wait + 0.999)))

    def _spend(self, key: str, seconds: float) -> None:
        path = self._ledger(key)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            entries = self._read(f)
            entries.append([time.time(), round(seconds, 3)])
            f.seek(0)
            f.truncate()
            f.write(json.dumps(entries[-1000:]))
