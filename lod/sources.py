"""Find and validate ``sources/<slug>/source.yaml`` files (convention over configuration).

A source file looks like::

    title: "Kommunale Entwicklungspolitik – Bezirksamt Mitte von Berlin"
    kind: html                       # a module in lod.harvest (see lod.harvest.KINDS)
    publisher: {name: "Bezirksamt Mitte von Berlin", key: "11000000-01"}
    licence: http://dcat-ap.de/def/licenses/other-closed
    attribution: "© Bezirksamt Mitte von Berlin"       # optional
    documents:
      - url: https://www.berlin.de/ba-mitte/…
        snapshot: snapshots/kep.html
    options: {…}                     # kind-specific, validated by the kind

Errors name the file, the line and the key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from lod.errors import SourceError
from lod.harvest.base import DocRef, Source

__all__ = ["load_source", "discover_sources", "SLUG_RE"]

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_REQUIRED = {"title": str, "kind": str, "publisher": dict, "licence": str, "documents": list}
_OPTIONAL = {"options": dict, "attribution": str, "description": str, "homepage": str, "enabled": bool}


def _lines(node: yaml.Node) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def load_source(yaml_path: Path) -> Source:
    """Load and validate one source file.

    :raises SourceError: unreadable file, invalid YAML, missing/unknown key or wrong type (file, line, key).
    """
    where = str(yaml_path)
    try:
        text = yaml_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read source file: {exc}", path=where) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=where,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise SourceError("expected a mapping with title, kind, publisher, licence, documents", path=where, line=1)
    lines = _lines(node) if node is not None else {}
    for key in data:
        if key not in _REQUIRED and key not in _OPTIONAL:
            raise SourceError(f"unknown key '{key}'; expected one of {', '.join(sorted({**_REQUIRED, **_OPTIONAL}))}",
                              path=where, line=lines.get(str(key)), key=str(key))
    for key, typ in _REQUIRED.items():
        if key not in data:
            raise SourceError(f"missing required key '{key}'", path=where, line=1, key=key)
    for key, typ in {**_REQUIRED, **_OPTIONAL}.items():
        if key in data and not isinstance(data[key], typ):
            raise SourceError(f"'{key}' must be a {typ.__name__}, got {type(data[key]).__name__}",
                              path=where, line=lines.get(key), key=key)
    publisher: dict[str, Any] = data["publisher"]
    for key in ("name", "key"):
        if not isinstance(publisher.get(key), str) or not publisher[key].strip():
            raise SourceError(f"'publisher.{key}' must be a non-empty string", path=where,
                              line=lines.get("publisher"), key=f"publisher.{key}")
    if not re.match(r"^https?://\S+$", data["licence"]):
        raise SourceError("'licence' must be the licence's IRI (e.g. http://dcat-ap.de/def/licenses/dl-by-de/2.0)",
                          path=where, line=lines.get("licence"), key="licence")
    docs: list[DocRef] = []
    for i, entry in enumerate(data["documents"]):
        key = f"documents[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise SourceError(f"'{key}' must be a mapping with 'url' (and usually 'snapshot')",
                              path=where, line=lines.get("documents"), key=key)
        unknown = set(entry) - {"url", "snapshot", "media_type"}
        if unknown:
            raise SourceError(f"'{key}' has unknown key(s) {', '.join(sorted(unknown))}",
                              path=where, line=lines.get("documents"), key=key)
        if not re.match(r"^https?://\S+$", entry["url"]):
            raise SourceError(f"'{key}.url' must be an http(s) URL, got {entry['url']!r}",
                              path=where, line=lines.get("documents"), key=f"{key}.url")
        snapshot = None
        if entry.get("snapshot") is not None:
            snapshot = (yaml_path.parent / str(entry["snapshot"])).resolve()
            if not snapshot.is_relative_to(yaml_path.parent.resolve()):
                raise SourceError(f"'{key}.snapshot' must stay inside the source folder",
                                  path=where, line=lines.get("documents"), key=f"{key}.snapshot")
            if not snapshot.is_file():
                raise SourceError(f"'{key}.snapshot' names a file that does not exist: {entry['snapshot']}",
                                  path=where, line=lines.get("documents"), key=f"{key}.snapshot")
        docs.append(DocRef(entry["url"], snapshot, entry.get("media_type")))
    slug = yaml_path.parent.name
    if not SLUG_RE.match(slug):
        raise SourceError(f"folder name '{slug}' is not a valid source slug (lower-case letters, digits, '-')",
                          path=where)
    from lod.harvest import KINDS  # local import: the registry imports nothing heavy

    if data["kind"] not in KINDS:
        raise SourceError(f"unknown kind '{data['kind']}'; expected one of {', '.join(sorted(KINDS))}",
                          path=where, line=lines.get("kind"), key="kind")
    return Source(
        slug=slug, kind=data["kind"], title=data["title"], publisher=publisher["name"],
        publisher_key=publisher["key"], licence=data["licence"], documents=tuple(docs),
        directory=yaml_path.parent.resolve(), yaml_path=yaml_path.resolve(),
        options={**data.get("options", {}), **{k: data[k] for k in ("attribution", "description", "homepage", "enabled")
                                                 if k in data}},
        lines=lines,
    )


def discover_sources(sources_dir: Path, only: list[str] | None = None) -> list[Source]:
    """All enabled sources under ``sources_dir`` (sorted by slug), or just the ones named.

    :raises SourceError: a named source does not exist, or any source file is invalid.
    """
    if not sources_dir.is_dir():
        raise SourceError("sources folder does not exist", path=str(sources_dir))
    paths = sorted(sources_dir.glob("*/source.yaml"))
    known = {p.parent.name: p for p in paths}
    if only:
        missing = [s for s in only if s not in known]
        if missing:
            raise SourceError(f"no such source: {', '.join(missing)}; known: {', '.join(sorted(known))}",
                              path=str(sources_dir))
        paths = [known[s] for s in only]
    sources = [load_source(p) for p in paths]
    if not only:
        sources = [s for s in sources if s.options.get("enabled", True)]
    return sources
