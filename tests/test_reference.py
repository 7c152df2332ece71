"""Reference data built by code: the register, the SDG scheme and the curated places; their sources; the
gazetteer."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Triple
from rdflib.namespace import RDFS, SH

from lod.errors import HarvestError, SourceError
from lod.gazetteer import Gazetteer, normalize
from lod.harvest import get_kind
from lod.harvest.base import HarvestContext, HarvestResult
from lod.namespaces import EU_COUNTRY, GEO, KEP, KEP_DEF, RDF, RDFS as RDFS_NS, SDGO, SKOS, WD, WGS, XSD, Iris
from lod.sources import load_source
from lod.validate import undeclared_kep_terms, validate_graph

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
IRIS = Iris("https://kep.example.org/")


def _ctx(sources_dir: Path = SOURCES) -> HarvestContext:
    def no_fetch(url: str, **_: object) -> None:
        raise AssertionError(f"reference kinds must not fetch ({url})")
    return HarvestContext(iris=IRIS, fetch=no_fetch, sources_dir=sources_dir,
                          started=datetime(2026, 11, 21, tzinfo=timezone.utc))


def _harvest(slug: str, sources_dir: Path = SOURCES) -> HarvestResult:
    source = load_source(sources_dir / slug / "source.yaml")
    return get_kind(source.kind)(source, _ctx(sources_dir))


@pytest.fixture(scope="module")
def register() -> tuple[HarvestResult, float]:
    start = time.perf_counter()
    result = _harvest("municipalities")
    return result, time.perf_counter() - start


@pytest.fixture(scope="module")
def sdg() -> HarvestResult:
    return _harvest("sdg")


@pytest.fixture(scope="module")
def places() -> HarvestResult:
    return _harvest("places")


def _values(triples: list[Triple], s: NamedNode, p: NamedNode) -> set:
    return {t.object for t in triples if t.subject == s and t.predicate == p}


# ----------------------------------------------------------------------------------------- sources

@pytest.mark.parametrize("slug, kind, licence", [
    ("municipalities", "register", "http://dcat-ap.de/def/licenses/dl-by-de/2.0"),
    ("sdg", "sdg", "http://spdx.org/licenses/MIT"),
    ("places", "places", "http://dcat-ap.de/def/licenses/cc-zero"),
    ("organizations", "organizations", "http://dcat-ap.de/def/licenses/cc-zero"),
])
def test_reference_sources_are_self_contained(slug: str, kind: str, licence: str) -> None:
    source = load_source(SOURCES / slug / "source.yaml")
    assert source.kind == kind and source.licence == licence
    assert source.options.get("attribution")
    for doc in source.documents:
        assert doc.snapshot is not None and doc.snapshot.is_file()
        assert doc.snapshot.is_relative_to(SOURCES / slug)
        assert (doc.snapshot.parent / "SOURCES.md").is_file()


# ----------------------------------------------------------------------------------------- register

def test_register_aachen(register: tuple[HarvestResult, float]) -> None:
    result, _ = register
    t = result.triples
    aachen = IRIS.thing("municipality", "05334002")
    assert KEP["Municipality"] in _values(t, aachen, RDF["type"])
    assert _values(t, aachen, RDFS_NS["label"]) == {Literal("Aachen", language="de")}
    assert _values(t, aachen, KEP["ags"]) == {Literal("05334002")}
    assert _values(t, aachen, KEP["population"]) == {Literal(248960)}
    [lat] = _values(t, aachen, WGS["lat"])
    [lon] = _values(t, aachen, WGS["long"])
    assert lat.datatype == XSD["decimal"] and abs(float(lat.value) - 50.7735) < 0.01
    assert abs(float(lon.value) - 6.0848) < 0.01
    [geom] = _values(t, aachen, GEO["hasGeometry"])
    assert _values(t, geom, GEO["asWKT"]) == {Literal("POINT(6.0848 50.773516)", datatype=GEO["wktLiteral"])}
    assert _values(t, aachen, KEP["state"]) == {IRIS.thing("state", "05")}
    assert _values(t, aachen, KEP["county"]) == {IRIS.thing("county", "05334")}
    assert _values(t, aachen, KEP["country"]) == {EU_COUNTRY["DEU"]}
    assert _values(t, aachen, KEP["politicalGeocoding"]) == {
        NamedNode("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05334002")}
    assert _values(t, aachen, KEP["municipalityType"]) == {KEP_DEF["municipality-type/63"]}


def test_register_counts_city_states_and_speed(register: tuple[HarvestResult, float]) -> None:
    result, seconds = register
    municipalities = {t.subject for t in result.triples
                      if t.predicate == RDF["type"] and t.object == KEP["Municipality"]}
    assert len(municipalities) == 11004
    assert seconds < 5, f"register harvest took {seconds:.1f}s"
    bremerhaven = IRIS.thing("municipality", "04012000")
    assert _values(result.triples, bremerhaven, KEP["state"]) == {IRIS.thing("state", "04")}
    assert KEP["CityState"] in _values(result.triples, IRIS.thing("state", "04"), RDF["type"])
    assert KEP["CityState"] not in _values(result.triples, IRIS.thing("state", "05"), RDF["type"])
    graph = IRIS.graph("municipalities")
    assert _values(result.triples, graph, KEP["populationReferenceDate"]) == {
        Literal("2019-12-31", datatype=XSD["date"])}
    [doc] = result.documents
    assert len(doc.sha256) == 64 and doc.url.startswith("https://www.destatis.de/")


def test_register_subset_validates(tmp_path: Path) -> None:
    """The whole register validates in the pipeline; here a 300-row copy keeps the test fast."""
    folder = tmp_path / "municipalities"
    shutil.copytree(SOURCES / "municipalities", folder)
    csv_path = folder / "snapshots" / "gemeinden_ags.csv"
    lines = csv_path.read_text("utf-8").splitlines(keepends=True)
    keep = lines[:300] + [line for line in lines if line.startswith(("05334002,", "04012000,", "10042999,"))]
    csv_path.write_text("".join(keep), encoding="utf-8")
    result = _harvest("municipalities", tmp_path)
    report = validate_graph(result.triples, source="municipalities")
    assert report.conforms, report.summary()
    # the unpopulated area without coordinates is a warning, not a violation
    assert [r.focus for r in report.warnings] == [IRIS.thing("municipality", "10042999").value]
    assert undeclared_kep_terms(result.triples) == set()


def test_register_rejects_bad_options_and_rows(tmp_path: Path) -> None:
    folder = tmp_path / "municipalities"
    shutil.copytree(SOURCES / "municipalities", folder)
    yaml_path = folder / "source.yaml"
    yaml_path.write_text(yaml_path.read_text("utf-8").replace("territory_date:", "territory_dat:"), "utf-8")
    with pytest.raises(SourceError) as err:
        _harvest("municipalities", tmp_path)
    assert "source.yaml" in err.value.message and err.value.key == "options.territory_dat" and err.value.line
    yaml_path.write_text(yaml_path.read_text("utf-8").replace("territory_dat:", "territory_date:"), "utf-8")
    csv_path = folder / "snapshots" / "gemeinden_ags.csv"
    lines = csv_path.read_text("utf-8").splitlines(keepends=True)
    csv_path.write_text("".join(lines[:3] + ["5334002" + lines[3][8:]]), "utf-8")
    with pytest.raises(HarvestError, match=r"gemeinden_ags\.csv:4: AGS must have 8 digits"):
        _harvest("municipalities", tmp_path)


# ----------------------------------------------------------------------------------------- SDGs

def test_sdg_scheme(sdg: HarvestResult) -> None:
    t = sdg.triples
    typed = {cls: {x.subject for x in t if x.predicate == RDF["type"] and x.object == cls}
             for cls in (SDGO["Goal"], SDGO["Target"], SDGO["Indicator"])}
    assert len(typed[SDGO["Goal"]]) == 17
    assert len(typed[SDGO["Target"]]) == 169
    assert len(typed[SDGO["Indicator"]]) == 232
    g13 = NamedNode("http://metadata.un.org/sdg/13")
    assert Literal("Maßnahmen zum Klimaschutz", language="de") in _values(t, g13, SKOS["altLabel"])
    assert Literal("Climate action", language="en") in _values(t, g13, SKOS["altLabel"])
    prefs = _values(t, g13, SKOS["prefLabel"])
    assert {p.language for p in prefs} == {"de", "en"} and len(prefs) == 2
    assert Literal("Umgehend Maßnahmen zur Bekämpfung des Klimawandels und seiner Auswirkungen ergreifen",
                   language="de") in prefs
    assert _values(t, NamedNode("http://metadata.un.org/sdg/13.2"), SKOS["broader"]) == {g13}
    assert Literal("13.2", datatype=SDGO["SDGCodeCompact"]) in _values(
        t, NamedNode("http://metadata.un.org/sdg/13.2"), SKOS["notation"])
    shared = NamedNode("http://metadata.un.org/sdg/C200303")      # 1.5.1 = 11.5.1 = 13.1.1
    assert len(_values(t, shared, SKOS["broader"])) == 3
    assert len({p.language for p in _values(t, shared, SKOS["prefLabel"])}) == 2


def test_sdg_scheme_validates(sdg: HarvestResult) -> None:
    report = validate_graph(sdg.triples, source="sdg")
    assert report.conforms and not report.warnings, report.summary()


# ----------------------------------------------------------------------------------------- places

def test_places(places: HarvestResult) -> None:
    t = places.triples
    douala = IRIS.thing("foreign-municipality", "Q132830")
    assert KEP["ForeignMunicipality"] in _values(t, douala, RDF["type"])
    assert _values(t, douala, SKOS["exactMatch"]) == {WD["Q132830"]}
    assert _values(t, douala, KEP["country"]) == {EU_COUNTRY["CMR"]}
    assert _values(t, douala, WGS["lat"])
    cape_town = IRIS.thing("foreign-municipality", "Q5465")
    assert {Literal("Kapstadt", language="de"), Literal("Cape Town", language="en")} <= _values(
        t, cape_town, RDFS_NS["label"])
    lideta = IRIS.thing("foreign-municipality", "et-lideta")
    assert {KEP["ForeignMunicipality"], KEP["District"]} <= _values(t, lideta, RDF["type"])
    assert _values(t, lideta, KEP["districtOf"]) == {IRIS.thing("foreign-municipality", "Q3624")}
    assert not _values(t, lideta, SKOS["exactMatch"])
    mitte = IRIS.thing("municipality", "11000000-01")
    assert KEP["District"] in _values(t, mitte, RDF["type"])
    assert _values(t, mitte, KEP["districtOf"]) == {IRIS.thing("municipality", "11000000")}
    assert _values(t, mitte, KEP["districtNumber"]) == {Literal("01")}
    assert _values(t, mitte, SKOS["exactMatch"]) == {WD["Q163966"]}
    tk = IRIS.thing("municipality", "11000000-09")
    assert _values(t, tk, SKOS["exactMatch"]) == {WD["Q158089"]}
    assert _values(t, IRIS.thing("municipality", "05334002"), SKOS["exactMatch"]) == {WD["Q1017"]}
    cmr = EU_COUNTRY["CMR"]
    assert KEP["Country"] in _values(t, cmr, RDF["type"])
    assert {Literal("Kamerun", language="de"), Literal("Cameroon", language="en")} <= _values(
        t, cmr, RDFS_NS["label"])
    assert _values(t, cmr, SKOS["exactMatch"]) == {WD["Q1009"]}
    assert len(places.documents) == 2


def test_places_validate(places: HarvestResult) -> None:
    report = validate_graph(places.triples, source="places")
    assert report.conforms and not report.warnings, report.summary()
    assert [r.focus for r in report.infos] == [IRIS.thing("foreign-municipality", "et-lideta").value]


def test_places_bad_row(tmp_path: Path) -> None:
    shutil.copytree(SOURCES / "places", tmp_path / "places")
    csv_path = tmp_path / "places" / "snapshots" / "places.csv"
    csv_path.write_text(csv_path.read_text("utf-8").replace(",Q5468,Q5468,", ",Q5468,Durban,"), "utf-8")
    with pytest.raises(HarvestError, match=r"places\.csv:\d+: malformed key"):
        _harvest("places", tmp_path)


def test_every_reference_class_has_a_shape(register: tuple[HarvestResult, float], sdg: HarvestResult,
                                           places: HarvestResult) -> None:
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    onto = rdflib.Graph().parse(ROOT / "ontology" / "kep.ttl", format="turtle")
    targeted = {str(c) for c in shapes.objects(None, SH.targetClass)}
    types: dict[str, set[str]] = {}
    for result in (register[0], sdg, places):
        for t in result.triples:
            if t.predicate == RDF["type"]:
                types.setdefault(t.subject.value, set()).add(t.object.value)
    for node, classes in types.items():
        closure = {str(s) for c in classes for s in onto.transitive_objects(rdflib.URIRef(c), RDFS.subClassOf)}
        assert closure & targeted, f"{node} ({classes}) is not checked by any shape"


# ----------------------------------------------------------------------------------------- gazetteer

@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(SOURCES)


@pytest.mark.parametrize("name, kind, key, qid, country", [
    ("Aachen", "municipality", "05334002", "Q1017", "DEU"),
    ("Stadt Aachen", "municipality", "05334002", "Q1017", "DEU"),
    ("Berlin Mitte", "municipality", "11000000-01", "Q163966", "DEU"),
    ("Bezirksamt Mitte von Berlin", "municipality", "11000000-01", "Q163966", "DEU"),
    ("Treptow-Kopenick", "municipality", "11000000-09", "Q158089", "DEU"),
    ("Bremerhaven", "municipality", "04012000", "Q2706", "DEU"),
    ("Bremen", "municipality", "04011000", "Q24879", "DEU"),
    ("Kapstadt", "foreign-municipality", "Q5465", "Q5465", "ZAF"),
    ("Cape Town", "foreign-municipality", "Q5465", "Q5465", "ZAF"),
    ("Tschernihiw", "foreign-municipality", "Q157053", "Q157053", "UKR"),
    ("Chernihiv", "foreign-municipality", "Q157053", "Q157053", "UKR"),
    ("Douala (Kamerun)", "foreign-municipality", "Q132830", "Q132830", "CMR"),
    ("Lideta (Äthiopien)", "foreign-municipality", "et-lideta", None, "ETH"),
    ("DURBAN", "foreign-municipality", "Q5468", "Q5468", "ZAF"),
    ("Windhuk", "foreign-municipality", "Q3935", "Q3935", "NAM"),
    ("Cajamarca, Peru", "foreign-municipality", "Q205119", "Q205119", "PER"),
    ("Koeln", "municipality", "05315000", None, "DEU"),
    ("Köln", "municipality", "05315000", None, "DEU"),
])
def test_gazetteer_resolves(gazetteer: Gazetteer, name: str, kind: str, key: str, qid: str | None,
                            country: str) -> None:
    place = gazetteer.resolve(name)
    assert place is not None, name
    assert (place.kind, place.key, place.qid, place.country) == (kind, key, qid, country)
    assert place.iri(IRIS).value == f"https://kep.example.org/id/{kind}/{key}"


def test_gazetteer_misses_and_country_filter(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Atlantis") is None
    assert gazetteer.resolve("Durban", country="Kamerun") is None
    assert gazetteer.country("Südafrika") == "ZAF" and gazetteer.country("CM") == "CMR"
    assert gazetteer.by_key("11000000-09").label == "Treptow-Köpenick"
    assert normalize("Treptow-Köpenick") == "treptow koepenick"
