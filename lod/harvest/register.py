"""Harvester kind ``register``: the Destatis municipality register (GV-ISys) → ``kep:Municipality``.

One row of ``gemeinden_ags.csv`` becomes ``{base}id/municipality/{AGS}`` with name, AGS/ARS, type, state,
county, country, area, population, WGS84 point and GeoSPARQL geometry, and the DCAT-AP.de political
geocoding key. States (``id/state/{nn}``, city states also ``kep:CityState``) and counties
(``id/county/{nnnnn}``) are minted once each. Licence, attribution and origin URL are recorded on the named
graph by the pipeline; this kind adds the reference dates (options ``territory_date``, ``population_date``).

Also home of two helpers the other reference kinds share: :func:`read_local` and :func:`check_options`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from lod.errors import HarvestError, SourceError
from lod.harvest.base import DocRef, Document, HarvestContext, HarvestResult, Source, sha256
from lod.namespaces import EU_COUNTRY, GEO, KEP, KEP_DEF, RDF, RDFS, SCHEMA, SKOS, WGS, XSD, ORG

__all__ = ["harvest", "read_local", "check_options", "GEOCODING", "CITY_STATES"]

GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
CITY_STATES = {"02": "Freie und Hansestadt Hamburg", "04": "Freie Hansestadt Bremen", "11": "Land Berlin"}
_COMMON_OPTIONS = {"attribution", "description", "homepage", "enabled"}
_COLUMNS = ("ags", "ars", "name", "type_code", "land_code", "land", "kreis_key", "kreis", "area_km2",
            "population", "lon", "lat")


def check_options(source: Source, allowed: dict[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """Return the kind-specific options after checking names and types.

    :raises SourceError: unknown option or wrong type (names ``source.yaml``, the ``options`` line and the key).
    """
    opts = {k: v for k, v in source.options.items() if k not in _COMMON_OPTIONS}
    for key, value in opts.items():
        if key not in allowed:
            raise SourceError(f"unknown option '{key}' for kind '{source.kind}'; expected one of "
                              f"{', '.join(sorted(allowed)) or '(none)'}", path=str(source.yaml_path),
                              line=source.lines.get("options"), key=f"options.{key}")
        if not isinstance(value, allowed[key]):
            raise SourceError(f"option '{key}' has the wrong type ({type(value).__name__})",
                              path=str(source.yaml_path), line=source.lines.get("options"), key=f"options.{key}")
    return opts


def read_local(source: Source, doc: DocRef, ctx: HarvestContext, media_type: str = "text/csv") -> tuple[Document, str]:
    """Read a reference document from its snapshot file (no network) and describe it as a ``Document``.

    :raises SourceError: the document has no snapshot. :raises HarvestError: the file cannot be read as UTF-8.
    """
    if doc.snapshot is None:
        raise SourceError(f"document {doc.url} needs a 'snapshot' (reference data is read from the repository)",
                          path=str(source.yaml_path), line=source.lines.get("documents"), key="documents")
    path = doc.snapshot if Path(doc.snapshot).is_absolute() else source.directory / doc.snapshot
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HarvestError(f"{source.slug}: cannot read {path}: {exc}") from None
    return Document(url=doc.url, retrieved=ctx.started, sha256=sha256(data),
                    media_type=doc.media_type or media_type), text


def _date_literal(source: Source, key: str, value: Any) -> Literal:
    if isinstance(value, _dt.date):
        return Literal(value.isoformat(), datatype=XSD["date"])
    try:
        return Literal(_dt.date.fromisoformat(str(value)).isoformat(), datatype=XSD["date"])
    except ValueError:
        raise SourceError(f"option '{key}' must be a date like 2019-12-31, got {value!r}",
                          path=str(source.yaml_path), line=source.lines.get("options"), key=f"options.{key}") from None


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Map the register CSV to triples.

    :raises SourceError: bad options or no snapshot. :raises HarvestError: unreadable file, missing columns
        or a malformed row (the message names the file and line).
    """
    opts = check_options(source, {"territory_date": (str, _dt.date), "population_date": (str, _dt.date)})
    if len(source.documents) != 1:
        raise SourceError("kind 'register' reads exactly one document (the register CSV)",
                          path=str(source.yaml_path), line=source.lines.get("documents"), key="documents")
    document, text = read_local(source, source.documents[0], ctx)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise HarvestError(f"{source.slug}: {source.documents[0].snapshot}: missing column(s) {', '.join(missing)}")

    a, label, alt = RDF["type"], RDFS["label"], SKOS["altLabel"]
    c_muni, c_la, c_area, c_feature, c_formal = KEP["Municipality"], KEP["LocalAuthority"], \
        SCHEMA["AdministrativeArea"], GEO["Feature"], ORG["FormalOrganization"]
    p = {k: KEP[k] for k in ("ags", "ars", "municipalityType", "state", "county", "country", "population", "area",
                             "politicalGeocoding")}
    lat_p, long_p, has_geom, as_wkt, c_geom = WGS["lat"], WGS["long"], GEO["hasGeometry"], GEO["asWKT"], \
        GEO["Geometry"]
    dec, wkt = XSD["decimal"], GEO["wktLiteral"]
    deu = EU_COUNTRY["DEU"]
    mtype = {code: KEP_DEF[f"municipality-type/{code}"] for code in ("60", "61", "62", "63", "64", "65", "66", "67")}
    states: dict[str, str] = {}
    counties: dict[str, tuple[str, str]] = {}
    out: list[Triple] = []
    add = out.append
    for line_no, row in enumerate(reader, start=2):
        try:
            ags = row["ags"].strip()
            if len(ags) != 8 or not ags.isdigit():
                raise ValueError(f"AGS must have 8 digits, got {ags!r}")
            m = ctx.iris.thing("municipality", ags)
            name = row["name"].strip()
            short = name.split(",")[0].strip()
            land, kreis = row["land_code"].strip(), row["kreis_key"].strip()
            states.setdefault(land, row["land"].strip())
            counties.setdefault(kreis, (row["kreis"].strip(), land))
            for cls in (c_muni, c_la, c_area, c_formal, c_feature):
                add(Triple(m, a, cls))
            add(Triple(m, label, Literal(short, language="de")))
            if short != name:
                add(Triple(m, alt, Literal(name, language="de")))
            add(Triple(m, p["ags"], Literal(ags)))
            if row["ars"].strip():
                add(Triple(m, p["ars"], Literal(row["ars"].strip())))
            if row["type_code"].strip() in mtype:
                add(Triple(m, p["municipalityType"], mtype[row["type_code"].strip()]))
            add(Triple(m, p["state"], ctx.iris.thing("state", land)))
            add(Triple(m, p["county"], ctx.iris.thing("county", kreis)))
            add(Triple(m, p["country"], deu))
            add(Triple(m, p["politicalGeocoding"], NamedNode(f"{GEOCODING}municipalityKey/{ags}")))
            if row["population"].strip():
                add(Triple(m, p["population"], Literal(int(row["population"]))))
            if row["area_km2"].strip():
                add(Triple(m, p["area"], Literal(str(float(row["area_km2"])), datatype=dec)))
            lat, lon = row["lat"].strip(), row["lon"].strip()
            if lat and lon:
                float(lat), float(lon)  # noqa: B018 — validates the numbers
                g = NamedNode(m.value + "#geometry")
                add(Triple(m, lat_p, Literal(lat, datatype=dec)))
                add(Triple(m, long_p, Literal(lon, datatype=dec)))
                add(Triple(m, has_geom, g))
                add(Triple(g, a, c_geom))
                add(Triple(g, as_wkt, Literal(f"POINT({lon} {lat})", datatype=wkt)))
        except (ValueError, KeyError, AttributeError) as exc:
            raise HarvestError(f"{source.slug}: {source.documents[0].snapshot}:{line_no}: {exc}") from None

    for code, name in sorted(states.items()):
        s = ctx.iris.thing("state", code)
        add(Triple(s, a, KEP["State"]))
        add(Triple(s, a, SCHEMA["State"]))
        if code in CITY_STATES:
            add(Triple(s, a, KEP["CityState"]))
            add(Triple(s, alt, Literal(CITY_STATES[code], language="de")))
        add(Triple(s, label, Literal(name, language="de")))
        add(Triple(s, KEP["country"], deu))
        add(Triple(s, p["politicalGeocoding"], NamedNode(f"{GEOCODING}stateKey/{code}")))
    for code, (name, land) in sorted(counties.items()):
        k = ctx.iris.thing("county", code)
        add(Triple(k, a, KEP["County"]))
        add(Triple(k, label, Literal(name, language="de")))
        add(Triple(k, p["state"], ctx.iris.thing("state", land)))
        add(Triple(k, p["country"], deu))
        add(Triple(k, p["politicalGeocoding"], NamedNode(f"{GEOCODING}districtKey/{code}")))

    graph = ctx.iris.graph(source.slug)
    if "territory_date" in opts:
        add(Triple(graph, KEP["referenceDate"], _date_literal(source, "territory_date", opts["territory_date"])))
    if "population_date" in opts:
        add(Triple(graph, KEP["populationReferenceDate"],
                   _date_literal(source, "population_date", opts["population_date"])))
    return HarvestResult(triples=out, documents=[document])
