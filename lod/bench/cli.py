"""``lod bench``: generate the nationwide dataset and run the benchmarks (tables on stdout, JSON to a file).

Registered on the main CLI at the end of lod/cli.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


__all__ = ["bench"]


def _settings(ctx: click.Context) -> Any:
    from lod.settings import load_settings

    return load_settings(ctx.find_root().obj["settings_file"])


def _dataset(ctx: click.Context, size: str, seed: int, data: Path | None) -> Path:
    """The N-Quads file to measure: ``--data``, or var/bench/bench-<size>-seed<N>.nq (generated if missing)."""
    if data is not None:
        return data
    from lod.bench.generate import generate_file, parse_size

    s = _settings(ctx)
    path = s.var / "bench" / f"bench-{size.lower()}-seed{seed}.nq"
    if not path.is_file():
        click.echo(f"generating {path} …", err=True)
        generate_file(path, parse_size(size), seed=seed, base=s.base_uri)
    return path


def _finish(ctx: click.Context, name: str, res: dict[str, Any], render: Callable[[dict[str, Any]], str],
            out: Path | None) -> None:
    from lod.bench.report import default_out, machine, write_result

    path = out or default_out(_settings(ctx).var, name)
    write_result(path, name, res)
    m = machine()
    click.echo(render(res))
    click.echo(f"machine: {m['nproc']} cores, {m['ram_gib']} GiB, {m['cpu']}, Python {m['python']}, "
               f"pyoxigraph {m['pyoxigraph']}, load {m['load_avg']}")
    click.echo(f"written: {path}")


def _errors(func: Callable[..., Any]) -> Callable[..., Any]:
    from lod.cli import _handle_errors

    return _handle_errors(func)


_size = click.option("--size", default="1M", show_default=True, help="tiny | 1M | 5M | a number of quads (250k).")
_seed = click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed → same bytes).")
_data = click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Measure this N-Quads file instead of var/bench/bench-<size>-seed<N>.nq.")
_out = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="JSON result file "
                    "(default var/bench/<name>.json).")
_runs = click.option("--runs", type=int, default=3, show_default=True, help="Timed runs (the median is reported).")
_warmup = click.option("--warmup", type=int, default=1, show_default=True, help="Untimed warm-up runs.")


@click.group()
def bench() -> None:
    """Benchmarks at nationwide scale: synthetic data over all German municipalities (issue #8).

    \b
    lod bench generate --size 1M        write var/bench/bench-1m-seed1.nq
    lod bench publish --size 1M         our publish path beside a raw pyoxigraph bulk load
    lod bench sparql --size 1M --rdflib canonical queries: HTTP vs in-process (vs rdflib)
    lod bench pages --size 1M           pages and search per second vs /healthz
    lod bench harvest                   11,000 sources on 200 simulated hosts, politely
    """


@bench.command()
@_size
@_seed
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="N-Quads file (default var/bench/bench-<size>-seed<N>.nq; '-' for stdout).")
@click.pass_context
@_errors
def generate(ctx: click.Context, size: str, seed: int, out: Path | None) -> None:
    """Write the synthetic nationwide dataset as N-Quads (streaming; deterministic per seed)."""
    from lod.bench.generate import generate as gen
    from lod.bench.generate import generate_file, parse_size

    s = _settings(ctx)
    n = parse_size(size)
    if out is not None and str(out) == "-":
        stats = gen(sys.stdout, n, seed=seed, base=s.base_uri)
        click.echo(json.dumps(stats), err=True)
        return
    path = out or s.var / "bench" / f"bench-{size.lower()}-seed{seed}.nq"
    stats = generate_file(path, n, seed=seed, base=s.base_uri)
    click.echo(f"{path}: " + ", ".join(f"{k} {v:,}" for k, v in stats.items()))


@bench.command()
@_size
@_seed
@_data
@_out
@_runs
@_warmup
@click.option("--per-graph-runs", type=int, default=1, show_default=True,
              help="Runs of the one-transaction-per-graph path (0 skips it; slow at 1M).")
@click.pass_context
@_errors
def publish(ctx: click.Context, size: str, seed: int, data: Path | None, out: Path | None, runs: int,
            warmup: int, per_graph_runs: int) -> None:
    """Publish through lod.store (bulk and per graph) beside a raw pyoxigraph bulk_load."""
    from lod.bench import publish as mod

    path = _dataset(ctx, size, seed, data)
    res = mod.run(path, _settings(ctx).var / "bench" / "work", runs=runs, warmup=warmup,
                  per_graph_runs=per_graph_runs)
    _finish(ctx, "publish", res, mod.render, out)


@bench.command()
@_size
@_seed
@_data
@_out
@click.option("--runs", type=int, default=5, show_default=True, help="Timed runs per query.")
@_warmup
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn workers.")
@click.option("--rdflib/--no-rdflib", default=False, help="Also load the file into rdflib (~30 s at 1M).")
@click.pass_context
@_errors
def sparql(ctx: click.Context, size: str, seed: int, data: Path | None, out: Path | None, runs: int, warmup: int,
           workers: int, rdflib: bool) -> None:
    """The canonical queries over HTTP (lod serve) beside in-process pyoxigraph (and rdflib)."""
    from lod.bench import sparql as mod

    s = _settings(ctx)
    path = _dataset(ctx, size, seed, data)
    res = mod.run(path, s.var / "bench" / f"var-{path.stem}", s.path("sparql_dir"), runs=runs, warmup=warmup,
                  workers=workers, rdflib=rdflib)
    _finish(ctx, "sparql", res, mod.render, out)


@bench.command()
@_size
@_seed
@_data
@_out
@_runs
@_warmup
@click.option("--duration", type=float, default=5.0, show_default=True, help="Seconds per run.")
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn workers.")
@click.option("--clients", type=(int, int), default=(2, 4), show_default=True,
              help="Load generator: processes × threads.")
@click.pass_context
@_errors
def pages(ctx: click.Context, size: str, seed: int, data: Path | None, out: Path | None, runs: int, warmup: int,
          duration: float, workers: int, clients: tuple[int, int]) -> None:
    """Resource pages and search per second (p50/p99) vs /healthz; peak RSS per web worker."""
    from lod.bench import pages as mod

    s = _settings(ctx)
    path = _dataset(ctx, size, seed, data)
    res = mod.run(path, s.var / "bench" / f"var-{path.stem}", base_uri=s.base_uri, duration=duration, runs=runs,
                  warmup=warmup, workers=workers, processes=clients[0], threads=clients[1])
    _finish(ctx, "pages", res, mod.render, out)


@bench.command()
@_out
@_runs
@_warmup
@click.option("--size", default="full", show_default=True, help="full (11,000 sources) or tiny (20 sources).")
@click.option("--sources", type=int, default=None, help="Number of sources (overrides --size).")
@click.option("--hosts", type=int, default=None, help="Simulated hosts (default 200; tiny 4).")
@click.option("--delay", type=float, default=None, help="Politeness delay per host, s (default 0.5; tiny 0.05).")
@click.option("--concurrency", type=int, default=None, help="harvest.concurrency (default: one per host).")
@click.option("--publish/--no-publish", default=False, help="Also time validate + publish of the staged sources.")
@click.option("--profile", type=int, default=0, help="Also cProfile a sequential harvest of this many sources.")
@click.pass_context
@_errors
def harvest(ctx: click.Context, out: Path | None, runs: int, warmup: int, size: str, sources: int | None,
            hosts: int | None, delay: float | None, concurrency: int | None, publish: bool, profile: int) -> None:
    """Fetch many sources from many simulated hosts with the politeness rules on."""
    from lod.bench import harvest as mod

    tiny = size.lower() == "tiny"
    res = mod.run(sources=sources or (20 if tiny else 11_000), hosts=hosts or (4 if tiny else 200),
                  delay=delay if delay is not None else (0.05 if tiny else 0.5), runs=runs, warmup=warmup,
                  concurrency=concurrency, publish=publish, profile=profile)
    _finish(ctx, "harvest", res, mod.render, out)
