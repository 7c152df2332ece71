"""Shared helpers of the benchmarks: timing (median of runs after a warm-up), tables, JSON, machine facts."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["timed", "Timing", "machine", "write_result", "table", "default_out"]


class Timing(dict):  # type: ignore[type-arg]
    """{'median': s, 'min': s, 'max': s, 'runs': n} in seconds."""


def timed(fn: Callable[[], Any], runs: int, warmup: int = 1, setup: Callable[[], Any] | None = None) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``runs`` times timed (``setup`` before each, untimed)."""
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    times = []
    for _ in range(max(1, runs)):
        if setup:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return Timing(median=statistics.median(times), min=min(times), max=max(times), runs=len(times))


def machine() -> dict[str, Any]:
    import pyoxigraph

    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "")
        mem = next(int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem = 0
    return {"nproc": os.cpu_count(), "ram_gib": round(mem / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def default_out(var: Path, name: str) -> Path:
    return var / "bench" / f"{name}.json"


def write_result(path: Path, name: str, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **data}, indent=2,
                               ensure_ascii=False) + "\n", encoding="utf-8")


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    cells = [[_fmt(c) for c in r] for r in rows]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join(out)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def ms(seconds: float) -> float:
    return seconds * 1000.0
