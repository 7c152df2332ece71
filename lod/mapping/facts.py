"""Builders: one function per kind of fact, each minting deterministic IRIs and KEP triples.

A :class:`Facts` accumulator collects the triples of one source. Builders get the values a rule matched
(plain strings) and the rule's static settings; they never guess: a value the page does not state is left
out. A place resolved through the gazetteer is described by its reference graph (``graph/places``, the
register): the page's graph states only the type the sentence implies, the name as the page writes it
(``skos:altLabel``) and the country when the page names it ("Kapstadt (Südafrika)"). Every thing gets an ``rdfs:label`` (the pipeline's change sentences use it) and, where a sentence of
the page is the basis, an evidence record ``<thing#src-{rule}> prov:entity <doc>; prov:value "sentence"@de``
reached with ``prov:qualifiedDerivation``.

Derived SDGs (rule ``sdg-rule/concept-mapping``): a thing with a field of action gets each
``kep:relatedSDG`` of that concept as ``kep:derivedSDG`` plus a ``kep:SDGDerivation`` record naming rule and
basis. Stated SDGs (``kep:statedSDG``) come only from text that names the goal ("SDG 17 …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from lod.errors import HarvestError
from lod.gazetteer import Gazetteer
from lod.namespaces import DCT, EU_COUNTRY, KEP, KEP_DEF, ORG, PROV, RDF, RDFS, SCHEMA, SDG, SKOS, WD, XSD, Iris, slugify

__all__ = ["Facts", "Place", "split_names", "related_sdgs", "BUILDERS"]

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
RULE_CONCEPT_MAPPING = KEP_DEF["sdg-rule/concept-mapping"]


@lru_cache(maxsize=4)
def related_sdgs(ontology_dir: str = str(ONTOLOGY_DIR)) -> dict[str, tuple[str, ...]]:
    """``{field-of-action or certification-kind concept IRI: (SDG IRI, …)}`` from the concept schemes."""
    out: dict[str, list[str]] = {}
    for path in sorted(Path(ontology_dir).glob("schemes/*.ttl")):
        for quad in parse(path=str(path), format=RdfFormat.TURTLE):
            if quad.predicate == KEP["relatedSDG"]:
                out.setdefault(quad.subject.value, []).append(quad.object.value)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def split_names(text: str, known: dict[str, str] | None = None) -> list[str]:
    """'Douala (Kamerun) und Lideta (Äthiopien)' → ['Douala (Kamerun)', 'Lideta (Äthiopien)'].

    A comma-separated part that is a ``known`` term (e.g. 'Teilhabe von Seniorinnen und Senioren') is kept
    whole; other parts are split further at 'und' / 'sowie'.
    """
    out = []
    for chunk in re.split(r"\s*[,;]\s*", text.strip().rstrip(".")):
        if known is not None and re.sub(r"\s+", " ", chunk).strip().lower() in known:
            out.append(chunk.strip())
            continue
        out += [p.strip() for p in re.split(r"\s+(?:und|sowie)\s+", chunk) if p.strip()]
    return out


@dataclass(frozen=True)
class Place:
    """A place a page names: ``name`` as the page writes it, the IRI key and country from the gazetteer
    (:mod:`lod.gazetteer`, then ``reference`` is true: a reference graph describes the place) or from the
    source's ``options.places`` override (stated by the source itself)."""

    name: str
    key: str                  # Wikidata QID or {ISO alpha-2}-{slug}; for German municipalities the AGS
    country: str | None       # ISO alpha-3
    german: bool = False
    qid: str | None = None    # Wikidata QID (a QID key counts as one)
    stated_country: str | None = None   # ISO alpha-3 of the country the page names in brackets
    reference: bool = False   # resolved through the gazetteer: label, country, Wikidata link are reference data

    @property
    def wikidata(self) -> str | None:
        return self.qid or (self.key if re.fullmatch(r"Q[1-9][0-9]*", self.key) else None)


@dataclass
class Facts:
    """Triples of one source plus what earlier rules found (partnerships, office, post …)."""

    iris: Iris
    source: str                                   # source slug (used in project/event keys)
    municipality_key: str
    municipality_label: str
    places: dict[str, Place] = field(default_factory=dict)     # options.places: names the gazetteer lacks
    gazetteer: Gazetteer | None = None
    terms: dict[str, str] = field(default_factory=dict)     # lower-cased text → field-of-action slug
    doc_url: str = ""
    lang: str = "de"                              # language of the page (tag of the names it writes)
    page_date: str | None = None                  # ISO date the page states about itself
    triples: list[Triple] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    found: dict[str, list[NamedNode]] = field(default_factory=dict)

    # -- helpers ----------------------------------------------------------------------------------------
    @property
    def municipality(self) -> NamedNode:
        return self.iris.thing("municipality", self.municipality_key)

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.triples.append(Triple(s, p, o))

    def remember(self, role: str, node: NamedNode) -> None:
        nodes = self.found.setdefault(role, [])
        if node not in nodes:
            nodes.append(node)

    def label(self, s: NamedNode, text: str) -> None:
        self.add(s, RDFS["label"], Literal(text, language="de"))

    def evidence(self, s: NamedNode, rule: str, sentence: str) -> None:
        node = NamedNode(f"{s.value}#src-{slugify(rule)}")
        self.add(s, PROV["qualifiedDerivation"], node)
        self.add(node, PROV["entity"], NamedNode(self.doc_url))
        self.add(node, PROV["value"], Literal(sentence, language="de"))

    def place(self, name: str, rule: str = "") -> Place | None:
        """Resolve a place name as the page writes it ("Douala (Kamerun)", "Bremerhaven").

        The source's ``options.places`` override comes first, then the gazetteer, with a country in brackets
        narrowing the search. Unknown or ambiguous names (several unrelated places, none curated) give a
        warning and None: the caller skips the fact rather than invent an IRI.
        """
        bare = re.sub(r"\s*\(.*\)\s*$", "", name).strip()
        if bare.lower() in self.places:
            return self.places[bare.lower()]
        where = f"{self.doc_url}: rule {rule}: " if rule else f"{self.doc_url}: "
        if self.gazetteer is None:
            self.warnings.append(f"{where}unknown place {name!r} (no gazetteer in this sources folder; "
                                 "add it to options.places)")
            return None
        found = self.gazetteer.candidates(name)
        bracket = re.search(r"\(([^)]*)\)\s*$", name)
        if not found and bracket and self.gazetteer.country(bracket.group(1)) is None:
            found = self.gazetteer.candidates(bare)     # brackets that name no country, e.g. "(Addis Abeba)"
        if not found:
            self.warnings.append(f"{where}unknown place {name!r} (not in the gazetteer; skipped — add it to "
                                 "sources/places or to options.places)")
            return None
        best = found[0]
        if not best.curated and len({p.key for p in found}) > 1:
            self.warnings.append(f"{where}ambiguous place {name!r}: "
                                 f"{', '.join(f'{p.label} ({p.key})' for p in found[:5])}; skipped — add it to "
                                 "options.places or name the country in brackets")
            return None
        stated = self.gazetteer.country(bracket.group(1)) if bracket else None
        return Place(bare, best.key, best.country, best.is_german, best.qid, stated_country=stated, reference=True)

    def field_slug(self, text: str) -> str | None:
        return self.terms.get(re.sub(r"\s+", " ", text).strip().lower())

    def fields(self, s: NamedNode, slugs: list[str], rule: str) -> None:
        """``kep:fieldOfAction`` plus the SDGs the concept-mapping rule derives from each field."""
        related = related_sdgs()
        for slug in slugs:
            concept = KEP_DEF[f"field-of-action/{slug}"]
            self.add(s, KEP["fieldOfAction"], concept)
            for sdg in related.get(concept.value, ()):
                number = sdg.rsplit("/", 1)[-1]
                record = NamedNode(f"{s.value}#derived-sdg-{number}-{slug}")
                self.add(s, KEP["derivedSDG"], NamedNode(sdg))
                self.add(s, KEP["sdgDerivation"], record)
                self.add(record, RDF["type"], KEP["SDGDerivation"])
                self.add(record, RDFS["label"], Literal(f"SDG {number} ← {slug}", language="en"))
                self.add(record, KEP["sdg"], NamedNode(sdg))
                self.add(record, KEP["rule"], RULE_CONCEPT_MAPPING)
                self.add(record, KEP["basis"], concept)

    def organisation(self, slug: str, label: str, cls: str) -> NamedNode:
        node = self.iris.thing("organization", slug)
        self.add(node, RDF["type"], KEP[cls])
        self.label(node, label)
        return node

    def foreign(self, place: Place) -> NamedNode:
        """The partner municipality's node: its type (the sentence names a municipality) and what the page
        states about it. A reference place (``graph/places``) gets the page's spelling as ``skos:altLabel``
        and a country only when the page names one; an ``options.places`` override, which no reference graph
        describes, keeps its label, country and Wikidata link here."""
        node = self.iris.thing("foreign-municipality", place.key)
        self.add(node, RDF["type"], KEP["ForeignMunicipality"])
        if place.reference:
            self.add(node, SKOS["altLabel"], Literal(place.name, language=self.lang))
            if place.stated_country:
                self.add(node, KEP["country"], EU_COUNTRY[place.stated_country])
            return node
        self.label(node, place.name)
        if place.country:
            self.add(node, KEP["country"], EU_COUNTRY[place.country])
        if place.wikidata:
            self.add(node, SKOS["exactMatch"], WD[place.wikidata])
        return node

    def partnership(self, place: Place, rule: str, sentence: str, kinds: list[str]) -> NamedNode:
        partner = self.foreign(place)
        node = self.iris.thing("partnership", f"{self.municipality_key}--{place.key}")
        self.add(node, RDF["type"], KEP["Partnership"])
        self.label(node, f"{self.municipality_label} – {place.name}")
        self.add(node, KEP["germanPartner"], self.municipality)
        self.add(node, KEP["foreignPartner"], partner)
        self.add(node, KEP["partner"], self.municipality)
        self.add(node, KEP["partner"], partner)
        self.add(self.municipality, KEP["twinnedWith"], partner)
        self.add(partner, KEP["twinnedWith"], self.municipality)
        for kind in kinds:
            self.add(node, KEP["partnershipKind"], KEP_DEF[f"partnership-kind/{kind}"])
        self.evidence(node, rule, sentence)
        self.remember("partnerships", node)
        return node


def _kinds(rule: dict[str, Any]) -> list[str]:
    kind = rule.get("kind", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _year(value: str) -> Literal:
    return Literal(value, datatype=XSD["gYear"])


def _date(text: str) -> Literal:
    """'1.12.2020' or '2020-12-01' → xsd:date."""
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text.strip())
    iso = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}" if m else text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        raise HarvestError(f"not a date: {text!r}")
    return Literal(iso, datatype=XSD["date"])


def _period(value: str) -> Literal:
    """'2027', 'Mitte 2027' (→ 2027-06), '2027-06', '1.12.2020' → the right XSD literal."""
    value = value.strip()
    m = re.fullmatch(r"(?:Mitte|mid)\s+(\d{4})", value, re.IGNORECASE)
    if m:
        return Literal(f"{m[1]}-06", datatype=XSD["gYearMonth"])
    if re.fullmatch(r"\d{4}", value):
        return _year(value)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD["gYearMonth"])
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", value)           # '03/2021' → 2021-03
    if m and 1 <= int(m[1]) <= 12:
        return Literal(f"{m[2]}-{int(m[1]):02d}", datatype=XSD["gYearMonth"])
    return _date(value)


def _amount(text: str) -> str:
    """'50.000 €', '12.500,50 EUR', '50000' → '50000', '12500.50' (xsd:decimal lexical form).

    :raises HarvestError: not an amount.
    """
    value = re.sub(r"\s*(€|EUR|Euro)\s*$", "", text.strip(), flags=re.IGNORECASE).replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?|\d+(,\d{1,2})?", value):
        value = value.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", value):
        raise HarvestError(f"not an amount in euro: {text!r}")
    return value


def label_of(f: "Facts", node: NamedNode) -> str | None:
    """The German label already stated for ``node`` in this source (None if none)."""
    for t in f.triples:
        if t.subject == node and t.predicate == RDFS["label"] and isinstance(t.object, Literal):
            return t.object.value
    return None


# --------------------------------------------------------------------------- builders
# Each builder: (facts, rule, groups, sentence) -> None. ``groups`` are the regex's named groups.

def partnership(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    for name in split_names(g["partners"]):
        place = f.place(name, rule["name"])
        if place is None:
            continue
        if place.german or place.key == f.municipality_key:
            f.remember("german_places", f.iris.thing("municipality", place.key))
            continue
        f.partnership(place, rule["name"], sentence, _kinds(rule))


def partnership_age(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """'existiert seit mehr als 20 Jahren' on a page dated 2020-12-03 → kep:startedBefore "2000"^^gYear."""
    if f.page_date is None:
        raise HarvestError(f"{f.doc_url}: rule {rule['name']} needs the page date (a 'page_date' rule before it)")
    bound = int(f.page_date[:4]) - int(g["years"])
    for node in f.found.get("partnerships", []):
        f.add(node, KEP["startedBefore"], _year(str(bound)))
        f.add(node, KEP["dateNote"], Literal(f"{sentence} (Stand {f.page_date})", language="de"))
        for kind in _kinds(rule):
            f.add(node, KEP["partnershipKind"], KEP_DEF[f"partnership-kind/{kind}"])
        f.evidence(node, rule["name"], sentence)


def page_date(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    f.page_date = _date(g["date"]).value
    doc = NamedNode(f.doc_url)
    f.add(doc, DCT["issued"], _date(g["date"]))
    if rule.get("genre"):
        f.add(doc, SCHEMA["genre"], Literal(rule["genre"], language="de"))


def certification(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    kind = rule.get("kind", "fairtrade-town")
    node = f.iris.thing("certification", f"{kind}-{f.municipality_key}")
    f.add(node, RDF["type"], KEP["FairtradeTownCertification" if kind == "fairtrade-town" else "Certification"])
    f.label(node, f"{rule.get('label', kind)} {f.municipality_label}")
    f.add(node, KEP["certificationKind"], KEP_DEF[f"certification-kind/{kind}"])
    f.add(node, KEP["certifiedEntity"], f.municipality)
    f.add(node, KEP["firstAwarded"], _year(g["year"]))
    f.evidence(node, rule["name"], sentence)


def coordination_office(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    node = f.iris.thing("organization", f"{f.municipality_key}-kep-coordination-office")
    f.add(node, RDF["type"], KEP["CoordinationOffice"])
    f.label(node, f"{g['name']} – {f.municipality_label}")
    f.add(node, ORG["unitOf"], f.municipality)
    f.evidence(node, rule["name"], sentence)
    f.remember("office", node)


def funded_post(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """A coordinator post funded through a programme, administered by an agency on behalf of a funder."""
    post = f.iris.thing("post", f"{f.municipality_key}-kep-coordinator")
    f.add(post, RDF["type"], KEP["CoordinatorPost"])
    f.label(post, f"{g['post']} – {f.municipality_label}")
    f.add(post, ORG["postIn"], f.municipality)
    funder = f.organisation(rule["funder"], rule.get("funder_label") or g["funder"], "FederalBody")
    # The administrator (e.g. the SKEW) is referred to by IRI and the name the page writes; its class and
    # parent organisation (org:unitOf) are reference data (sources/organizations) unless the rule states them.
    admin = f.iris.thing("organization", rule["administrator"])
    f.label(admin, rule.get("administrator_label") or g["administrator"])
    if isinstance(rule.get("administrator_unit_of"), dict):
        f.add(admin, RDF["type"], KEP["ServiceUnit"])
        parent = f.organisation(rule["administrator_unit_of"]["key"], rule["administrator_unit_of"]["label"], "Agency")
        f.add(admin, ORG["unitOf"], parent)
    programme = f.iris.thing("programme", rule["programme"])
    f.add(programme, RDF["type"], KEP["FundingProgramme"])
    f.label(programme, rule.get("programme_label", g["post"]))
    f.add(programme, SCHEMA["funder"], funder)
    f.add(programme, KEP["administeredBy"], admin)
    grant = f.iris.thing("grant", f"{f.municipality_key}-{rule['programme']}")
    f.add(grant, RDF["type"], KEP["Grant"])
    f.label(grant, f"Förderung: {g['post']} – {f.municipality_label}")
    f.add(grant, KEP["fundedBy"], programme)
    f.add(grant, SCHEMA["funder"], funder)
    f.add(grant, KEP["administeredBy"], admin)
    f.add(grant, KEP["recipient"], f.municipality)
    f.add(grant, KEP["fundedItem"], post)
    for node in (post, grant):
        if g.get("start"):
            f.add(node, KEP["startDate"], _period(g["start"]))
        if g.get("end"):
            f.add(node, KEP["endDate"], _period(g["end"]))
    f.add(post, KEP["grant"], grant)
    f.add(post, KEP["fundedBy"], programme)
    f.evidence(post, rule["name"], sentence)
    f.evidence(grant, rule["name"], sentence)
    f.remember("post", post)
    f.remember("grant", grant)


def project(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    node = f.iris.thing("project", f"{f.source}-{slugify(rule.get('key') or g['name'])}")
    f.add(node, RDF["type"], KEP["Project"])
    f.label(node, rule.get("label") or g["name"])
    f.add(node, DCT["spatial"], f.municipality)
    for key in rule.get("places", []):
        f.add(node, DCT["spatial"], f.iris.thing("municipality", str(key)))
    for grant in f.found.get("grant", []):
        f.add(node, KEP["grant"], grant)
    for p in f.found.get("partnerships", []):
        f.add(node, KEP["partOfPartnership"], p)
    f.fields(node, list(rule.get("fields", [])), rule["name"])
    f.evidence(node, rule["name"], sentence)
    f.remember("project", node)


def place_involved(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """Places named in the text (German municipalities) that take part in the projects found so far."""
    for name in split_names(g["places"]):
        place = f.place(name, rule["name"])
        if place is None or not place.german:
            continue
        for node in f.found.get("project", []):
            f.add(node, DCT["spatial"], f.iris.thing("municipality", place.key))


def field_of_action(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """Topics named in the text → fields of action of the subject (municipality, office or projects)."""
    slugs = []
    names = split_names(g["topics"], f.terms) if rule.get("split", True) else [g["topics"]]
    for name in names:
        slug = f.field_slug(name)
        if slug is None:
            f.warnings.append(f"{f.doc_url}: rule {rule['name']}: no field of action for {name!r}")
        elif slug not in slugs:
            slugs.append(slug)
    subjects = [f.municipality] if rule.get("subject", "municipality") == "municipality" \
        else f.found.get(rule["subject"], [])
    for s in subjects:
        f.fields(s, slugs, rule["name"])


def stated_sdg(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    goal = g["goal"]
    if not re.fullmatch(r"\d{1,2}(\.\w{1,2})?", goal) or not 1 <= int(goal.split(".")[0]) <= 17:
        raise HarvestError(f"{f.doc_url}: rule {rule['name']}: {goal!r} is not an SDG number")
    for role in rule.get("subjects", ["office"]):
        nodes = [f.municipality] if role == "municipality" else f.found.get(role, [])
        for s in nodes:
            f.add(s, KEP["statedSDG"], SDG[goal])
            f.evidence(s, rule["name"], sentence)


def commitment(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    slug = rule.get("key", "agenda-2030")
    node = f.iris.thing("commitment", f"{f.municipality_key}-{slug}")
    f.add(node, RDF["type"], KEP[rule.get("class", "Agenda2030Commitment")])
    f.label(node, f"{g.get('name') or rule.get('label', slug)} – {f.municipality_label}")
    f.add(node, KEP["commitmentKind"], KEP_DEF[f"commitment-kind/{rule.get('commitment_kind', 'agenda-2030-model-resolution')}"])
    f.add(node, KEP["committedBy"], f.municipality)
    f.evidence(node, rule["name"], sentence)


def programme_line(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    parent = f.iris.thing("programme", rule["programme"])
    funder = f.organisation(rule["funder"], rule["funder_label"], "FederalBody")
    f.add(parent, RDF["type"], KEP["FundingProgramme"])
    f.label(parent, rule["programme_label"])
    f.add(parent, SCHEMA["funder"], funder)
    line = f.iris.thing("programme", f"{rule['programme']}-{slugify(g['line'])[:60].strip('-')}")
    f.add(line, RDF["type"], KEP["ProgrammeLine"])
    f.label(line, g["line"])
    f.add(line, KEP["partOfProgramme"], parent)
    f.add(line, SCHEMA["funder"], funder)
    for ann in rule.get("annotate", []):
        if re.search(ann["match"], g["line"]):
            f.fields(line, [ann["field"]] if ann.get("field") else [], rule["name"])
            if ann.get("region"):
                f.add(line, KEP["targetRegion"], KEP_DEF[f"world-region/{ann['region']}"])
            if ann.get("country"):
                f.add(line, KEP["targetRegion"], EU_COUNTRY[ann["country"]])
    f.evidence(line, rule["name"], sentence)


def platform(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    node = f.organisation(rule.get("key") or slugify(g["name"]), g["name"], "Network")
    if g.get("description"):
        f.add(node, DCT["description"], Literal(g["description"], language="de"))
    if rule.get("supporter"):
        f.add(f.iris.thing("organization", rule["supporter"]), ORG["linkedTo"], node)
    f.fields(node, list(rule.get("fields", [])), rule["name"])
    f.evidence(node, rule["name"], sentence)


def event(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """An event; its date is the matched ``date`` (never invented): without one the IRI uses the page date
    and no date is stated."""
    stated = _date(g["date"]).value if g.get("date") else None
    key_date = stated or f.page_date or "undated"
    name = g.get("name") or rule.get("label", "veranstaltung")
    node = f.iris.thing("event", f"{f.source}-{key_date}-{slugify(rule.get('key') or name)[:60].strip('-')}")
    f.add(node, RDF["type"], KEP[rule.get("class", "Event")])
    f.label(node, name if not stated else f"{name} am {g['date']}")
    if stated:
        f.add(node, KEP["startDate"], Literal(stated, datatype=XSD["date"]))
    if rule.get("organizer"):
        f.add(node, KEP["organizer"], f.municipality)
    for p in f.found.get("partnerships", []):
        f.add(node, KEP["partOfPartnership"], p)
    if g.get("topics"):
        slugs = []
        for topic in split_names(g["topics"], f.terms):
            f.add(node, SCHEMA["keywords"], Literal(topic, language="de"))
            slug = f.field_slug(topic)
            if slug and slug not in slugs:
                slugs.append(slug)
        f.fields(node, slugs, rule["name"])
    f.evidence(node, rule["name"], sentence)
    f.remember("events", node)


def period(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """Start/end (groups ``start``, ``end``) and optionally ``status`` of the things found so far in role
    ``subject`` (default ``project``)."""
    for node in f.found.get(rule.get("subject", "project"), []):
        if g.get("start"):
            f.add(node, KEP["startDate"], _period(g["start"]))
        if g.get("end"):
            f.add(node, KEP["endDate"], _period(g["end"]))
        if rule.get("status"):
            f.add(node, KEP["status"], KEP_DEF[f"status/{rule['status']}"])
        f.evidence(node, rule["name"], sentence)


def grant(f: Facts, rule: dict[str, Any], g: dict[str, str], sentence: str) -> None:
    """A grant from a funding programme for each thing found so far in role ``subject`` (default ``project``).

    Rule settings: ``programme`` (slug; else the matched ``programme`` group, slugified), ``programme_label``,
    ``funder`` + ``funder_label`` (organisation, class ``funder_class``, default FederalBody). Groups:
    ``programme`` (name), ``amount`` (in euro, optional), ``start``/``end`` (optional).
    """
    prog_key = rule.get("programme") or slugify(g["programme"])[:60].strip("-")
    programme = f.iris.thing("programme", prog_key)
    prog_label = rule.get("programme_label") or g.get("programme") or prog_key
    f.add(programme, RDF["type"], KEP["FundingProgramme"])
    f.label(programme, prog_label)
    funder = None
    if rule.get("funder"):
        funder = f.organisation(rule["funder"], rule.get("funder_label") or g.get("funder") or rule["funder"],
                                rule.get("funder_class", "FederalBody"))
        f.add(programme, SCHEMA["funder"], funder)
    for item in f.found.get(rule.get("subject", "project"), []):
        node = f.iris.thing("grant", f"{item.value.rsplit('/', 1)[-1]}-{prog_key}")
        f.add(node, RDF["type"], KEP["Grant"])
        f.label(node, f"Förderung: {label_of(f, item) or prog_label}")
        f.add(node, KEP["fundedBy"], programme)
        if funder is not None:
            f.add(node, SCHEMA["funder"], funder)
        f.add(node, KEP["recipient"], f.municipality)
        f.add(node, KEP["fundedItem"], item)
        f.add(item, KEP["grant"], node)
        if g.get("amount"):
            amount = NamedNode(f"{node.value}#amount")
            f.add(node, SCHEMA["amount"], amount)
            f.add(amount, RDF["type"], SCHEMA["MonetaryAmount"])
            f.add(amount, SCHEMA["value"], Literal(_amount(g["amount"]), datatype=XSD["decimal"]))
            f.add(amount, SCHEMA["currency"], Literal("EUR"))
        if g.get("start"):
            f.add(node, KEP["startDate"], _period(g["start"]))
        if g.get("end"):
            f.add(node, KEP["endDate"], _period(g["end"]))
        f.evidence(node, rule["name"], sentence)
        f.remember("grant", node)


BUILDERS = {
    "partnership": partnership, "partnership_age": partnership_age, "page_date": page_date,
    "certification": certification, "coordination_office": coordination_office, "funded_post": funded_post,
    "project": project, "place_involved": place_involved, "field_of_action": field_of_action,
    "stated_sdg": stated_sdg, "commitment": commitment, "programme_line": programme_line,
    "platform": platform, "event": event, "period": period, "grant": grant,
}
