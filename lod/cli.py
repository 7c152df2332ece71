"""The ``lod`` command: one subcommand per pipeline stage, each a thin shell over ``lod.pipeline``.

Exit codes: 0 success, 1 the work failed (a source failed to harvest, validation failed, store locked),
2 the input is wrong (settings, source file, arguments, query syntax).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from lod import __version__
from lod.errors import EXIT_FAILURE, EXIT_USAGE, LodError
from lod.settings import Settings, load_settings, settings_table_markdown

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    """Turn typed errors into a one-line message and the right exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LodError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kep-lod")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="LOD_SETTINGS", help="Settings YAML file (default: built-in defaults; env LOD_SETTINGS).")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False), help="Logging level.")
@click.pass_context
def cli(ctx: click.Context, settings_file: Path | None, log_level: str) -> None:
    """kep-lod: harvest municipal development-policy pages into RDF and publish them as Linked Open Data.

    \b
    Pipeline:  lod harvest → lod validate → lod publish → lod serve
    All at once: lod build && lod serve
    """
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"settings_file": settings_file}


def _settings(ctx: click.Context) -> Settings:
    try:
        return load_settings(ctx.obj["settings_file"])
    except LodError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)


def _print_outcomes(outcomes: list[Any]) -> None:
    for o in outcomes:
        line = f"{o.slug:24} {o.status:10}"
        if o.triples:
            line += f" {o.triples} triples"
        if o.error:
            line += f"  {o.error}"
        click.echo(line)
        for change in o.changes:
            click.echo(f"    {change}")
        for detail in o.details[:20]:
            click.echo(f"    - {detail}")


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--online/--offline", default=None,
              help="Fetch from the network, or read the stored snapshots (default: setting harvest.offline).")
@click.pass_context
@_handle_errors
def harvest(ctx: click.Context, sources: tuple[str, ...], online: bool | None) -> None:
    """Fetch sources and map them to RDF (staged, not yet published); prints what changed.

    \b
    Example:  lod harvest aachen bremen
    """
    from lod import pipeline

    outcomes = pipeline.harvest(_settings(ctx), list(sources) or None,
                                offline=None if online is None else not online)
    _print_outcomes(outcomes)
    if any(not o.ok for o in outcomes):
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.argument("sources", nargs=-1)
@click.pass_context
@_handle_errors
def validate(ctx: click.Context, sources: tuple[str, ...]) -> None:
    """Check staged graphs against the SHACL shapes and sanity checks.

    \b
    Example:  lod validate aachen
    """
    from lod import pipeline

    outcomes = pipeline.validate(_settings(ctx), list(sources) or None)
    _print_outcomes(outcomes)
    if any(not o.ok for o in outcomes):
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.argument("sources", nargs=-1)
@click.pass_context
@_handle_errors
def publish(ctx: click.Context, sources: tuple[str, ...]) -> None:
    """Replace each validated source's named graph atomically and switch the served snapshot.

    \b
    Example:  lod publish            (everything staged and valid)
    """
    from lod import pipeline

    outcomes, sid = pipeline.publish(_settings(ctx), list(sources) or None)
    _print_outcomes(outcomes)
    click.echo(f"snapshot: {sid}" if sid else "nothing changed; snapshot unchanged")
    if any(not o.ok for o in outcomes):
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--online/--offline", default=None, help="Fetch from the network or read snapshots.")
@click.pass_context
@_handle_errors
def build(ctx: click.Context, sources: tuple[str, ...], online: bool | None) -> None:
    """Harvest, validate and publish in one go; failed sources keep their last good graph.

    \b
    Example:  lod build
    """
    from lod import pipeline

    outcomes, sid = pipeline.build(_settings(ctx), list(sources) or None,
                                   offline=None if online is None else not online)
    _print_outcomes(outcomes)
    click.echo(f"snapshot: {sid}" if sid else "nothing changed; snapshot unchanged")
    if any(not o.ok for o in outcomes):
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.option("--host", default=None, help="Listen address (default: setting server.host).")
@click.option("--port", type=int, default=None, help="Port (default: setting server.port).")
@click.option("--workers", type=int, default=None, help="Web worker processes (default: server.workers).")
@click.pass_context
@_handle_errors
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the published snapshot with the production WSGI server (gunicorn).

    \b
    Example:  lod serve --port 8080
    """
    from lod.server import serve as run_server

    s = _settings(ctx)
    changes = {k: v for k, v in (("server__host", host), ("server__port", port), ("server__workers", workers))
               if v is not None}
    run_server(s.replace(**changes) if changes else s)


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"),
              help="Read the query from a file ('-' for standard input).")
@click.option("-n", "--named", help="Run a named query from sparql/<NAME>.rq.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "nquads", "jsonld"]),
              help="Result format.")
@click.pass_context
@_handle_errors
def query(ctx: click.Context, query: str | None, query_file: Any, named: str | None, fmt: str) -> None:
    """Run a SPARQL query against the published snapshot.

    \b
    Examples:
      lod query 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
      lod query --named class-counts --format csv
    """
    from lod.cli_query import run_query

    s = _settings(ctx)
    if named:
        from lod.queries import load_query

        text = load_query(s.path("sparql_dir"), named).text
    elif query_file is not None:
        text = query_file.read()
    elif query:
        text = query
    else:
        raise click.UsageError("give a QUERY, --file or --named")
    click.echo(run_query(s, text, fmt), nl=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@_handle_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Show what is published: snapshot, and per source last success, triples and last error.

    \b
    Example:  lod status --json
    """
    from lod import pipeline

    data = pipeline.status(_settings(ctx))
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"current snapshot: {data['current_snapshot'] or '(nothing published)'}")
    click.echo(f"snapshots kept:   {', '.join(data['snapshots']) or '-'}")
    click.echo(f"{'source':24} {'last success':26} {'triples':>8}  last error")
    for r in data["sources"]:
        click.echo(f"{r['source']:24} {r['last_success'] or '-':26} {r['triples'] or 0:>8}  {r['last_error'] or ''}")


@cli.command()
@click.option("--to", "to", help="Snapshot id to return to (default: the one before the current).")
@click.pass_context
@_handle_errors
def rollback(ctx: click.Context, to: str | None) -> None:
    """Serve the previous snapshot again and restore the store from it.

    \b
    Example:  lod rollback
    """
    from lod import pipeline

    sid = pipeline.rollback(_settings(ctx), to)
    click.echo(f"now serving snapshot {sid}")


@cli.command("settings")
@click.option("--show", is_flag=True, help="Print the effective values instead of the documentation table.")
@click.pass_context
@_handle_errors
def settings_cmd(ctx: click.Context, show: bool) -> None:
    """Document every setting (Markdown table), or show the effective values.

    \b
    Example:  lod settings --show
    """
    if show:
        s = _settings(ctx)
        for k, v in s.values.items():
            click.echo(f"{k} = {v!r}")
    else:
        click.echo(settings_table_markdown())


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(EXIT_USAGE + 128)

from lod.bench.cli import bench  # noqa: E402

cli.add_command(bench)
