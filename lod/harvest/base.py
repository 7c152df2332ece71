"""The contract between the pipeline and the harvester kinds.

A *kind* is a module in ``lod.harvest`` exposing ``harvest(source, ctx) -> HarvestResult``. It reads the
documents named by ``source`` (through ``ctx.fetch`` so that politeness, limits and offline mode apply),
maps them to triples, and lists the documents it used. The pipeline wraps the triples into the source's
named graph and adds the PROV-O record of the run; kinds never write to the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pyoxigraph import Triple

from lod.namespaces import Iris

__all__ = ["Source", "DocRef", "Document", "HarvestResult", "HarvestContext", "HarvestKind", "sha256"]


@dataclass(frozen=True)
class Source:
    """One ``sources/<slug>/source.yaml``, validated.

    ``options`` holds the kind-specific part (extraction rules, file names, …); each kind validates it and
    raises ``SourceError`` naming ``yaml_path``, the line and the key.
    """

    slug: str
    kind: str
    title: str
    publisher: str            # label of the publishing body, e.g. "Bezirksamt Mitte von Berlin"
    publisher_key: str        # key of the publisher's thing IRI, e.g. "11000000-01" (municipality) or "bmz"
    licence: str              # licence IRI of the content, e.g. "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    documents: tuple["DocRef", ...]   # what to read: URL + stored snapshot (offline mode and tests)
    directory: Path           # sources/<slug>/
    yaml_path: Path
    options: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # top-level key -> line in yaml_path (for errors)

    @property
    def snapshots(self) -> Path:
        return self.directory / "snapshots"


@dataclass(frozen=True)
class DocRef:
    """One document named in source.yaml: its public URL and its stored snapshot file (if any)."""

    url: str
    snapshot: Path | None = None
    media_type: str | None = None


@dataclass(frozen=True)
class Document:
    """A document a harvest read: its URL, when, its SHA-256, media type and (if kept) the local copy."""

    url: str
    retrieved: datetime
    sha256: str
    media_type: str = "text/html"
    text: str | None = None


@dataclass
class HarvestResult:
    triples: list[Triple]
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)


class Fetch(Protocol):
    def __call__(self, url: str, *, accept: str = ...) -> Document: ...


@dataclass
class HarvestContext:
    """What a kind may use: IRI minting, the fetcher, reference data locations and the harvest start time."""

    iris: Iris
    fetch: Fetch                     # fetch(url) -> Document; offline it reads the snapshot
    sources_dir: Path                # sources/ (reference sources such as municipalities live here too)
    started: datetime
    offline: bool = True
    max_pages: int = 200             # bound for kinds that follow links (listing)


class HarvestKind(Protocol):
    def __call__(self, source: Source, ctx: HarvestContext) -> HarvestResult: ...


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()

