"""Place names on pages resolve through the gazetteer (lod/gazetteer.py), run through the ``html`` harvester:
partner cities with QID and country (a country in brackets disambiguates), German municipalities and Berlin
districts from the register, an optional ``options.places`` override, and unresolved or ambiguous names as
warnings whose facts are skipped (never an invented IRI)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import yaml
from pyoxigraph import Literal, NamedNode, Triple

from lod.harvest.base import Document, HarvestContext, HarvestResult, sha256
from lod.harvest.html_page import harvest
from lod.namespaces import DCT, EU_COUNTRY, KEP, OWL, RDF, RDFS, SKOS, Iris
from lod.sources import load_source
from tests.conftest import ROOT

BASE = "https://kep.example.org/"
IRIS = Iris(BASE)
URL = "https://www.example.org/kep/"


def _run(tmp_path: Path, partners: str, places: str = "Bremen und Bremerhaven", *,
         overrides: dict[str, dict[str, str]] | None = None, sources_dir: Path = ROOT / "sources") -> HarvestResult:
    page = (f"<html><body><main><p>Wir pflegen kommunale Partnerschaften mit {partners}.</p>"
            f"<p>Das Projekt Musterprojekt wird in den Städten {places} angestrebt.</p></main></body></html>")
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    options: dict[str, object] = {
        "municipality": {"key": "05334002", "label": "Aachen"}, "content": "main",
        "rules": [
            {"name": "partnerships", "type": "partnership", "select": "p",
             "pattern": r"Partnerschaften mit (?P<partners>[^.]+)\.", "kind": "town-twinning"},
            {"name": "project", "type": "project", "select": "p", "pattern": r"Das Projekt (?P<name>\w+)",
             "required": True},
            {"name": "places", "type": "place_involved", "select": "p",
             "pattern": r"in den Städten (?P<places>[^.]+?) angestrebt"},
        ]}
    if overrides:
        options["places"] = overrides
    (folder / "source.yaml").write_text(yaml.safe_dump({
        "title": "Test", "kind": "html", "publisher": {"name": "Stadt Aachen", "key": "05334002"},
        "licence": "http://dcat-ap.de/def/licenses/other-closed", "documents": [{"url": URL}],
        "options": options}, allow_unicode=True), encoding="utf-8")
    source = load_source(folder / "source.yaml")
    now = datetime.now(timezone.utc)

    def fetch(url: str, **_: object) -> Document:
        return Document(url=url, retrieved=now, sha256=sha256(page), text=page)

    return harvest(source, HarvestContext(iris=IRIS, fetch=fetch, sources_dir=sources_dir, started=now))


def _has(result: HarvestResult, s: NamedNode, p: NamedNode, o: NamedNode) -> bool:
    return Triple(s, p, o) in result.triples


def _foreign(result: HarvestResult) -> set[str]:
    return {t.object.value.rsplit("/", 1)[-1] for t in result.triples if t.predicate == KEP["foreignPartner"]}


def test_partner_cities_resolve_with_qid_country_and_exact_match(tmp_path: Path) -> None:
    result = _run(tmp_path, "Douala (Kamerun), Lideta (Äthiopien) und Chernihiv (Ukraine)")
    assert _foreign(result) == {"Q132830", "et-lideta", "Q157053"}
    douala = IRIS.thing("foreign-municipality", "Q132830")
    assert _has(result, douala, KEP["country"], EU_COUNTRY["CMR"])        # the page names Kamerun
    assert Triple(douala, SKOS["altLabel"], Literal("Douala", language="de")) in result.triples
    # label and Wikidata link are graph/places' statements, not the page's
    assert not any(t.subject == douala and t.predicate in (RDFS["label"], SKOS["exactMatch"]) for t in result.triples)
    assert _has(result, IRIS.thing("foreign-municipality", "et-lideta"), KEP["country"], EU_COUNTRY["ETH"])
    assert not any(t.predicate == OWL["sameAs"] for t in result.triples)
    assert not any(t.subject == IRIS.thing("foreign-municipality", "et-lideta") and t.predicate == SKOS["exactMatch"]
                   for t in result.triples)              # no QID known: no Wikidata link invented
    assert result.warnings == []


def test_a_country_the_page_does_not_name_is_not_stated(tmp_path: Path) -> None:
    result = _run(tmp_path, "Durban und Windhoek")
    assert _foreign(result) == {"Q5468", "Q3935"}
    for qid in ("Q5468", "Q3935"):
        node = IRIS.thing("foreign-municipality", qid)
        assert _has(result, node, RDF["type"], KEP["ForeignMunicipality"])
        assert not any(t.subject == node and t.predicate in (KEP["country"], RDFS["label"]) for t in result.triples)


def test_country_in_brackets_disambiguates_and_a_mismatch_is_skipped(tmp_path: Path) -> None:
    result = _run(tmp_path, "Kapstadt (Namibia) und Windhoek (Namibia)")
    assert _foreign(result) == {"Q3935"}
    assert any("Kapstadt (Namibia)" in w and "unknown place" in w for w in result.warnings), result.warnings


def test_unknown_name_is_a_warning_and_no_iri_is_minted(tmp_path: Path) -> None:
    result = _run(tmp_path, "Atlantis und Durban")
    assert _foreign(result) == {"Q5468"}
    assert any("'Atlantis'" in w and "rule partnerships" in w for w in result.warnings), result.warnings
    assert not any("atlantis" in term.value.lower() for t in result.triples for term in (t.subject, t.object)
                   if isinstance(term, NamedNode))


def test_german_municipalities_and_berlin_districts_from_the_register(tmp_path: Path) -> None:
    project = IRIS.thing("project", "src-musterprojekt")
    result = _run(tmp_path, "Durban und Bremen", places="Bremen, Bremerhaven und Treptow-Köpenick")
    for key in ("04011000", "04012000", "11000000-09"):
        assert _has(result, project, DCT["spatial"], IRIS.thing("municipality", key)), key
    assert _foreign(result) == {"Q5468"}                 # Bremen is German: no foreign partnership
    assert result.warnings == []


def test_ambiguous_german_name_is_skipped_with_the_candidates(tmp_path: Path) -> None:
    result = _run(tmp_path, "Durban", places="Hohenstein und Bremerhaven")
    spatial = {t.object.value.rsplit("/", 1)[-1] for t in result.triples if t.predicate == DCT["spatial"]}
    assert spatial == {"05334002", "04012000"}
    assert any("ambiguous place 'Hohenstein'" in w and "06439006" in w for w in result.warnings), result.warnings


def test_override_for_a_name_the_gazetteer_cannot_know(tmp_path: Path) -> None:
    result = _run(tmp_path, "Atlantis (Peru)", overrides={"Atlantis": {"key": "pe-atlantis", "country": "PER"}})
    node = IRIS.thing("foreign-municipality", "pe-atlantis")
    assert _foreign(result) == {"pe-atlantis"}
    assert _has(result, node, KEP["country"], EU_COUNTRY["PER"])
    assert result.warnings == []


def test_without_reference_sources_only_overrides_resolve(tmp_path: Path) -> None:
    empty = tmp_path / "no-reference"
    empty.mkdir()
    result = _run(tmp_path, "Durban und Atlantis", overrides={"Atlantis": {"key": "pe-atlantis", "country": "PER"}},
                  sources_dir=empty)
    assert _foreign(result) == {"pe-atlantis"}
    assert any("'Durban'" in w and "options.places" in w for w in result.warnings), result.warnings
