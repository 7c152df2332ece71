"""The default dataset (sources/): every seed fact is in the published graph and findable by SPARQL;
nothing the pages do not state (staff names, phone numbers, invented years) is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from lod import pipeline
from lod.settings import Settings
from tests.conftest import ROOT, make_settings

BASE = "https://kep.example.org/"
PREFIXES = """
PREFIX kep: <https://w3id.org/kep/def/kep#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX country: <http://publications.europa.eu/resource/authority/country/>
PREFIX pk: <https://w3id.org/kep/def/partnership-kind/>
PREFIX foa: <https://w3id.org/kep/def/field-of-action/>
PREFIX sdg: <http://metadata.un.org/sdg/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
HTML_SOURCES = ["aachen", "berlin-mitte", "bmz", "bremen", "treptow-koepenick"]
REFERENCE = ["organizations", "places"]      # the page graphs name places these describe (label, country)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Store]:
    tmp = tmp_path_factory.mktemp("default")
    settings = make_settings(tmp, ROOT / "sources", LOD_BASE_URI=BASE)
    outcomes, _ = pipeline.build(settings, HTML_SOURCES + REFERENCE)
    assert all(o.ok for o in outcomes), [(o.slug, o.error, o.details[:3]) for o in outcomes]
    assert {o.slug for o in outcomes if o.status == "published"} == set(HTML_SOURCES + REFERENCE)
    store = Store()
    for slug in HTML_SOURCES + REFERENCE:
        store.load(path=str(settings.var / "state" / f"{slug}.published.nt"), format=__import__(
            "pyoxigraph").RdfFormat.N_TRIPLES)
    return settings, store


def ask(store: Store, body: str) -> bool:
    return bool(store.query(PREFIXES + "ASK {" + body + "}"))


def rows(store: Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(t.value for t in r) for r in store.query(PREFIXES + query)]


def m(key: str) -> str:
    return f"<{BASE}id/municipality/{key}>"


def test_berlin_mitte_partnerships_with_countries(built: tuple[Settings, Store]) -> None:
    _, store = built
    got = rows(store, f"""SELECT ?label ?country WHERE {{
        ?p a kep:Partnership ; kep:germanPartner {m('11000000-01')} ; kep:foreignPartner ?f ;
           kep:partnershipKind pk:town-twinning .
        ?f rdfs:label ?label ; kep:country ?country FILTER(LANG(?label) = "de") }} ORDER BY ?label""")
    assert got == [("Douala", str(__import__("lod.namespaces").namespaces.EU_COUNTRY) + "CMR"),
                   ("Lideta", "http://publications.europa.eu/resource/authority/country/ETH")]
    assert ask(store, f"<{BASE}id/partnership/11000000-01--Q132830> rdfs:label 'Berlin Mitte – Douala'@de")
    assert ask(store, f"<{BASE}id/foreign-municipality/Q132830> <http://www.w3.org/2004/02/skos/core#exactMatch> "
                      "<http://www.wikidata.org/entity/Q132830>")


def test_berlin_mitte_fairtrade_office_sdg_fields(built: tuple[Settings, Store]) -> None:
    _, store = built
    assert ask(store, f"""<{BASE}id/certification/fairtrade-town-11000000-01> a kep:FairtradeTownCertification ;
        kep:certifiedEntity {m('11000000-01')} ; kep:firstAwarded "2014"^^xsd:gYear""")
    office = f"<{BASE}id/organization/11000000-01-kep-coordination-office>"
    assert ask(store, f"{office} a kep:CoordinationOffice ; org:unitOf {m('11000000-01')}")
    assert ask(store, f"{office} kep:statedSDG sdg:17")
    assert ask(store, f"<{BASE}id/partnership/11000000-01--Q132830> kep:statedSDG sdg:17")
    fields = {r[0].rsplit("/", 1)[-1] for r in rows(store, f"SELECT ?f WHERE {{ {office} kep:fieldOfAction ?f }}")}
    assert fields == {"fair-trade", "fair-procurement", "municipal-partnerships", "resource-protection",
                      "sustainable-nutrition", "education-for-sustainable-development", "decolonisation-anti-racism"}
    assert ask(store, f"""?c a kep:Agenda2030Commitment ; kep:committedBy {m('11000000-01')} ;
        prov:qualifiedDerivation/prov:value ?q FILTER(CONTAINS(?q, "Mustererklärung"))""")


def test_aachen(built: tuple[Settings, Store]) -> None:
    _, store = built
    assert ask(store, f"""?c a kep:FairtradeTownCertification ; kep:certifiedEntity {m('05334002')} ;
        kep:firstAwarded "2011"^^xsd:gYear""")
    for qid, cc in (("Q5465", "ZAF"), ("Q157053", "UKR")):
        assert ask(store, f"""<{BASE}id/partnership/05334002--{qid}> a kep:Partnership ;
            kep:foreignPartner ?f . ?f kep:country country:{cc}""")
    assert ask(store, "?p rdfs:label 'Aachen – Chernihiv'@de")
    # the page says only "kommunale Partnerschaften": the generic kind, not town twinning
    kinds = {r[0] for r in rows(store, f"SELECT ?k WHERE {{ ?p kep:germanPartner {m('05334002')} ; "
                                       "kep:partnershipKind ?k }")}
    assert kinds == {"https://w3id.org/kep/def/partnership-kind/municipal-partnership"}
    assert ask(store, f"""?o a kep:CoordinationOffice ; org:unitOf {m('05334002')} ; rdfs:label ?l
        FILTER(CONTAINS(?l, "KEpol"))""")


def test_bremen_post_funding_partners_climate(built: tuple[Settings, Store]) -> None:
    _, store = built
    post = f"<{BASE}id/post/04011000-kep-coordinator>"
    assert ask(store, f"""{post} a kep:CoordinatorPost ; org:postIn {m('04011000')} ;
        kep:fundedBy ?prog ; kep:grant ?g .
        ?g kep:startDate "2025"^^xsd:gYear ; kep:endDate "2027-06"^^xsd:gYearMonth ;
           schema:funder <{BASE}id/organization/bmz> ; kep:administeredBy <{BASE}id/organization/skew> .
        ?prog schema:funder <{BASE}id/organization/bmz> ; kep:administeredBy <{BASE}id/organization/skew> .""")
    partners = {r[0] for r in rows(store, f"""SELECT ?l WHERE {{ ?p kep:germanPartner {m('04011000')} ;
        kep:foreignPartner/skos:altLabel ?l FILTER(LANG(?l) = "de") }}""")}
    assert partners == {"Durban", "Windhoek"}                 # as the page writes them (graph/places: "Windhuk")
    assert ask(store, f"?proj a kep:Project ; dct:spatial {m('04012000')} ; kep:fieldOfAction foa:climate")
    # climate → SDG 13 is derived (with its rule), never stated
    assert ask(store, """?proj kep:derivedSDG sdg:13 ; kep:sdgDerivation ?d .
        ?d kep:sdg sdg:13 ; kep:rule <https://w3id.org/kep/def/sdg-rule/concept-mapping> ; kep:basis foa:climate""")
    assert not ask(store, "?x kep:statedSDG sdg:13")


def test_bmz_programme_lines_and_connective_cities(built: tuple[Settings, Store]) -> None:
    _, store = built
    lines = rows(store, f"""SELECT ?l WHERE {{ ?line a kep:ProgrammeLine ; rdfs:label ?l ;
        kep:partOfProgramme ?p ; schema:funder <{BASE}id/organization/bmz> }} ORDER BY ?l""")
    assert len(lines) == 4
    assert any("Maghreb" in r[0] for r in lines) and any("Ukraine" in r[0] for r in lines)
    assert ask(store, "?l a kep:ProgrammeLine ; kep:targetRegion <https://w3id.org/kep/def/world-region/middle-east>")
    assert ask(store, f"<{BASE}id/organization/connective-cities> a kep:Network ; rdfs:label 'Connective Cities'@de")
    # "17 globalen Ziele" is a general reference, not a stated SDG
    assert not ask(store, "?x kep:statedSDG ?s ; prov:wasDerivedFrom ?d FILTER(CONTAINS(STR(?d), 'gemeinschaftswerk'))")


def test_treptow_koepenick_cajamarca(built: tuple[Settings, Store]) -> None:
    _, store = built
    p = f"<{BASE}id/partnership/11000000-09--Q205119>"
    assert ask(store, f"""{p} kep:partnershipKind pk:sustainability-partnership ;
        kep:startedBefore "2000"^^xsd:gYear ; kep:dateNote ?n FILTER(CONTAINS(?n, "mehr als 20 Jahren"))""")
    assert not ask(store, f"{p} kep:startDate ?d")           # no invented year
    assert ask(store, f"""?e a kep:Conference ; kep:startDate "2020-12-01"^^xsd:date ; kep:partOfPartnership {p} ;
        kep:fieldOfAction foa:environment, foa:education-for-sustainable-development, foa:senior-participation,
                          foa:organic-agriculture, foa:fair-trade""")
    assert ask(store, '?doc dct:issued "2020-12-03"^^xsd:date')
    assert not ask(store, "?x kep:statedSDG ?s ; prov:wasDerivedFrom ?d FILTER(CONTAINS(STR(?d), 'treptow'))")


def test_privacy_no_names_no_phone_numbers(built: tuple[Settings, Store]) -> None:
    settings, store = built
    everything = "".join(
        (settings.var / "state" / f"{slug}.published.nt").read_text(encoding="utf-8") for slug in HTML_SOURCES)
    assert "Julia" not in everything and "Große" not in everything
    assert "90297" not in everything and "Tel." not in everything and "Fax" not in everything
    assert not ask(store, "?s ?p ?o FILTER(isLiteral(?o) && REGEX(STR(?o), '\\\\(0\\\\d+\\\\)\\\\s*\\\\d'))")


def test_reharvest_unchanged_then_change_sentence(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources" / "aachen", sources / "aachen")
    for ref in ("municipalities", "places"):             # the gazetteer resolves Kapstadt and Chernihiv
        (sources / ref).symlink_to(ROOT / "sources" / ref, target_is_directory=True)
    settings = make_settings(tmp_path, sources, LOD_BASE_URI=BASE)
    first, _ = pipeline.build(settings, ["places", "aachen"])   # graph/places states the partners' labels
    assert sorted(o.status for o in first) == ["published", "published"]
    again = pipeline.harvest(settings, ["aachen"])
    assert [o.status for o in again] == ["unchanged"]
    published = (settings.var / "state" / "aachen.published.nt").read_text(encoding="utf-8")
    assert again[0].triples == len(published.splitlines())
    snap = sources / "aachen" / "snapshots" / "koordination-kommunale-entwicklungspolitik.html"
    original = snap.read_text(encoding="utf-8")
    snap.write_text(original.replace(" und Chernihiv (Ukraine)", ""), encoding="utf-8")
    removed, _ = pipeline.build(settings, ["aachen"])
    assert "removed partnership Aachen – Chernihiv" in removed[0].changes
    snap.write_text(original, encoding="utf-8")
    readded, _ = pipeline.build(settings, ["aachen"])
    assert "new partnership Aachen – Chernihiv" in readded[0].changes


def _graph(settings: Settings, slug: str) -> Store:
    store = Store()
    store.load(path=str(settings.var / "state" / f"{slug}.published.nt"), format=__import__(
        "pyoxigraph").RdfFormat.N_TRIPLES)
    return store


def test_page_graphs_state_only_what_the_pages_say_about_places(built: tuple[Settings, Store]) -> None:
    settings, store = built
    fm = f"<{BASE}id/foreign-municipality/"
    bremen = _graph(settings, "bremen")          # "Durban, Windhoek und Bremen": no countries on the page
    for qid in ("Q5468", "Q3935"):
        assert ask(bremen, f"{fm}{qid}> a kep:ForeignMunicipality")            # "Partnerstädte": the type
        assert not ask(bremen, f"{fm}{qid}> kep:country ?c"), qid
        assert not ask(bremen, f"{fm}{qid}> <http://www.w3.org/2004/02/skos/core#exactMatch> ?w"), qid
    assert ask(bremen, f"{fm}Q3935> skos:altLabel 'Windhoek'@de")
    assert ask(store, f"{fm}Q3935> rdfs:label 'Windhuk'@de ; kep:country country:NAM")   # from graph/places
    aachen = _graph(settings, "aachen")          # "Chernihiv (Ukraine)": the page names the country
    assert ask(aachen, f"{fm}Q157053> kep:country country:UKR ; skos:altLabel 'Chernihiv'@de")
    for slug in HTML_SOURCES:
        graph = _graph(settings, slug)
        assert not ask(graph, "?f a kep:ForeignMunicipality ; rdfs:label ?l"), slug
        assert not ask(graph, f"?f rdfs:label ?l FILTER(STRSTARTS(STR(?f), '{fm[1:]}'))"), slug
        assert not ask(graph, f"?m a ?t FILTER(STRSTARTS(STR(?m), '{BASE}id/municipality/'))"), slug
    # the union has one German label per partner city: the reference graph's
    assert rows(store, "SELECT ?l WHERE { " + fm + "Q157053> rdfs:label ?l FILTER(LANG(?l) = 'de') }") == \
        [("Tschernihiw",)]
