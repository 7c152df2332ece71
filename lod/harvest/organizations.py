"""Harvester kind ``organizations``: curated federal bodies, agencies, their units and networks.

Reads one CSV snapshot (``sources/organizations/snapshots/organizations.csv``, see ``SOURCES.md`` there) with
columns :data:`COLUMNS`. Each row becomes ``{base}id/organization/{key}`` typed with its ``kep:`` class (a
subclass of ``kep:Actor``), with de/en ``rdfs:label``, ``skos:altLabel``, ``org:unitOf`` its parent (a key of
the same file), ``foaf:homepage`` and ``dct:source`` (the page stating these facts). Page harvests only refer
to these IRIs; organisational facts the pages do not state live here, with their origin recorded.
"""

from __future__ import annotations

import csv
import io
import re

from pyoxigraph import Literal, NamedNode, Triple

from lod.errors import HarvestError
from lod.harvest.base import HarvestContext, HarvestResult, Source
from lod.harvest.register import check_options, read_local
from lod.namespaces import DCT, FOAF, KEP, ORG, RDF, RDFS, SKOS

__all__ = ["harvest", "COLUMNS", "CLASSES"]

COLUMNS = ("key", "class", "name_de", "name_en", "alt_names", "unit_of", "homepage", "origin")
CLASSES = frozenset({"FederalBody", "Agency", "ServiceUnit", "Network", "CivilSocietyOrganization"})
_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Map the curated organisations to triples.

    :raises SourceError: options given (this kind has none) or a document without snapshot.
    :raises HarvestError: unreadable file, wrong header or a bad row (malformed key, unknown class, missing
        name, parent not in the file, homepage/origin not an http(s) URL) — the message names file and line.
    """
    check_options(source, {})
    out: list[Triple] = []
    documents = []
    for doc in source.documents:
        document, text = read_local(source, doc, ctx)
        documents.append(document)
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise HarvestError(f"{source.slug}: {doc.snapshot}: header must be {', '.join(COLUMNS)}")
        rows = list(enumerate(reader, start=2))
        keys = {row["key"].strip() for _, row in rows}
        for line, row in rows:
            def fail(msg: str) -> HarvestError:
                return HarvestError(f"{source.slug}: {doc.snapshot}:{line}: {msg}")
            key, cls = row["key"].strip(), row["class"].strip()
            if not _KEY.match(key):
                raise fail(f"malformed key {key!r} (lower-case slug)")
            if cls not in CLASSES:
                raise fail(f"unknown class {cls!r}; expected one of {', '.join(sorted(CLASSES))}")
            if not row["name_de"].strip():
                raise fail("name_de is empty")
            node = ctx.iris.thing("organization", key)
            out += [Triple(node, RDF["type"], KEP[cls]),
                    Triple(node, RDFS["label"], Literal(row["name_de"].strip(), language="de"))]
            if row["name_en"].strip():
                out.append(Triple(node, RDFS["label"], Literal(row["name_en"].strip(), language="en")))
            out += [Triple(node, SKOS["altLabel"], Literal(n.strip(), language="de"))
                    for n in row["alt_names"].split("|") if n.strip()]
            parent = row["unit_of"].strip()
            if parent:
                if parent not in keys or parent == key:
                    raise fail(f"unit_of {parent!r} is not another organisation of this file")
                out.append(Triple(node, ORG["unitOf"], ctx.iris.thing("organization", parent)))
            for column, predicate in (("homepage", FOAF["homepage"]), ("origin", DCT["source"])):
                value = row[column].strip()
                if value:
                    if not _URL.match(value):
                        raise fail(f"{column} must be an http(s) URL, got {value!r}")
                    out.append(Triple(node, predicate, NamedNode(value)))
    return HarvestResult(triples=out, documents=documents)
