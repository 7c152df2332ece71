"""Harvester kind ``places``: curated foreign partner places, city districts and countries.

Reads two CSV snapshots named in ``source.yaml`` (told apart by their header): ``places.csv`` and
``countries.csv`` (see ``sources/places/snapshots/SOURCES.md`` for columns and origin). Emits

* ``foreign-municipality`` → ``{base}id/foreign-municipality/{QID|cc-slug}`` a ``kep:ForeignMunicipality``;
* ``foreign-district`` → the same, also ``kep:District`` with ``kep:districtOf`` its city (e.g. Lideta);
* ``german-district`` → ``{base}id/municipality/{AGS}-{nn}`` a ``kep:District`` with ``kep:districtOf``
  Berlin and ``kep:districtNumber`` (Mitte ``11000000-01``, Treptow-Köpenick ``11000000-09``);
* ``german-municipality`` → only ``skos:exactMatch`` Wikidata on the register's municipality;
* countries → the EU authority IRI as ``kep:Country`` with de/en labels, ISO alpha-2 and Wikidata link.

Labels, ``skos:exactMatch`` Wikidata, ``kep:country``, WGS84 point and GeoSPARQL geometry where known.
"""

from __future__ import annotations

import csv
import io
import re

from pyoxigraph import Literal, NamedNode, Triple

from lod.errors import HarvestError
from lod.harvest.base import HarvestContext, HarvestResult, Source
from lod.harvest.register import check_options, read_local
from lod.namespaces import EU_COUNTRY, GEO, KEP, ORG, RDF, RDFS, SCHEMA, SKOS, WD, WGS, XSD

__all__ = ["harvest", "PLACE_COLUMNS", "COUNTRY_COLUMNS"]

PLACE_COLUMNS = ("kind", "key", "qid", "name_de", "name_en", "alt_names", "country", "parent", "district_number",
                 "lat", "lon")
COUNTRY_COLUMNS = ("alpha3", "alpha2", "qid", "name_de", "name_en", "alt_names")
_KINDS = {"foreign-municipality", "foreign-district", "german-district", "german-municipality"}
_QID = re.compile(r"^Q[1-9][0-9]*$")
_KEY = re.compile(r"^(Q[1-9][0-9]*|[a-z]{2}-[a-z0-9-]+|[0-9]{8}(-[0-9]{2})?)$")


def _fail(source: Source, file: object, line: int, msg: str) -> HarvestError:
    return HarvestError(f"{source.slug}: {file}:{line}: {msg}")


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Map the curated places and countries to triples.

    :raises SourceError: options given (this kind has none) or a document without snapshot.
    :raises HarvestError: unreadable file, unknown header, or a bad row (unknown kind, malformed key/QID,
        unknown country code, bad coordinates) — the message names file and line.
    """
    check_options(source, {})
    out: list[Triple] = []
    documents = []
    a, label, alt = RDF["type"], RDFS["label"], SKOS["altLabel"]
    for doc in source.documents:
        document, text = read_local(source, doc, ctx)
        documents.append(document)
        reader = csv.DictReader(io.StringIO(text))
        header = tuple(reader.fieldnames or ())
        if header == COUNTRY_COLUMNS:
            for line, row in enumerate(reader, start=2):
                code = row["alpha3"].strip()
                if not re.fullmatch(r"[A-Z]{3}", code) or not _QID.match(row["qid"].strip()):
                    raise _fail(source, doc.snapshot, line, f"bad alpha-3 code or QID: {code!r}, {row['qid']!r}")
                c = EU_COUNTRY[code]
                out += [Triple(c, a, KEP["Country"]), Triple(c, a, SCHEMA["Country"]),
                        Triple(c, label, Literal(row["name_de"].strip(), language="de")),
                        Triple(c, label, Literal(row["name_en"].strip(), language="en")),
                        Triple(c, KEP["isoAlpha2"], Literal(row["alpha2"].strip())),
                        Triple(c, SKOS["exactMatch"], WD[row["qid"].strip()])]
                out += [Triple(c, alt, Literal(n.strip(), language="de"))
                        for n in row["alt_names"].split("|") if n.strip()]
        elif header == PLACE_COLUMNS:
            for line, row in enumerate(reader, start=2):
                out += _place(source, ctx, doc.snapshot, line, row)
        else:
            raise HarvestError(f"{source.slug}: {doc.snapshot}: unknown header {', '.join(header)}; expected "
                               f"{', '.join(PLACE_COLUMNS)} or {', '.join(COUNTRY_COLUMNS)}")
    return HarvestResult(triples=out, documents=documents)


def _place(source: Source, ctx: HarvestContext, file: object, line: int, row: dict[str, str]) -> list[Triple]:
    a, label, alt = RDF["type"], RDFS["label"], SKOS["altLabel"]
    kind, key, qid = row["kind"].strip(), row["key"].strip(), row["qid"].strip()
    if kind not in _KINDS:
        raise _fail(source, file, line, f"unknown kind {kind!r}; expected one of {', '.join(sorted(_KINDS))}")
    if not _KEY.match(key) or (qid and not _QID.match(qid)):
        raise _fail(source, file, line, f"malformed key {key!r} or QID {qid!r}")
    country = row["country"].strip()
    if not re.fullmatch(r"[A-Z]{3}", country):
        raise _fail(source, file, line, f"country must be an ISO alpha-3 code, got {country!r}")
    iri_kind = "municipality" if kind.startswith("german") else "foreign-municipality"
    node = ctx.iris.thing(iri_kind, key)
    out: list[Triple] = []
    if qid:
        out.append(Triple(node, SKOS["exactMatch"], WD[qid]))
    if kind == "german-municipality":
        return out          # everything else comes from the register
    classes = [KEP["LocalAuthority"], SCHEMA["AdministrativeArea"], ORG["FormalOrganization"], GEO["Feature"]]
    classes.append(KEP["ForeignMunicipality"] if kind.startswith("foreign") else KEP["District"])
    if kind.endswith("district"):
        classes.append(KEP["District"])
    out += [Triple(node, a, c) for c in dict.fromkeys(classes)]
    out.append(Triple(node, label, Literal(row["name_de"].strip(), language="de")))
    if row["name_en"].strip():
        out.append(Triple(node, label, Literal(row["name_en"].strip(), language="en")))
    out += [Triple(node, alt, Literal(n.strip())) for n in row["alt_names"].split("|") if n.strip()]
    out.append(Triple(node, KEP["country"], EU_COUNTRY[country]))
    if row["parent"].strip():
        pkind, _, pkey = row["parent"].strip().partition("/")
        if pkind not in ("municipality", "foreign-municipality") or not _KEY.match(pkey):
            raise _fail(source, file, line, f"parent must be 'municipality/{{key}}' or "
                                            f"'foreign-municipality/{{key}}', got {row['parent']!r}")
        out.append(Triple(node, KEP["districtOf"], ctx.iris.thing(pkind, pkey)))
    if row["district_number"].strip():
        out.append(Triple(node, KEP["districtNumber"], Literal(row["district_number"].strip())))
    lat, lon = row["lat"].strip(), row["lon"].strip()
    if lat or lon:
        try:
            if not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):
                raise ValueError
        except ValueError:
            raise _fail(source, file, line, f"bad coordinates lat={lat!r} lon={lon!r}") from None
        geom = NamedNode(node.value + "#geometry")
        out += [Triple(node, WGS["lat"], Literal(lat, datatype=XSD["decimal"])),
                Triple(node, WGS["long"], Literal(lon, datatype=XSD["decimal"])),
                Triple(node, GEO["hasGeometry"], geom), Triple(geom, a, GEO["Geometry"]),
                Triple(geom, GEO["asWKT"], Literal(f"POINT({lon} {lat})", datatype=GEO["wktLiteral"]))]
    return out
