"""Dumps of a published snapshot: the whole dataset and one per source, gzipped N-Quads, Turtle and JSON-LD.

Written by the publisher (never by the web process) into ``var/dumps/<snapshot-id>/``, streamed from the
read-only snapshot to disk (nothing is held in memory as a whole). Representation:

* **N-Quads** (``.nq.gz``): every quad with its named graph — the lossless dump.
* **Turtle** (``.ttl.gz``): the triples only; **named graphs are lost** (the union is written; a triple stated
  in two graphs appears once after parsing).
* **JSON-LD** (``.jsonld.gz``): one top-level node object per named graph, ``{"@id": <graph>, "@graph": [...]}``
  (JSON-LD 1.1 named graphs), with the context of :data:`CONTEXT` inlined so the file is self-contained; the
  same context is published as ``/dumps/context.jsonld``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from functools import lru_cache
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, serialize

from lod.namespaces import PREFIXES

__all__ = ["DumpFile", "CONTEXT", "context_document", "write_dumps", "file_info", "FORMATS"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))

# format key -> (file suffix, media type, EU file-type code, label)
FORMATS: dict[str, tuple[str, str, str, str]] = {
    "nquads": (".nq.gz", "application/n-quads", "RDF_N_QUADS", "N-Quads (gzip)"),
    "turtle": (".ttl.gz", "text/turtle", "RDF_TURTLE", "Turtle (gzip; named graphs are not kept)"),
    "jsonld": (".jsonld.gz", "application/ld+json", "JSON_LD", "JSON-LD (gzip; one @graph per named graph)"),
}


@dataclass(frozen=True)
class DumpFile:
    """One file listed on /dumps/ and in the catalog."""

    name: str           # file name, e.g. "kep.nq.gz", "aachen.ttl.gz", "partnerships.csv"
    scope: str          # "all" or a source slug; "csv" for exports
    format: str         # key of FORMATS or "csv"
    media_type: str
    size: int
    sha256: str
    modified: str       # ISO 8601 UTC
    licence: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def context_document() -> bytes:
    """The published ``@context`` (prefixes only; values keep explicit ``@value``/``@language``/``@type``)."""
    return json.dumps({"@context": CONTEXT}, indent=2, ensure_ascii=False).encode("utf-8")


def file_info(path: Path, *, scope: str, fmt: str, media_type: str, licence: str) -> DumpFile:
    """Size, SHA-256 and modification time of a written file. :raises OSError: unreadable."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    st = path.stat()
    modified = datetime.fromtimestamp(st.st_mtime, timezone.utc).replace(microsecond=0).isoformat()
    return DumpFile(path.name, scope, fmt, media_type, st.st_size, digest.hexdigest(), modified, licence)


@lru_cache(maxsize=1 << 16)
def _compact(iri: str) -> str:
    """A prefixed name for ``iri`` when the context has its namespace (cached: IRIs repeat a lot in a dump)."""
    for prefix, ns in CONTEXT.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if all(c.isalnum() or c in "-_." for c in local) and not local[0].isdigit() and ":" not in local:
                return f"{prefix}:{local}"
    return iri


def _id(term: Any) -> str:
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return _compact(term.value)


def _value(term: Any) -> dict[str, str]:
    if isinstance(term, Literal):
        out = {"@value": term.value}
        if term.language:
            out["@language"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["@type"] = _compact(term.datatype.value)
        return out
    return {"@id": _id(term)}


def _node_objects(quads: Iterable[Quad]) -> Iterator[dict[str, Any]]:
    """Group consecutive quads by subject into JSON-LD node objects (a subject may recur; JSON-LD merges)."""
    current: Any = None
    node: dict[str, Any] = {}
    for q in quads:
        if q.subject != current:
            if node:
                yield node
            current, node = q.subject, {"@id": _id(q.subject)}
        if q.predicate.value == RDF_TYPE and not isinstance(q.object, Literal):
            node.setdefault("@type", []).append(_id(q.object))
        else:
            node.setdefault(_compact(q.predicate.value), []).append(_value(q.object))
    if node:
        yield node


def _write_jsonld(out: IO[str], store: Store, graphs: list[NamedNode]) -> None:
    out.write('{"@context": ' + json.dumps(CONTEXT, ensure_ascii=False) + ',\n "@graph": [')
    first_graph = True
    for g in graphs:
        out.write(("" if first_graph else ",") + "\n  {\"@id\": " + json.dumps(_id(g)) + ", \"@graph\": [")
        first_graph = False
        first = True
        for node in _node_objects(store.quads_for_pattern(None, None, None, g)):
            out.write(("" if first else ",") + "\n   " + json.dumps(node, ensure_ascii=False))
            first = False
        out.write("\n  ]}")
    out.write("\n]}\n")


def _write(path: Path, fmt: str, store: Store, graphs: list[NamedNode]) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    # mtime 0 in the gzip header: the same content gives the same bytes (and the same SHA-256)
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="", compresslevel=6) as gz:
        if fmt == "nquads":
            for g in graphs:
                serialize(store.quads_for_pattern(None, None, None, g), gz, format=RdfFormat.N_QUADS)
        elif fmt == "turtle":
            triples = (q.triple for g in graphs for q in store.quads_for_pattern(None, None, None, g))
            serialize(triples, gz, format=RdfFormat.TURTLE, prefixes=CONTEXT)
        else:
            import io

            text = io.TextIOWrapper(gz, encoding="utf-8")
            _write_jsonld(text, store, graphs)
            text.flush()
            text.detach()
    tmp.replace(path)


def write_dumps(store: Store, out_dir: Path, *, base_uri: str, sources: dict[str, str],
                licence: str, reuse: Path | None = None, unchanged: frozenset[str] = frozenset()) -> list[DumpFile]:
    """Write the whole-dataset dumps (``kep.*``) and one set per source graph into ``out_dir``.

    :param sources: source slug → licence IRI (graphs ``{base}graph/{slug}``); the ontology graph and any
        other named graph are part of the whole-dataset dumps only.
    :param reuse: the previous snapshot's folder; the dumps of the sources in ``unchanged`` are hard-linked
        from it instead of written again (a nationwide register is most of the data and rarely changes).
    :returns: the files written, with size, SHA-256 and licence.
    :raises OSError: the folder cannot be written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    all_graphs = sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)), key=lambda g: g.value)
    files: list[DumpFile] = []
    jobs: list[tuple[str, str, list[NamedNode]]] = [("all", licence, all_graphs)]
    for slug, lic in sorted(sources.items()):
        g = NamedNode(f"{base_uri}graph/{slug}")
        if g in all_graphs:
            jobs.append((slug, lic, [g]))
    for scope, lic, graphs in jobs:
        stem = "kep" if scope == "all" else scope
        for fmt, (suffix, mime, _, _) in FORMATS.items():
            path = out_dir / (stem + suffix)
            old = reuse / (stem + suffix) if reuse is not None and scope in unchanged else None
            if old is not None and old.is_file():
                os.link(old, path)
            else:
                _write(path, fmt, store, graphs)
            files.append(file_info(path, scope=scope, fmt=fmt, media_type=mime, licence=lic))
    (out_dir / "context.jsonld").write_bytes(context_document())
    return files
