"""IRIs used across kep-lod: the KEP ontology namespace, reused vocabularies, and instance IRI minting.

The ontology namespace is deployment-independent (every publisher of KEP data shares one model, the way
schema.org or the DBpedia ontology do); instance IRIs live under the configured ``base_uri``.
See docs/decisions/0001-iris.md.

>>> Iris("https://kep.example.org/").thing("municipality", "05334002").value
'https://kep.example.org/id/municipality/05334002'
>>> KEP["Partnership"].value
'https://w3id.org/kep/def/kep#Partnership'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pyoxigraph import NamedNode

__all__ = [
    "Namespace", "KEP", "KEP_DEF", "RDF", "RDFS", "OWL", "XSD", "SKOS", "DCT", "DCAT", "DCATDE", "PROV",
    "ORG", "SCHEMA", "FOAF", "VOID", "SD", "SH", "GEO", "WGS", "SDG", "SDGO", "WD", "EU_COUNTRY",
    "PREFIXES", "Iris", "slugify",
]


class Namespace(str):
    """A namespace string; ``NS["term"]`` gives a pyoxigraph ``NamedNode``."""

    def __getitem__(self, local: str) -> NamedNode:  # type: ignore[override]
        return NamedNode(str(self) + local)

    def term(self, local: str) -> NamedNode:
        return self[local]


KEP_DEF = Namespace("https://w3id.org/kep/def/")          # concept schemes: KEP_DEF["field-of-action/fair-trade"]
KEP = Namespace("https://w3id.org/kep/def/kep#")          # the ontology
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")

PREFIXES: dict[str, str] = {
    "kep": str(KEP), "kepdef": str(KEP_DEF), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL),
    "xsd": str(XSD), "skos": str(SKOS), "dct": str(DCT), "dcat": str(DCAT), "dcatde": str(DCATDE),
    "prov": str(PROV), "org": str(ORG), "schema": str(SCHEMA), "foaf": str(FOAF), "void": str(VOID),
    "sd": str(SD), "geo": str(GEO), "wgs": str(WGS), "sdg": str(SDG), "sdgo": str(SDGO), "wd": str(WD),
    "country": str(EU_COUNTRY),
}


def slugify(text: str) -> str:
    """Deterministic ASCII slug (German umlauts transliterated).

    >>> slugify("Treptow-Köpenick / Cajamarca")
    'treptow-koepenick-cajamarca'
    """
    text = text.lower()
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(src, dst)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True)
class Iris:
    """Mints instance and graph IRIs under one base URI (which must end with ``/``).

    Patterns (keys never depend on harvest order):
    ``id/municipality/{AGS}`` (Berlin districts ``11000000-{nn}``), ``id/foreign-municipality/{QID|cc-slug}``,
    ``id/partnership/{germanKey}--{partnerKey}``, ``id/project/{source}-{slug}``, ``id/programme/{slug}``,
    ``id/organization/{slug}``, ``id/post/{key}-kep-coordinator``, ``id/certification/fairtrade-town-{key}``,
    ``id/event/{source}-{date}-{slug}``, ``id/commitment/{key}-{slug}``, ``id/document/{sha256[:16]}``;
    named graphs ``graph/{source-slug}``.
    """

    base: str

    def thing(self, kind: str, key: str) -> NamedNode:
        return NamedNode(f"{self.base}id/{kind}/{key}")

    def graph(self, source_slug: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{source_slug}")

    def local_path(self, iri: str) -> str | None:
        """Return the path (starting with ``/``) of an IRI under the base, else None.

        >>> Iris("https://kep.example.org/").local_path("https://kep.example.org/id/x/1")
        '/id/x/1'
        """
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None
