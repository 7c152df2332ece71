"""The KEP ontology and concept schemes: they parse, every term is documented in de+en and declares what it
reuses, the schemes are complete, and every kep: term used by code and queries is declared."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from lod.namespaces import KEP, KEP_DEF
from lod.validate import undeclared_kep_terms

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "kep.ttl"
SCHEMES = sorted((ROOT / "ontology" / "schemes").glob("*.ttl"))
SDG_CSV = ROOT / "sources" / "sdg" / "snapshots" / "sdg_goals_targets_indicators_de_en.csv"
K = rdflib.Namespace(str(KEP))
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
REUSE = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty, SKOS.exactMatch,
         SKOS.closeMatch)


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def schemes() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in SCHEMES:
        g.parse(path, format="turtle")
    return g


def _terms(g: rdflib.Graph) -> list[rdflib.URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(str(KEP))})


def test_ontology_header(onto: rdflib.Graph) -> None:
    o = rdflib.URIRef("https://w3id.org/kep/def/kep")
    assert (o, RDF.type, OWL.Ontology) in onto
    assert onto.value(o, OWL.versionInfo) is not None
    assert onto.value(o, DCT.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(onto.value(o, DCT.creator)) == "kep-lod"
    assert {t.language for t in onto.objects(o, DCT.title)} == {"de", "en"}


def test_core_terms_exist(onto: rdflib.Graph) -> None:
    names = {str(t)[len(str(KEP)):] for t in _terms(onto)}
    expected = {"Municipality", "District", "ForeignMunicipality", "CityState", "Country", "FederalBody", "Agency",
                "ServiceUnit", "Network", "CivilSocietyOrganization", "Partnership", "partner", "germanPartner",
                "partnershipKind", "status", "twinnedWith", "startDate", "startedBefore", "endDate", "agreement",
                "workPlan", "FundingProgramme", "ProgrammeLine", "Grant", "fundingRate", "Participation",
                "organisationRole", "CoordinationOffice", "CoordinatorPost", "Project", "output", "Event",
                "Workshop", "Conference", "FairtradeTownCertification", "firstAwarded", "Agenda2030Commitment",
                "FairProcurementCommitment", "Measure", "fieldOfAction", "contributesToSDG", "statedSDG",
                "derivedSDG", "SDGDerivation", "rule", "ags", "population", "politicalGeocoding"}
    assert expected <= names, expected - names


def test_every_term_has_bilingual_label_and_comment(onto: rdflib.Graph) -> None:
    terms = _terms(onto)
    assert len(terms) > 80
    for t in terms:
        for prop in (RDFS.label, RDFS.comment):
            langs = sorted(x.language or "" for x in onto.objects(t, prop))
            assert langs == ["de", "en"], f"{t} {prop}: {langs}"
        assert onto.value(t, RDFS.isDefinedBy) == rdflib.URIRef("https://w3id.org/kep/def/kep"), t
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", str(t)[len(str(KEP)):]), f"not an English ASCII name: {t}"


def test_every_term_declares_what_it_reuses(onto: rdflib.Graph) -> None:
    """Each term links (directly or through kep: super-terms) to a term outside the kep: namespace."""
    def reaches_external(t: rdflib.URIRef, seen: set[rdflib.URIRef]) -> bool:
        for p in REUSE:
            for o in onto.objects(t, p):
                if not str(o).startswith(str(KEP)):
                    return True
                if o not in seen and reaches_external(o, seen | {o}):
                    return True
        return False

    missing = [t for t in _terms(onto) if not reaches_external(t, {t})]
    assert not missing, missing


def test_sdg_subproperties(onto: rdflib.Graph) -> None:
    assert (K.statedSDG, RDFS.subPropertyOf, K.contributesToSDG) in onto
    assert (K.derivedSDG, RDFS.subPropertyOf, K.contributesToSDG) in onto
    assert (K.contributesToSDG, RDFS.subPropertyOf, DCT.subject) in onto
    assert (K.twinnedWith, RDF.type, OWL.SymmetricProperty) in onto
    assert (K.twinnedWith, SKOS.exactMatch, rdflib.URIRef("http://www.wikidata.org/entity/P190")) in onto


def test_schemes_parse_and_concepts_are_complete(schemes: rdflib.Graph) -> None:
    assert len(SCHEMES) >= 8
    concepts = set(schemes.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 50
    for c in concepts:
        assert str(c).startswith(str(KEP_DEF)), c
        langs = sorted(x.language for x in schemes.objects(c, SKOS.prefLabel) if x.language in ("de", "en"))
        assert langs == ["de", "en"], f"{c}: {langs}"
        scheme = schemes.value(c, SKOS.inScheme)
        assert scheme is not None and (scheme, RDF.type, SKOS.ConceptScheme) in schemes, c
        assert str(c).startswith(str(scheme) + "/"), f"{c} not under its scheme {scheme}"


@pytest.mark.parametrize("scheme, codes", [
    ("field-of-action", {"fair-trade", "fair-procurement", "climate", "education-for-sustainable-development",
                         "decolonisation-anti-racism", "sustainable-nutrition", "resource-protection",
                         "migrant-participation"}),
    ("partnership-kind", {"town-twinning", "friendship", "contact", "project-partnership",
                          "sustainability-partnership", "climate-partnership"}),
    ("iati/OrganisationRole", {"1", "2", "3", "4"}),
    ("status", {"active", "dormant", "ended", "planned"}),
    ("certification-kind", {"fairtrade-town"}),
    ("commitment-kind", {"agenda-2030-model-resolution"}),
])
def test_scheme_has_codes(schemes: rdflib.Graph, scheme: str, codes: set[str]) -> None:
    iri = rdflib.URIRef(str(KEP_DEF) + scheme)
    found = {str(c)[len(str(iri)) + 1:] for c in schemes.subjects(SKOS.inScheme, iri)}
    assert codes <= found, codes - found
    for code in codes:
        c = rdflib.URIRef(f"{iri}/{code}")
        assert str(schemes.value(c, SKOS.notation)) == code


def test_iati_role_licence_and_labels(schemes: rdflib.Graph) -> None:
    scheme = rdflib.URIRef(str(KEP_DEF) + "iati/OrganisationRole")
    assert schemes.value(scheme, DCT.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert schemes.value(scheme, DCT.source) is not None
    one = rdflib.URIRef(f"{scheme}/1")
    assert rdflib.Literal("Funding", lang="en") in set(schemes.objects(one, SKOS.prefLabel))
    four = rdflib.URIRef(f"{scheme}/4")
    assert rdflib.Literal("Implementing", lang="en") in set(schemes.objects(four, SKOS.prefLabel))


def test_related_sdgs_exist(schemes: rdflib.Graph) -> None:
    with SDG_CSV.open(encoding="utf-8") as handle:
        known = {row["uri"] for row in csv.DictReader(handle)}
    related = list(schemes.objects(None, K.relatedSDG))
    assert len(related) > 15
    for sdg in related:
        assert str(sdg) in known, f"kep:relatedSDG {sdg} is not an SDG URI of the UN scheme"
    climate = rdflib.URIRef(str(KEP_DEF) + "field-of-action/climate")
    assert rdflib.URIRef("http://metadata.un.org/sdg/13") in set(schemes.objects(climate, K.relatedSDG))


def test_kep_terms_used_in_code_and_queries_are_declared() -> None:
    used: set[str] = set()
    for path in (ROOT / "lod").rglob("*.py"):
        used |= {str(KEP) + m for m in re.findall(r'KEP\[\s*"([A-Za-z0-9_]+)"\s*\]', path.read_text("utf-8"))}
    text = "\n".join(p.read_text("utf-8") for p in sorted((ROOT / "sparql").rglob("*.rq")))
    undeclared = undeclared_kep_terms(text) | undeclared_kep_terms(
        "\n".join(f"<{u}>" for u in sorted(used)))
    assert not undeclared, f"used but not declared in ontology/: {sorted(undeclared)}"


def test_undeclared_terms_are_found() -> None:
    query = "PREFIX kep: <https://w3id.org/kep/def/kep#>\nSELECT ?p { ?p a kep:Partnershipp ; kep:partner ?x }"
    assert undeclared_kep_terms(query) == {str(KEP) + "Partnershipp"}
    assert undeclared_kep_terms("SELECT * { ?x <https://w3id.org/kep/def/status/activ> ?y }") == \
        {str(KEP_DEF) + "status/activ"}
