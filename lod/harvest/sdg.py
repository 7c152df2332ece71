"""Harvester kind ``sdg``: the UN SDG concept scheme on the official URIs, with German and English labels.

Reads ``sdg_goals_targets_indicators_de_en.csv`` (UN SDG KOS joined with Open SDG translations) and emits,
on ``http://metadata.un.org/sdg/…`` (never minted copies): ``skos:Concept`` + ``sdgo:Goal|Target|Indicator``,
``skos:inScheme``/``skos:topConceptOf`` ``<http://metadata.un.org/sdg>``, ``skos:broader`` (target → goal,
indicator → target), ``skos:notation`` (compact code typed ``sdgo:SDGCodeCompact``; indicators also the
permanent code ``sdgo:SDGCodePerm``), ``skos:prefLabel`` de/en (full title) and, for goals, ``skos:altLabel``
de/en (short title, e.g. "Maßnahmen zum Klimaschutz"). An indicator listed under several targets keeps one
URI; extra titles become ``skos:altLabel`` so that each language has one ``prefLabel``.
"""

from __future__ import annotations

import csv
import io

from pyoxigraph import Literal, NamedNode, Triple

from lod.errors import HarvestError, SourceError
from lod.harvest.base import HarvestContext, HarvestResult, Source
from lod.harvest.register import check_options, read_local
from lod.namespaces import RDF, SDGO, SKOS

__all__ = ["harvest", "SCHEME"]

SCHEME = NamedNode("http://metadata.un.org/sdg")
_TITLE = {"de": ("title_de_opensdg",), "en": ("title_en_un", "title_en_opensdg")}
_SHORT = {"de": "short_de", "en": "short_en"}
_CLASS = {"goal": SDGO["Goal"], "target": SDGO["Target"], "indicator": SDGO["Indicator"]}
_COLUMNS = ("level", "code", "uri", "perm_code", "parent_uri", "title_de_opensdg", "title_en_un", "short_de")


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Map the SDG table to SKOS triples.

    :raises SourceError: bad options (``languages`` must be a subset of de, en) or no snapshot.
    :raises HarvestError: unreadable file, missing columns, a URI outside metadata.un.org/sdg, or an
        incomplete table (not 17 goals and 169 targets).
    """
    opts = check_options(source, {"languages": list})
    languages = [str(x) for x in opts.get("languages", ["de", "en"])]
    bad = [x for x in languages if x not in _TITLE]
    if bad:
        raise SourceError(f"option 'languages' may only contain {', '.join(_TITLE)}; got {', '.join(bad)}",
                          path=str(source.yaml_path), line=source.lines.get("options"), key="options.languages")
    document, text = read_local(source, source.documents[0], ctx)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise HarvestError(f"{source.slug}: {source.documents[0].snapshot}: missing column(s) {', '.join(missing)}")

    a, pref, alt, notation = RDF["type"], SKOS["prefLabel"], SKOS["altLabel"], SKOS["notation"]
    out: list[Triple] = [
        Triple(SCHEME, a, SKOS["ConceptScheme"]),
        Triple(SCHEME, pref, Literal("Ziele für nachhaltige Entwicklung (Agenda 2030)", language="de")),
        Triple(SCHEME, pref, Literal("Sustainable Development Goals Taxonomy", language="en")),
    ]
    seen_pref: set[tuple[str, str]] = set()
    counts = {"goal": 0, "target": 0, "indicator": 0}
    typed: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        level, uri = row["level"].strip(), row["uri"].strip()
        if level not in _CLASS or not uri.startswith("http://metadata.un.org/sdg/"):
            raise HarvestError(f"{source.slug}: {source.documents[0].snapshot}:{line_no}: "
                               f"unexpected level {level!r} or URI {uri!r}")
        c = NamedNode(uri)
        if uri not in typed:
            typed.add(uri)
            counts[level] += 1
            out += [Triple(c, a, SKOS["Concept"]), Triple(c, a, _CLASS[level]), Triple(c, SKOS["inScheme"], SCHEME)]
            if level == "goal":
                out += [Triple(c, SKOS["topConceptOf"], SCHEME), Triple(SCHEME, SKOS["hasTopConcept"], c)]
        out.append(Triple(c, notation, Literal(row["code"].strip(), datatype=SDGO["SDGCodeCompact"])))
        if row["perm_code"].strip():
            out.append(Triple(c, notation, Literal(row["perm_code"].strip(), datatype=SDGO["SDGCodePerm"])))
        if row["parent_uri"].strip():
            out.append(Triple(c, SKOS["broader"], NamedNode(row["parent_uri"].strip())))
        for lang in languages:
            title = next((row[col].strip() for col in _TITLE[lang] if row.get(col, "").strip()), "")
            if title:
                first = (uri, lang) not in seen_pref
                seen_pref.add((uri, lang))
                out.append(Triple(c, pref if first else alt, Literal(title, language=lang)))
            short = row.get(_SHORT[lang], "").strip()
            if level == "goal" and short:
                out.append(Triple(c, alt, Literal(short, language=lang)))
    if counts["goal"] != 17 or counts["target"] != 169:
        raise HarvestError(f"{source.slug}: expected 17 goals and 169 targets, found {counts['goal']} and "
                           f"{counts['target']}; is {source.documents[0].snapshot} complete?")
    return HarvestResult(triples=list(dict.fromkeys(out)), documents=[document])
