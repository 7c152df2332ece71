"""The changelog: one entry per publish per changed source, appended to ``var/changelog.jsonl`` by the publisher.

An entry says in words what changed (the sentences :func:`lod.changes.describe_changes` computed at harvest),
and links the source's documents and the snapshot. Rendered as HTML (``/changes``), Atom (``/changes.atom``)
and RDF (``/changes.ttl``: each entry a ``prov:Activity`` that ``prov:used`` the documents and
``prov:generated`` the snapshot, with the sentences as ``rdfs:comment``).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from lod.namespaces import DCT, PROV, RDF, RDFS, XSD
from lod.settings import Settings

__all__ = ["changelog_path", "append", "entries", "atom", "rdf"]


def changelog_path(settings: Settings) -> Path:
    return settings.var / "changelog.jsonl"


def append(settings: Settings, snapshot_id: str, outcomes: list[Any]) -> list[dict[str, Any]]:
    """Append one entry per published source of this publish (``outcome.status == "published"``).

    :returns: the entries written. :raises OSError: the file cannot be written.
    """
    at = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    written = []
    for o in outcomes:
        if getattr(o, "status", None) != "published":
            continue
        state_file = settings.var / "state" / f"{o.slug}.json"
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = {}
        written.append({
            "id": f"{snapshot_id}/{o.slug}", "at": at, "snapshot": snapshot_id, "source": o.slug,
            "triples": o.triples, "changes": list(o.changes) or ["Republished without content changes."],
            "documents": [d.get("url") for d in state.get("documents") or [] if d.get("url")],
        })
    if written:
        path = changelog_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            for e in written:
                handle.write(json.dumps(e, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    return written


def entries(settings: Settings, limit: int | None = None) -> list[dict[str, Any]]:
    """Entries, newest first (a torn last line from a crash is skipped)."""
    path = changelog_path(settings)
    out = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
    except OSError:
        return []
    out.reverse()
    return out[:limit] if limit else out


def entry_iri(base: str, e: dict[str, Any]) -> str:
    return f"{base}changes#{e['snapshot']}-{e['source']}"


def atom(settings: Settings, limit: int = 200) -> bytes:
    """The changelog as an Atom 1.0 feed (RFC 4287)."""
    base = settings.base_uri
    items = entries(settings, limit)
    updated = items[0]["at"] if items else "1970-01-01T00:00:00Z"
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(settings.title)} – Änderungen</title>", f"<id>{escape(base)}changes</id>",
           f'<link rel="self" href="{escape(base)}changes.atom"/>', f'<link href="{escape(base)}changes"/>',
           f"<updated>{updated}</updated>", f"<author><name>{escape(settings.catalog.publisher_name)}</name></author>"]
    for e in items:
        out += ["<entry>", f"<id>{escape(entry_iri(base, e))}</id>",
                f"<title>{escape(e['source'])}: {escape(e['changes'][0])}</title>",
                f"<updated>{e['at']}</updated>",
                f'<link rel="alternate" href="{escape(entry_iri(base, e))}"/>',
                f'<link rel="related" title="data of the source" href="{escape(base)}dumps/{escape(e["source"])}.nq.gz"/>']
        out += [f'<link rel="via" href="{escape(d)}"/>' for d in e["documents"]]
        out.append('<content type="text">' + escape(" ".join(e["changes"])
                                                    + f" (Snapshot {e['snapshot']})") + "</content>")
        out.append("</entry>")
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def rdf_triples(settings: Settings) -> list[Triple]:
    base = settings.base_uri
    t: list[Triple] = []
    for e in entries(settings):
        act = NamedNode(entry_iri(base, e))
        snap = NamedNode(f"{base}changes#{e['snapshot']}")
        t += [Triple(act, RDF["type"], PROV["Activity"]),
              Triple(act, RDFS["label"], Literal(f"Publish of {e['source']} in snapshot {e['snapshot']}", language="en")),
              Triple(act, PROV["endedAtTime"], Literal(e["at"], datatype=XSD["dateTime"])),
              Triple(act, PROV["generated"], snap), Triple(snap, RDF["type"], PROV["Entity"]),
              Triple(snap, DCT["identifier"], Literal(e["snapshot"])),
              Triple(act, PROV["used"], NamedNode(f"{base}graph/{e['source']}")),
              Triple(act, DCT["subject"], NamedNode(f"{base}catalog#dataset-{e['source']}"))]
        t += [Triple(act, RDFS["comment"], Literal(c, language="en")) for c in e["changes"]]
        t += [Triple(act, PROV["used"], NamedNode(d)) for d in e["documents"]]
    return t


def rdf(settings: Settings, fmt: RdfFormat = RdfFormat.TURTLE) -> bytes:
    """The changelog as RDF (PROV-O)."""
    prefixes = {"prov": str(PROV), "dct": str(DCT), "rdfs": str(RDFS), "xsd": str(XSD)}
    if fmt in (RdfFormat.TURTLE, RdfFormat.RDF_XML):
        return serialize(rdf_triples(settings), format=fmt, prefixes=prefixes) or b""
    return serialize(rdf_triples(settings), format=fmt) or b""
