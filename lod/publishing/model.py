"""What one publication of a snapshot consists of: settings, sources, their state, files and statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from lod.harvest.base import Source
from lod.publishing.dumps import DumpFile
from lod.publishing.stats import Stats
from lod.settings import Settings

__all__ = ["Publication"]


@dataclass
class Publication:
    settings: Settings
    snapshot_id: str
    modified: str                                    # ISO 8601 UTC dateTime of the snapshot
    sources: list[Source]
    states: dict[str, dict[str, Any]] = field(default_factory=dict)   # slug -> var/state/<slug>.json
    files: list[DumpFile] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)

    @property
    def base(self) -> str:
        return str(self.settings.base_uri)

    def dataset_iri(self, slug: str | None = None) -> NamedNode:
        """The whole dataset (``slug`` None) or one source's dataset, as hash IRIs of ``/catalog``."""
        return NamedNode(f"{self.base}catalog#dataset" + (f"-{slug}" if slug else ""))

    def download_url(self, f: DumpFile) -> str:
        return f"{self.base}{'exports' if f.format == 'csv' else 'dumps'}/{f.name}"
