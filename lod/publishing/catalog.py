"""The DCAT-AP.de 3.0 catalog (served at ``/catalog``): the catalog, one dataset for everything and one per
source, a distribution per dump/CSV file, and the SPARQL endpoint as ``dcat:DataService``.

Political geocoding the DCAT-AP.de 3.0 way: ``dcatde:politicalGeocodingURI`` is deprecated in 3.0
(``dcat-ap-de-deprecated.ttl``), so the municipality key IRI
(``http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{AGS}``) goes into ``dct:spatial`` and the level into
``dcatde:politicalGeocodingLevelURI``. Publisher and contact point of the catalog come from the ``catalog.*``
settings; the contact point is an office (``vcard:Organization``), never a person.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lod.namespaces import DCAT, DCATDE, DCT, FOAF, RDF, XSD, Iris
from lod.publishing.dumps import FORMATS
from lod.publishing.model import Publication

__all__ = ["catalog_triples", "validate_catalog", "CatalogReport", "DCATAP", "VCARD", "SPDX", "SHAPE_FILES"]

DCATAP = "http://data.europa.eu/r5r/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
EU = "http://publications.europa.eu/resource/authority/"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
IANA = "https://www.iana.org/assignments/media-types/"
THEMES = ("GOVE", "SOCI", "INTR")
KEYWORDS = ("Kommunale Entwicklungspolitik", "Entwicklungszusammenarbeit", "Städtepartnerschaften",
            "Agenda 2030", "Nachhaltigkeitsziele", "Linked Open Data")
# The shape files of the offline validation recipe (docs/vocabularies.md §3.2), in tests/data/dcat/
SHAPE_FILES = ("semic-dcat-ap-3.0.0/dcat-ap-SHACL.ttl", "dcat-ap-de-3.0/shacl/dcat-ap-SHACL-DE.ttl",
               "dcat-ap-de-3.0/shacl/dcat-ap-spec-german-additions.ttl",
               "dcat-ap-de-3.0/shacl/dcat-ap-de-deprecated.ttl")


def N(ns: str, local: str) -> NamedNode:
    return NamedNode(ns + local)


def _available(node: NamedNode) -> Triple:
    return Triple(node, N(DCATAP, "availability"), N(EU, "planned-availability/AVAILABLE"))


def _agent(node: NamedNode, name: str) -> list[Triple]:
    out = [Triple(node, RDF["type"], FOAF["Agent"])]
    if name.strip():
        out.append(Triple(node, FOAF["name"], Literal(name.strip())))
    return out


def _geocoding(key: str) -> tuple[NamedNode, NamedNode]:
    """(spatial IRI, level IRI) for a publisher key: an AGS (Berlin districts: Berlin's AGS) or federal."""
    m = re.fullmatch(r"(\d{8})(-\d{2})?", key)
    if m:
        return N(GEOCODING, f"municipalityKey/{m.group(1)}"), N(GEOCODING, "Level/municipality")
    return N(EU, "country/DEU"), N(GEOCODING, "Level/federal")


def _publisher_node(pub: Publication, key: str) -> NamedNode:
    iris = Iris(pub.base)
    if re.fullmatch(r"\d{8}(-\d{2})?", key):
        return iris.thing("municipality", key)
    return iris.thing("organization", key)


def _distribution(pub: Publication, f, attribution: str | None) -> tuple[NamedNode, list[Triple]]:  # noqa: ANN001
    d = NamedNode(f"{pub.base}catalog#distribution-{f.name}")
    url = NamedNode(pub.download_url(f))
    if f.format == "csv":
        code, label, mime = "CSV", f"CSV export {f.name}", "text/csv"
    else:
        _, _, code, label = FORMATS[f.format]
        mime = f.media_type
    ck = BlankNode()
    lic = NamedNode(f.licence)
    t = [
        Triple(d, RDF["type"], DCAT["Distribution"]),
        Triple(d, DCT["title"], Literal(f"{f.name} – {label}", language="en")),
        Triple(d, DCAT["accessURL"], NamedNode(pub.base + ("exports/" if f.format == "csv" else "dumps/"))),
        Triple(d, DCAT["downloadURL"], url),
        Triple(d, DCT["format"], N(EU, f"file-type/{code}")),
        Triple(d, DCAT["mediaType"], N(IANA, mime)),
        Triple(d, DCAT["byteSize"], Literal(str(f.size), datatype=XSD["nonNegativeInteger"])),
        Triple(d, DCT["modified"], Literal(f.modified.replace("+00:00", "Z"), datatype=XSD["dateTime"])),
        Triple(d, DCT["license"], lic),
        Triple(lic, RDF["type"], DCT["LicenseDocument"]),
        Triple(d, N(SPDX, "checksum"), ck),
        Triple(ck, RDF["type"], N(SPDX, "Checksum")),
        Triple(ck, N(SPDX, "algorithm"), N(SPDX, "checksumAlgorithm_sha256")),
        Triple(ck, N(SPDX, "checksumValue"), Literal(f.sha256, datatype=XSD["hexBinary"])),
        _available(d),
    ]
    if f.name.endswith(".gz"):
        t.append(Triple(d, DCAT["compressFormat"], N(IANA, "application/gzip")))
    if attribution:
        t.append(Triple(d, DCATDE["licenseAttributionByText"], Literal(attribution)))
    return d, t


def _dataset_common(ds: NamedNode, pub: Publication, contact: NamedNode) -> list[Triple]:
    t = [Triple(ds, RDF["type"], DCAT["Dataset"]), _available(ds),
         Triple(ds, DCT["language"], N(EU, "language/DEU")),
         Triple(ds, DCAT["contactPoint"], contact)]
    t += [Triple(ds, DCAT["theme"], N(EU, f"data-theme/{code}")) for code in THEMES]
    t += [Triple(ds, DCAT["keyword"], Literal(k, language="de")) for k in KEYWORDS]
    return t


def _temporal(ds: NamedNode, start: str | None, end: str | None) -> list[Triple]:
    if not start:
        return []
    period = BlankNode()
    t = [Triple(ds, DCT["temporal"], period), Triple(period, RDF["type"], DCT["PeriodOfTime"]),
         Triple(period, DCAT["startDate"], Literal(start[:4], datatype=XSD["gYear"]))]
    if end:
        t.append(Triple(period, DCAT["endDate"], Literal(end[:4], datatype=XSD["gYear"])))
    return t


def catalog_triples(pub: Publication) -> list[Triple]:
    """The DCAT-AP.de statements of one publication (validate with :func:`validate_catalog`)."""
    s = pub.settings
    base = pub.base
    cat = NamedNode(base + "catalog#catalog")
    publisher = NamedNode(s.catalog.publisher_uri or base + "catalog#publisher")
    contact = NamedNode(base + "catalog#contact")
    licence = NamedNode(s.catalog.licence)
    service = NamedNode(base + "sparql#service")
    all_ds = pub.dataset_iri()
    modified = Literal(pub.modified, datatype=XSD["dateTime"])
    t: list[Triple] = [
        Triple(cat, RDF["type"], DCAT["Catalog"]),
        Triple(cat, DCT["title"], Literal(s.title, language="de")),
        Triple(cat, DCT["description"], Literal(
            f"Katalog des Datensatzes „{s.title}“: Fakten zur kommunalen Entwicklungspolitik deutscher Kommunen "
            "(Partnerschaften, Projekte, Förderung, Koordinationsstellen), aus öffentlichen Webseiten gewonnen, "
            "als Linked Open Data mit SPARQL-Endpunkt und Downloads.", language="de")),
        Triple(cat, DCT["publisher"], publisher),
        Triple(cat, FOAF["homepage"], NamedNode(base)),
        Triple(cat, DCT["language"], N(EU, "language/DEU")),
        Triple(cat, DCT["license"], licence), Triple(licence, RDF["type"], DCT["LicenseDocument"]),
        Triple(cat, DCAT["themeTaxonomy"], N(EU, "data-theme")),
        Triple(cat, DCT["spatial"], N(EU, "country/DEU")), Triple(N(EU, "country/DEU"), RDF["type"], DCT["Location"]),
        Triple(cat, DCT["modified"], modified),
        Triple(cat, DCAT["service"], service),
        Triple(cat, DCAT["dataset"], all_ds),
        *_agent(publisher, s.catalog.publisher_name),
        Triple(contact, RDF["type"], N(VCARD, "Kind")), Triple(contact, RDF["type"], N(VCARD, "Organization")),
        Triple(contact, N(VCARD, "fn"), Literal(s.catalog.contact_name or s.catalog.publisher_name or s.title)),
    ]
    if s.catalog.contact_email:
        t.append(Triple(contact, N(VCARD, "hasEmail"), NamedNode("mailto:" + s.catalog.contact_email)))
    t.append(Triple(contact, N(VCARD, "hasURL"), NamedNode(s.catalog.contact_url or base)))
    # the whole dataset
    t += _dataset_common(all_ds, pub, contact)
    t += [
        Triple(all_ds, DCT["title"], Literal(s.title, language="de")),
        Triple(all_ds, DCT["description"], Literal(
            "Alle Quellen in einem Datensatz: ein benannter Graph je Quelle, dazu die KEP-Ontologie.", language="de")),
        Triple(all_ds, DCT["identifier"], Literal(base + "catalog#dataset")),
        Triple(all_ds, DCT["publisher"], publisher),
        Triple(all_ds, DCT["modified"], modified),
        Triple(all_ds, DCT["spatial"], N(EU, "country/DEU")),
        Triple(all_ds, DCATDE["politicalGeocodingLevelURI"], N(GEOCODING, "Level/federal")),
        Triple(all_ds, DCAT["landingPage"], NamedNode(base)),
    ]
    years = [y for y in pub.stats.temporal.values()]
    if years:
        t += _temporal(all_ds, min(y[0] for y in years), max(y[1] for y in years))
    else:
        t += _temporal(all_ds, pub.modified, None)
    for f in pub.files:
        if f.scope in ("all", "csv"):
            d, dt = _distribution(pub, f, None)
            t += [Triple(all_ds, DCAT["distribution"], d), *dt]
    # one dataset per source
    for src in pub.sources:
        ds = pub.dataset_iri(src.slug)
        state = pub.states.get(src.slug, {})
        agent = _publisher_node(pub, src.publisher_key)
        spatial, level = _geocoding(src.publisher_key)
        t += [Triple(cat, DCAT["dataset"], ds), *_dataset_common(ds, pub, contact),
              Triple(ds, DCT["title"], Literal(src.title, language="de")),
              Triple(ds, DCT["description"], Literal(str(src.options.get("description") or src.title), language="en")),
              Triple(ds, DCT["identifier"], Literal(src.slug)),
              Triple(ds, DCT["publisher"], agent), *_agent(agent, src.publisher),
              Triple(ds, DCT["spatial"], spatial), Triple(spatial, RDF["type"], DCT["Location"]),
              Triple(ds, DCATDE["politicalGeocodingLevelURI"], level),
              Triple(ds, DCAT["keyword"], Literal(src.publisher, language="de"))]
        if state.get("last_success"):
            t.append(Triple(ds, DCT["modified"], Literal(str(state["last_success"]).replace("+00:00", "Z"),
                                                       datatype=XSD["dateTime"])))
        if src.options.get("homepage"):
            t.append(Triple(ds, DCAT["landingPage"], NamedNode(str(src.options["homepage"]))))
        years = pub.stats.temporal.get(f"{base}graph/{src.slug}")
        t += _temporal(ds, *(years if years else (state.get("last_success") or pub.modified, None)))
        attribution = src.options.get("attribution")
        for f in pub.files:
            if f.scope == src.slug:
                d, dt = _distribution(pub, f, str(attribution) if attribution else None)
                t += [Triple(ds, DCAT["distribution"], d), *dt]
    # the SPARQL endpoint
    t += [
        Triple(service, RDF["type"], DCAT["DataService"]),
        Triple(service, DCT["title"], Literal(f"{s.title} – SPARQL-Endpunkt", language="de")),
        Triple(service, DCAT["endpointURL"], NamedNode(base + "sparql")),
        Triple(service, DCAT["endpointDescription"], NamedNode(base + "sparql")),
        Triple(service, DCT["conformsTo"], NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
        Triple(service, DCT["publisher"], publisher),
        Triple(service, DCT["license"], licence),
        _available(service),
        Triple(service, DCAT["servesDataset"], all_ds),
        *[Triple(service, DCAT["servesDataset"], pub.dataset_iri(src.slug)) for src in pub.sources],
    ]
    return t


class CatalogReport:
    """Result of validating a catalog with the DCAT-AP(.de) shapes."""

    def __init__(self, conforms: bool, violations: list[str], warnings: list[str], text: str) -> None:
        self.conforms, self.violations, self.warnings, self.text = conforms, violations, warnings, text


def validate_catalog(turtle: bytes, shapes_dir: Path) -> CatalogReport:
    """Validate a catalog (Turtle) with SEMIC DCAT-AP 3.0.0 + the DCAT-AP.de 3.0 additions.

    :returns: the report; ``violations`` lists "focus: path: message" lines of severity Violation.
    :raises OSError: a shape file is missing.
    """
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    data = Graph().parse(data=turtle, format="turtle")
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(str(shapes_dir / name), format="turtle")
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    violations, warnings = [], []
    for r in report.subjects(SH.resultSeverity, None):
        sev = report.value(r, SH.resultSeverity)
        line = (f"{report.value(r, SH.focusNode)}: {report.value(r, SH.resultPath)}: "
                f"{'; '.join(str(m) for m in report.objects(r, SH.resultMessage))}")
        (violations if sev == SH.Violation else warnings).append(line)
    return CatalogReport(bool(conforms) or not violations, sorted(violations), sorted(warnings), str(text))
