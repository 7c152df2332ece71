"""The pipeline as library functions: harvest → validate → publish, plus status and rollback.

Files under ``var_dir``::

    staging/<slug>.nt, staging/<slug>.json   a harvested graph waiting to be validated and published
    state/<slug>.json                         per source: last attempt, last success, triple count, last error
    state/<slug>.published.nt                 content triples last published (to detect "unchanged")

The CLI commands are thin shells over :func:`harvest`, :func:`validate`, :func:`publish`, :func:`status`
and :func:`rollback`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize

from lod import __version__, publishing
from lod.changes import describe_changes
from lod.errors import HarvestError, LodError, PublishError
from lod.harvest import get_kind
from lod.harvest.base import Document, HarvestContext, Source
from lod.namespaces import DCT, KEP, PROV, RDF, RDFS, XSD, Iris
from lod.settings import Settings
from lod.sources import discover_sources
from lod.store import Primary, Snapshots, publish_lock

__all__ = ["SourceOutcome", "harvest", "validate", "publish", "status", "rollback", "build"]

logger = logging.getLogger(__name__)
ONTOLOGY_GRAPH = "graph/ontology"


@dataclass
class SourceOutcome:
    """What happened to one source in one pipeline step."""

    slug: str
    status: str                     # harvested | unchanged | failed | valid | invalid | published | skipped
    triples: int = 0
    changes: list[str] = field(default_factory=list)
    error: str | None = None
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status not in ("failed", "invalid")


# --------------------------------------------------------------------------- files

def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8"))


def _ntriples(triples: list[Triple]) -> bytes:
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def _read_triples(path: Path) -> list[Triple]:
    if not path.is_file():
        return []
    return [q.triple for q in parse(path=str(path), format=RdfFormat.N_TRIPLES)]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _dt(value: datetime) -> Literal:
    return Literal(value.isoformat().replace("+00:00", "Z"), datatype=XSD["dateTime"])


class Paths:
    def __init__(self, settings: Settings) -> None:
        var = settings.var
        self.staging = var / "staging"
        self.state = var / "state"
        self.store = var / "store"
        self.snapshots = Snapshots(var / "snapshots")
        self.cache = var / "cache"

    def staged(self, slug: str) -> tuple[Path, Path]:
        return self.staging / f"{slug}.nt", self.staging / f"{slug}.json"

    def state_file(self, slug: str) -> Path:
        return self.state / f"{slug}.json"

    def published_content(self, slug: str) -> Path:
        return self.state / f"{slug}.published.nt"


def _update_state(paths: Paths, slug: str, **changes: Any) -> None:
    path = paths.state_file(slug)
    data = _read_json(path)
    data.update(changes)
    _write_json(path, data)


# --------------------------------------------------------------------------- harvest

def _provenance(source: Source, iris: Iris, documents: list[Document], started: datetime,
                ended: datetime, subjects: set[str]) -> list[Triple]:
    graph = iris.graph(source.slug)
    run = iris.thing("harvest", f"{source.slug}/{started.strftime('%Y%m%dT%H%M%SZ')}")
    agent = iris.thing("software", f"kep-lod-{__version__}")
    out = [
        Triple(graph, RDF["type"], PROV["Entity"]),
        Triple(graph, DCT["title"], Literal(source.title, language="de")),
        Triple(graph, DCT["license"], NamedNode(source.licence)),
        Triple(graph, DCT["publisher"], Literal(source.publisher)),
        Triple(graph, PROV["wasGeneratedBy"], run),
        Triple(graph, DCT["modified"], _dt(ended)),
        Triple(run, RDF["type"], PROV["Activity"]),
        Triple(run, RDFS["label"], Literal(f"Harvest of {source.slug} at {started.isoformat()}", language="en")),
        Triple(run, PROV["startedAtTime"], _dt(started)),
        Triple(run, PROV["endedAtTime"], _dt(ended)),
        Triple(run, PROV["wasAssociatedWith"], agent),
        Triple(agent, RDF["type"], PROV["SoftwareAgent"]),
        Triple(agent, RDFS["label"], Literal(f"kep-lod {__version__}")),
    ]
    if attribution := source.options.get("attribution"):
        out.append(Triple(graph, KEP["attribution"], Literal(str(attribution))))
    for doc in documents:
        d = NamedNode(doc.url)
        out += [
            Triple(graph, DCT["source"], d),
            Triple(run, PROV["used"], d),
            Triple(d, RDF["type"], PROV["Entity"]),
            Triple(d, KEP["retrievedAt"], _dt(doc.retrieved)),
            Triple(d, KEP["sha256"], Literal(doc.sha256)),
            Triple(d, DCT["format"], Literal(doc.media_type)),
        ]
    # Every thing this source describes is traceable to the documents it was read from.
    if len(documents) == 1 or not source.options.get("derived_per_entity", False):
        for s in sorted(subjects):
            for doc in documents:
                out.append(Triple(NamedNode(s), PROV["wasDerivedFrom"], NamedNode(doc.url)))
    return out


def _make_fetcher(settings: Settings, paths: Paths, sources: list[Source], offline: bool) -> Any:
    """One fetcher for a whole run, so that politeness per host holds across sources."""
    from lod.harvest.fetch import Fetcher, FetchPolicy, default_user_agent

    h = settings.harvest
    policy = FetchPolicy(
        connect_timeout=h.connect_timeout, read_timeout=h.read_timeout, deadline=h.deadline,
        max_bytes=h.max_bytes, delay=h.delay, jitter=h.jitter, retries=h.retries,
        allow_private=h.allow_private, cache_dir=paths.cache / "http",
        user_agent=default_user_agent(settings.base_uri + "about"),
    )
    snapshots = {d.url: d.snapshot for source in sources for d in source.documents if d.snapshot is not None}
    return Fetcher(policy, offline=offline, snapshots=snapshots)


def harvest_one(source: Source, settings: Settings, *, offline: bool | None = None,
                fetcher: Any = None) -> SourceOutcome:
    """Harvest one source into ``var/staging``; never touches what is published.

    ``fetcher`` is shared by the sources of one run (:func:`harvest`); by default one is made for this source.

    :returns: outcome with status ``harvested``, ``unchanged`` or ``failed`` (with the error message).
    """
    paths = Paths(settings)
    iris = Iris(settings.base_uri)
    offline = settings.harvest.offline if offline is None else offline
    started = _now()
    _update_state(paths, source.slug, last_attempt=started.isoformat())
    try:
        kind = get_kind(source.kind)
        fetcher = fetcher or _make_fetcher(settings, paths, [source], offline)
        ctx = HarvestContext(iris=iris, fetch=fetcher.fetch, sources_dir=settings.path("sources_dir"),
                             started=started, offline=offline, max_pages=settings.harvest.max_pages)
        result = kind(source, ctx)
        if not result.triples:
            raise HarvestError(f"{source.slug}: the harvest produced no statements "
                               f"(expected content in {', '.join(d.url for d in source.documents)})")
    except LodError as exc:
        _update_state(paths, source.slug, last_error=exc.message, last_error_at=started.isoformat())
        return SourceOutcome(source.slug, "failed", error=exc.message)
    except (OSError, ValueError, SyntaxError, KeyError) as exc:
        message = f"{source.slug}: {type(exc).__name__}: {exc}"
        logger.exception("harvest of %s failed", source.slug)
        _update_state(paths, source.slug, last_error=message, last_error_at=started.isoformat())
        return SourceOutcome(source.slug, "failed", error=message)

    content = sorted(set(result.triples), key=str)
    old = _read_triples(paths.published_content(source.slug))
    nt_path, meta_path = paths.staged(source.slug)
    if old and set(old) == set(content):
        nt_path.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
        _update_state(paths, source.slug, last_checked=started.isoformat(), last_error=None)
        return SourceOutcome(source.slug, "unchanged", triples=len(content))
    ended = _now()
    subjects = {t.subject.value for t in content
                if isinstance(t.subject, NamedNode) and t.subject.value.startswith(iris.base + "id/")}
    prov = _provenance(source, iris, result.documents, started, ended, subjects)
    changes = describe_changes(old, content, source=source.slug)
    _write_atomic(nt_path.with_suffix(".content.nt"), _ntriples(content))
    _write_atomic(nt_path, _ntriples(content + prov))
    _write_json(meta_path, {
        "slug": source.slug, "started": started.isoformat(), "ended": ended.isoformat(),
        "triples": len(content) + len(prov), "content_triples": len(content),
        "documents": [{"url": d.url, "retrieved": d.retrieved.isoformat(), "sha256": d.sha256,
                       "media_type": d.media_type} for d in result.documents],
        "warnings": result.warnings, "changes": changes, "validation": None,
    })
    _update_state(paths, source.slug, last_harvest=ended.isoformat(), last_error=None)
    return SourceOutcome(source.slug, "harvested", triples=len(content) + len(prov), changes=changes,
                         details=result.warnings)


def harvest(settings: Settings, slugs: list[str] | None = None, *, offline: bool | None = None) -> list[SourceOutcome]:
    """Harvest the named sources (default: all enabled ones), ``harvest.concurrency`` at a time.

    All sources share one fetcher, so requests to one host stay one at a time with the politeness delay
    between them, whichever source they belong to; different hosts are fetched in parallel.
    :raises SourceError: a source file is invalid or a named source does not exist (nothing is harvested).
    """
    from concurrent.futures import ThreadPoolExecutor

    sources = discover_sources(settings.path("sources_dir"), slugs)
    offline = settings.harvest.offline if offline is None else offline
    with _make_fetcher(settings, Paths(settings), sources, offline) as fetcher:
        if settings.harvest.concurrency == 1 or len(sources) < 2:
            return [harvest_one(s, settings, offline=offline, fetcher=fetcher) for s in sources]
        with ThreadPoolExecutor(max_workers=settings.harvest.concurrency, thread_name_prefix="harvest") as pool:
            return list(pool.map(lambda s: harvest_one(s, settings, offline=offline, fetcher=fetcher), sources))


# --------------------------------------------------------------------------- validate

REFERENCE_KINDS = ("places", "organizations", "register")   # sources whose graphs describe what pages name


@lru_cache(maxsize=4)
def _reference_slugs(sources_dir: str) -> tuple[str, ...]:
    """Slugs of the reference sources under ``sources_dir`` (read from each source.yaml's ``kind:`` line)."""
    out = []
    for path in sorted(Path(sources_dir).glob("*/source.yaml")):
        try:
            m = re.search(r"(?m)^kind:\s*([A-Za-z_-]+)", path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if m and m.group(1) in REFERENCE_KINDS:
            out.append(path.parent.name)
    return tuple(out)


_reference_cache: dict[str, tuple[tuple[int, int], dict[str, list[Triple]]]] = {}


def _triples_by_subject(path: Path) -> dict[str, list[Triple]]:
    """The triples of an N-Triples file grouped by subject IRI, parsed once per file version."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _reference_cache.get(str(path))
    if cached is None or cached[0] != version:
        index: dict[str, list[Triple]] = {}
        for t in _read_triples(path):
            index.setdefault(t.subject.value, []).append(t)
        _reference_cache[str(path)] = cached = (version, index)
    return cached[1]


def _background(slug: str, triples: list[Triple], settings: Settings, paths: Paths) -> list[Triple]:
    """What the reference sources state about the IRIs ``triples`` mention: their staged content if they are
    being published in this run, else their published content. Empty for a reference source itself."""
    refs = _reference_slugs(str(settings.path("sources_dir")))
    if slug in refs:
        return []
    mentioned = {term.value for t in triples for term in (t.subject, t.object) if isinstance(term, NamedNode)}
    out: list[Triple] = []
    for ref in refs:
        nt_path = paths.staged(ref)[0]
        candidates = [nt_path.with_suffix(".content.nt"), nt_path, paths.published_content(ref)]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            continue
        index = _triples_by_subject(path)
        for iri in mentioned:
            out += index.get(iri, ())
    return out


def validate_one(slug: str, settings: Settings) -> SourceOutcome:
    """Validate a staged graph (SHACL shapes + sanity checks) and record the verdict.

    What the reference sources (places, organisations, the register) publish about the things the graph
    mentions is background: it may satisfy a shape (a partner city's country), and only results about the
    graph's own subjects count.
    """
    from lod.validate import validate_graph

    paths = Paths(settings)
    nt_path, meta_path = paths.staged(slug)
    meta = _read_json(meta_path)
    if not nt_path.is_file() or not meta:
        return SourceOutcome(slug, "skipped", details=["nothing staged (unchanged or not harvested)"])
    problems: list[str] = []
    triples = _read_triples(nt_path.with_suffix(".content.nt")) or _read_triples(nt_path)
    report = validate_graph(triples, source=slug, ontology_dir=settings.path("ontology_dir"),
                            background=_background(slug, triples, settings, paths))
    problems += [str(v) for v in report.violations]
    state = _read_json(paths.state_file(slug))
    before = int(state.get("triples") or 0)
    shrink = settings.publish.max_shrink
    if shrink and before and meta["triples"] < before * (1 - shrink):
        problems.append(f"triple count would drop from {before} to {meta['triples']} "
                        f"(more than {shrink:.0%}); the page may have changed shape")
    meta["validation"] = {"conforms": not problems, "problems": problems,
                          "warnings": [str(w) for w in report.warnings], "at": _now().isoformat()}
    _write_json(meta_path, meta)
    if problems:
        _update_state(paths, slug, last_error=f"validation failed: {problems[0]}", last_error_at=_now().isoformat())
        return SourceOutcome(slug, "invalid", triples=meta["triples"], error=f"{len(problems)} problem(s)",
                             details=problems)
    return SourceOutcome(slug, "valid", triples=meta["triples"], details=meta["validation"]["warnings"])


def _staged_slugs(paths: Paths) -> list[str]:
    if not paths.staging.is_dir():
        return []
    return sorted(p.stem for p in paths.staging.glob("*.json"))


PARALLEL_VALIDATION_MIN = 50   # below this, starting worker processes costs more than it saves


def validate(settings: Settings, slugs: list[str] | None = None) -> list[SourceOutcome]:
    """Validate staged graphs (default: everything staged).

    Many sources (a nationwide batch) are validated in one worker process per core; each source still gets
    its own report, and the verdicts are recorded exactly as when validating one by one.
    """
    paths = Paths(settings)
    todo = slugs or _staged_slugs(paths)
    workers = min(os.cpu_count() or 1, len(todo) // PARALLEL_VALIDATION_MIN)
    if workers < 2:
        return [validate_one(slug, settings) for slug in todo]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(validate_one, todo, [settings] * len(todo), chunksize=16))


# --------------------------------------------------------------------------- publish

def _ontology_triples(settings: Settings) -> list[Triple]:
    out: list[Triple] = []
    folder = settings.path("ontology_dir")
    for path in sorted(folder.glob("*.ttl")) + sorted(folder.glob("schemes/*.ttl")):
        if path.name == "shapes.ttl":
            continue
        out += [q.triple for q in parse(path=str(path), format=RdfFormat.TURTLE)]
    return out


def _publish_bulk(primary: Primary, paths: Paths, iris: Iris,
                  ready: list[tuple[str, Path, dict[str, Any]]]) -> dict[str, int]:
    """Publish many staged graphs with one bulk load (``Primary.replace_graphs_bulk``).

    Readers only ever see snapshots, which are cut after this returns, so the run is atomic for them; a
    publisher killed mid-load is undone by ``recover_bulk`` on the next run.
    :returns: triples per source (as staged). :raises PublishError: the load failed (and was undone).
    """
    combined = paths.staging / "_bulk.nq"
    graphs = []
    with open(combined, "wb") as out:
        for slug, nt_path, _ in ready:
            graph = iris.graph(slug).value
            graphs.append(graph)
            suffix = f" <{graph}> .\n".encode()
            with open(nt_path, "rb") as src:
                for line in src:
                    line = line.rstrip()
                    if line.endswith(b" ."):
                        out.write(line[:-2] + suffix)
    try:
        primary.replace_graphs_bulk(combined, graphs)
    finally:
        combined.unlink(missing_ok=True)
    return {slug: int(meta["triples"]) for slug, _, meta in ready}


def publish(settings: Settings, slugs: list[str] | None = None) -> tuple[list[SourceOutcome], str | None]:
    """Publish validated staged graphs atomically, one named graph each, then cut and switch a snapshot.

    A staged graph that has not been validated yet is validated first; an invalid one is not published and
    the source keeps its last good graph.
    :returns: the outcomes and the id of the new current snapshot (None if nothing changed).
    :raises StoreLocked: another publisher is running.
    """
    paths = Paths(settings)
    iris = Iris(settings.base_uri)
    outcomes: list[SourceOutcome] = []
    with publish_lock(settings.var, settings.publish.lock_timeout):
        paths.snapshots.cleanup(settings.publish.keep_snapshots)
        primary = Primary(paths.store)
        try:
            primary.recover_bulk()
            primary.recover()
            changed = False
            onto = _ontology_triples(settings)
            onto_file = paths.staging / "_ontology.nt"
            onto_bytes = _ntriples(sorted(onto, key=str))
            published_onto = paths.state / "_ontology.published.nt"
            if not published_onto.is_file() or published_onto.read_bytes() != onto_bytes:
                _write_atomic(onto_file, onto_bytes)
                primary.replace_graph(iris.base + ONTOLOGY_GRAPH, onto_file)
                _write_atomic(published_onto, onto_bytes)
                onto_file.unlink()
                changed = True
            ready: list[tuple[str, Path, dict[str, Any]]] = []
            for slug in slugs or _staged_slugs(paths):
                nt_path, meta_path = paths.staged(slug)
                meta = _read_json(meta_path)
                if not meta or not nt_path.is_file():
                    outcomes.append(SourceOutcome(slug, "skipped", details=["nothing staged"]))
                    continue
                if meta.get("validation") is None:
                    verdict = validate_one(slug, settings)
                    meta = _read_json(meta_path)
                    if verdict.status == "invalid":
                        outcomes.append(verdict)
                        continue
                elif not meta["validation"]["conforms"]:
                    outcomes.append(SourceOutcome(slug, "invalid", error="failed validation; not published",
                                                  details=meta["validation"]["problems"]))
                    continue
                ready.append((slug, nt_path, meta))
            if len(ready) >= settings.publish.bulk_sources:
                counts = _publish_bulk(primary, paths, iris, ready)
            else:
                counts = {slug: primary.replace_graph(iris.graph(slug).value, nt) for slug, nt, _ in ready}
            for slug, nt_path, meta in ready:
                content = nt_path.with_suffix(".content.nt")
                _write_atomic(paths.published_content(slug), content.read_bytes())
                _update_state(paths, slug, last_success=meta["ended"], triples=counts[slug], last_error=None,
                              documents=meta["documents"], changes=meta["changes"])
                content.unlink(missing_ok=True)
                nt_path.unlink()
                paths.staged(slug)[1].unlink()
                outcomes.append(SourceOutcome(slug, "published", triples=counts[slug], changes=meta["changes"]))
                changed = True
            sid = None
            if changed or paths.snapshots.current_id() is None:
                index_failed: list[SourceOutcome] = []

                def add_search_index(folder: Path) -> None:
                    from lod.search import INDEX_FILE, build_search_index

                    try:
                        build_search_index(primary.store, folder / INDEX_FILE)
                    except (OSError, ValueError, sqlite3.Error) as exc:  # the web then builds it in memory
                        logger.exception("search index not written")
                        index_failed.append(SourceOutcome("search-index", "failed", error=str(exc)))

                sid = paths.snapshots.cut(primary, prepare=add_search_index)
                outcomes += index_failed
                paths.snapshots.cleanup(settings.publish.keep_snapshots)
                outcomes += publishing.after_publish(settings, sid, paths.snapshots.root / sid, outcomes)
        finally:
            primary.close()
    return outcomes, sid


def build(settings: Settings, slugs: list[str] | None = None, *,
          offline: bool | None = None) -> tuple[list[SourceOutcome], str | None]:
    """Harvest, validate and publish in one go; failed sources keep their last good graph."""
    outcomes = harvest(settings, slugs, offline=offline)
    failed = [o for o in outcomes if not o.ok]
    staged = [o.slug for o in outcomes if o.status == "harvested"]
    validated = validate(settings, staged) if staged else []
    published, sid = publish(settings, [o.slug for o in validated if o.status == "valid"])
    return failed + [o for o in validated if not o.ok] + published + \
        [o for o in outcomes if o.status == "unchanged"], sid


# --------------------------------------------------------------------------- status / rollback

def status(settings: Settings) -> dict[str, Any]:
    """What is published: current snapshot, snapshots kept, and per source the state record."""
    paths = Paths(settings)
    try:
        sources = {s.slug: s for s in discover_sources(settings.path("sources_dir"))}
    except LodError:
        sources = {}
    known = set(sources) | {p.stem for p in paths.state.glob("*.json")} if paths.state.is_dir() else set(sources)
    rows = []
    for slug in sorted(known):
        st = _read_json(paths.state_file(slug))
        rows.append({
            "source": slug, "kind": sources[slug].kind if slug in sources else None,
            "last_success": st.get("last_success"), "triples": st.get("triples"),
            "last_attempt": st.get("last_attempt"), "last_error": st.get("last_error"),
            "staged": paths.staged(slug)[1].is_file(),
        })
    return {"current_snapshot": paths.snapshots.current_id(),
            "snapshots": [s.id for s in paths.snapshots.list()], "sources": rows}


def rollback(settings: Settings, to: str | None = None) -> str:
    """Serve the previous snapshot again (or ``to``) and restore the primary store from it.

    The published-content records are cleared, so the next harvest re-stages every source.
    :returns: the snapshot id now served.
    :raises PublishError: there is no earlier snapshot.
    """
    paths = Paths(settings)
    with publish_lock(settings.var, settings.publish.lock_timeout):
        target = to or paths.snapshots.previous()
        if target is None:
            raise PublishError("no earlier snapshot to roll back to (see 'lod status')")
        from lod.store import open_read_only

        snap = open_read_only(paths.snapshots.root / target)
        tmp = paths.store.with_name("store.rollback")
        shutil.rmtree(tmp, ignore_errors=True)
        snap.backup(str(tmp))
        del snap
        old = paths.store.with_name("store.old")
        shutil.rmtree(old, ignore_errors=True)
        if paths.store.exists():
            os.rename(paths.store, old)
        os.rename(tmp, paths.store)
        shutil.rmtree(old, ignore_errors=True)
        paths.snapshots.switch(target)
        for f in paths.state.glob("*.published.nt"):
            f.unlink()
        return target


__all__ += ["harvest_one", "validate_one"]
