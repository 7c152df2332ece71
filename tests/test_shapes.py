"""SHACL shapes: they parse, every class has a shape, every message is bilingual; the valid example passes and
each hand-made broken example is rejected naming the offending node, in German and English."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from pyoxigraph import RdfFormat, parse
from rdflib.namespace import OWL, RDF, RDFS, SH

from lod.errors import ValidationFailed
from lod.namespaces import KEP
from lod.validate import ValidationReport, undeclared_kep_terms, validate_graph

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "ontology" / "shapes.ttl"
DATA = Path(__file__).resolve().parent / "data" / "shapes"
BASE = "https://kep.example.org/id/"


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "kep.ttl", format="turtle")


def test_shapes_parse(shapes: rdflib.Graph) -> None:
    assert len(set(shapes.subjects(RDF.type, SH.NodeShape))) > 25


def test_every_kep_class_is_targeted(shapes: rdflib.Graph, onto: rdflib.Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    for cls in onto.subjects(RDF.type, OWL.Class):
        supers = set(onto.transitive_objects(cls, RDFS.subClassOf))
        assert supers & targeted, f"no shape targets {cls} or a superclass"


def test_every_constraint_has_german_and_english_message(shapes: rdflib.Graph) -> None:
    helpers = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if str(s).split("#")[-1].startswith("In")}
    # members of sh:or / sh:in lists are parts of one constraint; its message is on the shape holding the list
    in_lists = {m for head in shapes.objects(None, SH["or"]) for m in Collection(shapes, head)}
    checked = 0
    for shape in set(shapes.subjects(SH.path, None)) | set(shapes.subjects(SH.select, None)) | \
            set(shapes.subjects(SH.pattern, None)) | set(shapes.subjects(SH.targetClass, None)):
        if any((h, SH.property, shape) in shapes for h in helpers):
            continue
        if shape in set(shapes.objects(None, SH.qualifiedValueShape)) | in_lists:
            continue
        has_constraint = any(shapes.value(shape, p) is not None for p in (
            SH.minCount, SH.maxCount, SH.datatype, SH.pattern, SH.nodeKind, SH.node, SH["class"], SH.select,
            SH.qualifiedMinCount, SH.uniqueLang, SH.hasValue, SH["in"], SH.minInclusive, SH["or"]))
        if not has_constraint:
            continue
        langs = sorted(m.language for m in shapes.objects(shape, SH.message))
        assert langs == ["de", "en"], f"{shape}: sh:message languages {langs}"
        checked += 1
    assert checked > 60


def test_valid_example_conforms() -> None:
    report = validate_graph(DATA / "valid.ttl", source="valid")
    assert report.conforms, report.summary()
    assert not report.warnings, report.summary()
    assert undeclared_kep_terms((DATA / "valid.ttl").read_text("utf-8")) == set()


def test_pyoxigraph_triples_validate_like_turtle() -> None:
    triples = [q.triple for q in parse(path=str(DATA / "broken" / "partnership-without-partners.ttl"),
                                      format=RdfFormat.TURTLE)]
    a = validate_graph(triples)
    b = validate_graph(DATA / "broken" / "partnership-without-partners.ttl")
    assert [(r.focus, r.path) for r in a.results] == [(r.focus, r.path) for r in b.results]


BROKEN = [
    # file, offending node, property, a word the German message must contain, one the English must contain
    ("partnership-without-partners", "partnership/05334002--Q5465", "partner", "zwei Partner", "two partners"),
    ("partnership-unknown-kind", "partnership/05334002--Q157053", "partnershipKind", "Art der Partnerschaft",
     "Partnership kind"),
    ("german-partner-not-partner", "partnership/04011000--Q5468", None, "deutsche Partner", "German partner"),
    ("derived-sdg-without-record", "project/aachen-fairtrade-messe", None, "Nachweis", "no record"),
    ("sdg-minted-copy", "project/mitte-sdg17", "statedSDG", "UN-URI", "UN URI"),
    ("post-with-person", "post/11000000-01-kep-coordinator", "org:heldBy", "Keine Personennamen", "No personal names"),
    ("grant-rate-percent", "post/05334002-kep-coordinator#grant", "fundingRate", "zwischen 0 und 1",
     "between 0 and 1"),
    ("event-without-date", "event/treptow-koepenick-workshop-cajamarca", "startDate", "Veranstaltung",
     "event"),
    ("participation-bad-role", "project/bremen-x#p", "organisationRole", "IATI-Rolle", "IATI role"),
    ("date-as-text", "partnership/11000000-01--et-lideta", "startDate", "Datum", "date"),
]


@pytest.mark.parametrize("name, node, prop, word_de, word_en", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_example_is_rejected(name: str, node: str, prop: str | None, word_de: str, word_en: str) -> None:
    report = validate_graph(DATA / "broken" / f"{name}.ttl", source=name)
    assert not report.conforms
    focus = BASE + node
    path = None if prop is None else ("http://www.w3.org/ns/org#heldBy" if prop == "org:heldBy" else str(KEP) + prop)
    hits = [r for r in report.violations if r.focus == focus and r.path == path]
    assert hits, report.summary()
    hit = hits[0]
    assert word_de in hit.message_de and word_en in hit.message_en, (hit.message_de, hit.message_en)
    assert hit.message_de != hit.message_en
    assert focus in hit.text("de") and focus in hit.text("en")
    assert hit.source == name and hit.text("de").startswith(f"{name}: ")
    with pytest.raises(ValidationFailed) as err:
        report.raise_for_violations()
    assert focus in err.value.message and name in err.value.message


def test_partnership_without_partners_message_names_node_in_both_languages() -> None:
    report = validate_graph(DATA / "broken" / "partnership-without-partners.ttl", source="aachen")
    [hit] = [r for r in report.violations if r.path == str(KEP) + "partner"]
    assert hit.text("de") == (f"aachen: <{BASE}partnership/05334002--Q5465> kep:partner: " + hit.message_de)
    assert "Die Partnerschaft nennt keine zwei Partner" in hit.message_de
    assert "The partnership does not name two partners" in hit.message_en


def test_report_is_empty_for_empty_graph() -> None:
    report = validate_graph([])
    assert isinstance(report, ValidationReport) and report.conforms and not report.results
    report.raise_for_violations()
