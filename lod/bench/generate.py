"""``lod bench generate``: a deterministic, synthetic nationwide dataset in N-Quads, written streaming.

Built on the real register of German municipalities (AGS, names, population, state) and real twin-town
pairs (Wikidata P190, 2016 dump; partner countries from the English Wikipedia list), expanded with
synthetic partnerships, projects, grants, coordinator posts and SDG links. One named graph per
municipality (``{base}graph/bench-{AGS}``) plus ``{base}graph/bench-reference`` (states, foreign cities,
programmes). Every graph carries ``dct:description "synthetic benchmark data"``.

Same seed and size → byte-identical output (``random.Random`` seeded per municipality with a string).
"""

from __future__ import annotations

import csv
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lod.errors import ConfigError
from lod.namespaces import DCT, EU_COUNTRY, KEP, KEP_DEF, RDF, RDFS, SCHEMA, SDG, WGS, XSD, slugify

__all__ = ["SIZES", "parse_size", "generate", "Municipality", "load_municipalities", "SYNTHETIC_NOTE"]

SYNTHETIC_NOTE = "synthetic benchmark data"
SIZES = {"tiny": 4_000, "1m": 1_000_000, "5m": 5_000_000}
TINY_MUNICIPALITIES = 40
ROOT = Path(__file__).resolve().parents[2]
REGISTER_PATHS = (ROOT / "sources/municipalities/snapshots/gemeinden_ags.csv",
                  ROOT.parent / "shared/data/municipalities/gemeinden_ags.csv",
                  Path("/work/shared/data/municipalities/gemeinden_ags.csv"))
TWINNING_DIRS = (ROOT.parent / "shared/data/twinning", Path("/work/shared/data/twinning"))

# (ISO alpha-3, English name as in the Wikipedia list, weight for synthetic partners)
COUNTRIES: list[tuple[str, str, int]] = [
    ("FRA", "France", 60), ("POL", "Poland", 25), ("ITA", "Italy", 14), ("GBR", "United Kingdom", 14),
    ("AUT", "Austria", 10), ("HUN", "Hungary", 8), ("CZE", "Czech Republic", 8), ("USA", "United States", 8),
    ("NLD", "Netherlands", 6), ("BEL", "Belgium", 4), ("ESP", "Spain", 4), ("CHE", "Switzerland", 4),
    ("RUS", "Russia", 4), ("UKR", "Ukraine", 5), ("ROU", "Romania", 3), ("DNK", "Denmark", 3),
    ("SWE", "Sweden", 2), ("FIN", "Finland", 2), ("NOR", "Norway", 1), ("EST", "Estonia", 1),
    ("LVA", "Latvia", 1), ("LTU", "Lithuania", 2), ("SVK", "Slovakia", 2), ("SVN", "Slovenia", 1),
    ("HRV", "Croatia", 2), ("SRB", "Serbia", 1), ("BGR", "Bulgaria", 1), ("GRC", "Greece", 2),
    ("TUR", "Turkey", 3), ("ISR", "Israel", 3), ("PRT", "Portugal", 1), ("IRL", "Ireland", 1),
    ("LUX", "Luxembourg", 1), ("BLR", "Belarus", 1), ("MDA", "Moldova", 1), ("GEO", "Georgia", 1),
    ("ARM", "Armenia", 1), ("CHN", "China", 3), ("JPN", "Japan", 2), ("KOR", "South Korea", 1),
    ("IND", "India", 1), ("VNM", "Vietnam", 1), ("BRA", "Brazil", 1), ("NIC", "Nicaragua", 2),
    ("BOL", "Bolivia", 1), ("PER", "Peru", 1), ("MEX", "Mexico", 1), ("ARG", "Argentina", 1),
    ("CHL", "Chile", 1), ("CUB", "Cuba", 1), ("TZA", "Tanzania", 2), ("GHA", "Ghana", 1),
    ("BFA", "Burkina Faso", 2), ("CMR", "Cameroon", 1), ("NAM", "Namibia", 1), ("ZAF", "South Africa", 1),
    ("RWA", "Rwanda", 1), ("UGA", "Uganda", 1), ("KEN", "Kenya", 1), ("MLI", "Mali", 1),
    ("SEN", "Senegal", 1), ("MAR", "Morocco", 1), ("TUN", "Tunisia", 1), ("PSE", "Palestine", 1),
    ("MNG", "Mongolia", 1),
]
COUNTRY_BY_NAME = {name: code for code, name, _ in COUNTRIES}
KINDS = ["town-twinning"] * 6 + ["friendship"] * 2 + ["project-partnership", "climate-partnership",
                                                         "sustainability-partnership", "contact"]
STATUSES = ["active"] * 7 + ["dormant"] * 2 + ["ended", "planned", "in-preparation"]
FIELDS = ["municipal-partnerships", "fair-trade", "climate", "education-for-sustainable-development",
          "agenda-2030-localisation", "civil-society-engagement", "fair-procurement", "good-local-governance",
          "sustainable-urban-development", "migrant-participation", "environment", "resource-protection"]
PROGRAMMES = [("kommunales-know-how-fuer-nahost", "Kommunales Know-how für Nahost"),
              ("nakopa", "Nachhaltige Kommunale Partnerschaften (NAKOPA)"),
              ("kopa-2030", "Kommunale Partnerschaften Agenda 2030"),
              ("kepol", "Koordination kommunaler Entwicklungspolitik (KEpol)"),
              ("klimapartnerschaften", "Kommunale Klimapartnerschaften"),
              ("fkkp", "Förderprogramm kommunale Klimaschutz- und Klimaanpassungsprojekte (FKKP)")]
TOPICS = ["Wasserversorgung", "Abfallwirtschaft", "Schulpartnerschaft", "Solarenergie", "Jugendaustausch",
          "Gesundheitsstation", "Verwaltungskooperation", "Fairer Handel", "Klimaanpassung", "Stadtplanung",
          "Feuerwehr", "Berufsbildung", "Kulturaustausch", "Frauenförderung", "Digitalisierung"]
STATE_NAMES = {"01": "Schleswig-Holstein", "02": "Hamburg", "03": "Niedersachsen", "04": "Bremen",
               "05": "Nordrhein-Westfalen", "06": "Hessen", "07": "Rheinland-Pfalz", "08": "Baden-Württemberg",
               "09": "Bayern", "10": "Saarland", "11": "Berlin", "12": "Brandenburg",
               "13": "Mecklenburg-Vorpommern", "14": "Sachsen", "15": "Sachsen-Anhalt", "16": "Thüringen"}


def parse_size(text: str) -> int:
    """``tiny`` | ``1M`` | ``5M`` | ``250k`` | a number → target number of quads. :raises ConfigError: else."""
    t = text.strip().lower()
    if t in SIZES:
        return SIZES[t]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", t)
    if not m:
        raise ConfigError(f"--size {text!r}: expected tiny, 1M, 5M, 250k or a number of quads")
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)])


@dataclass(frozen=True)
class Municipality:
    ags: str
    name: str
    land: str
    population: int
    area: float
    type_code: str
    lat: str
    lon: str


def register_path() -> Path:
    """:raises ConfigError: the municipality register is in none of the known places."""
    for p in REGISTER_PATHS:
        if p.is_file():
            return p
    raise ConfigError("municipality register gemeinden_ags.csv not found in "
                      + ", ".join(str(p) for p in REGISTER_PATHS))


def load_municipalities(path: Path | None = None) -> list[Municipality]:
    out = []
    with open(path or register_path(), encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            out.append(Municipality(r["ags"], r["name"], r["land_code"], int(r["population"] or 0),
                                    float(r["area_km2"] or 0), r["type_code"], r["lat"], r["lon"]))
    return sorted(out, key=lambda m: m.ags)


def _short(name: str) -> str:
    return name.split(",")[0].strip()


def _twinning_dir() -> Path | None:
    return next((d for d in TWINNING_DIRS if (d / "wikidata_p190_2016_relations.tsv").is_file()), None)


def load_real_pairs(munis: list[Municipality]) -> tuple[dict[str, list[tuple[str, str, str]]], int]:
    """Real twin-town pairs: ``{ags: [(partner key, partner name, country code)]}`` and the pair count.

    A Wikidata pair counts when one side's name matches exactly one German municipality and the other
    side matches none; the partner's country comes from the Wikipedia list (else a seeded guess).
    """
    d = _twinning_dir()
    if d is None:
        return {}, 0
    by_name: dict[str, list[str]] = {}
    for m in munis:
        by_name.setdefault(_short(m.name), []).append(m.ags)
    names = {}
    with open(d / "wikidata_p190_2016_names.tsv", encoding="utf-8") as fh:
        for line in fh:
            q, _, n = line.rstrip("\n").partition("\t")
            names[q] = n
    city_country: dict[str, str] = {}
    wiki = d / "enwiki_sister_cities_2025.csv"
    if wiki.is_file():
        with open(wiki, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                code = COUNTRY_BY_NAME.get(r["country"])
                if code:
                    city_country.setdefault(r["city"], code)
    pairs: dict[str, list[tuple[str, str, str]]] = {}
    seen = set()
    codes = [c for c, _, _ in COUNTRIES]
    with open(d / "wikidata_p190_2016_relations.tsv", encoding="utf-8") as fh:
        for line in fh:
            a, _, b = line.rstrip("\n").partition("\t")
            for x, y in ((a, b), (b, a)):
                gx, gy = by_name.get(names.get(x, "")), by_name.get(names.get(y, ""))
                if gx and len(gx) == 1 and not gy and y in names and (gx[0], y) not in seen:
                    seen.add((gx[0], y))
                    country = city_country.get(names[y]) or codes[int(y[1:]) % len(codes)]
                    pairs.setdefault(gx[0], []).append((y, names[y], country))
    return pairs, len(seen)


def _foreign_pool(seed: int) -> list[tuple[str, str, str]]:
    """Foreign cities for synthetic partners: (key, name, country), from the Wikipedia list, weighted."""
    d = _twinning_dir()
    cities: list[tuple[str, str, str]] = []
    if d is not None and (d / "enwiki_sister_cities_2025.csv").is_file():
        seen = set()
        with open(d / "enwiki_sister_cities_2025.csv", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                code = COUNTRY_BY_NAME.get(r["country"])
                key = f"{code.lower()}-{slugify(r['city'])}" if code else ""
                if code and slugify(r["city"]) and key not in seen:
                    seen.add(key)
                    cities.append((key, r["city"], code))
    rnd = random.Random(f"{seed}-pool")
    for code, cname, weight in COUNTRIES:   # synthetic towns so that every country has enough partners
        for i in range(weight * 20):
            name = f"{cname} Town {i + 1}"
            cities.append((f"{code.lower()}-bench-{i + 1}", name, code))
    rnd.shuffle(cities)
    weight = {c: w for c, _, w in COUNTRIES}
    return [c for c in cities for _ in range(weight[c[2]] > 3 and 2 or 1)]


def _lit(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


class _Writer:
    """Writes N-Quads lines for one graph at a time and counts them."""

    def __init__(self, out: IO[str]) -> None:
        self.out, self.count, self.g = out, 0, ""

    def q(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> {o} {self.g} .\n")
        self.count += 1


def _iri(v: str) -> str:
    return f"<{v}>"


def _typed(v: object, dt: str) -> str:
    return f'"{v}"^^<{XSD}{dt}>'


T, LABEL, DESC = RDF["type"].value, RDFS["label"].value, DCT["description"].value


def generate(out: IO[str], size: int, *, seed: int = 1, base: str = "https://kep.example.org/",
             register: Path | None = None) -> dict[str, int]:
    """Write the dataset to ``out``; returns counts (quads, graphs, partnerships, real_pairs, …)."""
    munis = load_municipalities(register)
    if size <= SIZES["tiny"] * 5:
        step = max(1, len(munis) // TINY_MUNICIPALITIES)
        munis = munis[::step][:TINY_MUNICIPALITIES]
    real, real_total = load_real_pairs(munis)
    pool = _foreign_pool(seed)
    w = _Writer(out)
    stats = {"municipalities": len(munis), "partnerships": 0, "real_pairs": 0, "projects": 0, "grants": 0,
             "posts": 0, "graphs": 0}
    used_foreign: dict[str, tuple[str, str]] = {}
    weights = [1.0 + math.log10(m.population + 10) ** 2 for m in munis]
    total_w = sum(weights)
    budget = size * 0.985           # the reference graph takes the rest
    target = 0.0                    # cumulative: an overshoot in one graph shortens the next ones
    for m, wt in zip(munis, weights):
        target += budget * wt / total_w
        _municipality_graph(w, m, seed, base, int(target), real.get(m.ags, []), pool, used_foreign, stats)
    _reference_graph(w, base, used_foreign, seed)
    stats["graphs"] = len(munis) + 1
    stats["quads"] = w.count
    stats["real_pairs_available"] = real_total
    return stats


def _graph_header(w: _Writer, base: str, slug: str) -> None:
    g = f"{base}graph/{slug}"
    w.g = _iri(g)
    w.q(g, DESC, _lit(SYNTHETIC_NOTE))
    w.q(g, RDFS["comment"].value, _lit("Generated by 'lod bench generate'; not real data about this municipality."))


def _municipality_graph(w: _Writer, m: Municipality, seed: int, base: str, quota: int,  # quota: cumulative
                        real: list[tuple[str, str, str]], pool: list[tuple[str, str, str]],
                        used_foreign: dict[str, tuple[str, str]], stats: dict[str, int]) -> None:
    rnd = random.Random(f"{seed}-{m.ags}")
    _graph_header(w, base, f"bench-{m.ags}")
    mi = f"{base}id/municipality/{m.ags}"
    w.q(mi, T, _iri(KEP["Municipality"].value))
    w.q(mi, LABEL, _lit(_short(m.name)))
    w.q(mi, KEP["ags"].value, _lit(m.ags))
    w.q(mi, KEP["state"].value, _iri(f"{base}id/state/{m.land}"))
    w.q(mi, KEP["country"].value, _iri(EU_COUNTRY["DEU"].value))
    w.q(mi, KEP["population"].value, _typed(m.population, "integer"))
    w.q(mi, KEP["area"].value, _typed(m.area, "decimal"))
    w.q(mi, KEP["municipalityType"].value, _iri(f"{KEP_DEF}municipality-type/{m.type_code}"))
    if m.lat and m.lon:
        w.q(mi, WGS["lat"].value, _typed(m.lat, "decimal"))
        w.q(mi, WGS["long"].value, _typed(m.lon, "decimal"))
    partners = list(real)
    n = 0
    while w.count < quota:
        if n < len(partners):
            key, name, country = partners[n]
            stats["real_pairs"] += 1
        else:
            key, name, country = pool[rnd.randrange(len(pool))]
        n += 1
        used_foreign[key] = (name, country)
        _partnership(w, rnd, base, m, mi, n, key, name, stats)
    if rnd.random() < 0.3:
        post = f"{base}id/post/{m.ags}-kep-coordinator"
        w.q(post, T, _iri(KEP["CoordinatorPost"].value))
        w.q(post, LABEL, _lit(f"Koordination kommunale Entwicklungspolitik {_short(m.name)}"))
        w.q(post, KEP["fundedBy"].value, _iri(f"{base}id/programme/kepol"))
        w.q(post, KEP["startDate"].value, _typed(f"{rnd.randint(2014, 2024)}-01-01", "date"))
        stats["posts"] += 1


def _partnership(w: _Writer, rnd: random.Random, base: str, m: Municipality, mi: str, n: int,
                 key: str, name: str, stats: dict[str, int]) -> None:
    fi = f"{base}id/foreign-municipality/{key}"
    p = f"{base}id/partnership/{m.ags}--{key}"
    stats["partnerships"] += 1
    w.q(p, T, _iri(KEP["Partnership"].value))
    w.q(p, LABEL, _lit(f"{_short(m.name)} – {name}"))
    w.q(p, KEP["germanPartner"].value, _iri(mi))
    w.q(p, KEP["foreignPartner"].value, _iri(fi))
    w.q(mi, KEP["twinnedWith"].value, _iri(fi))
    w.q(p, KEP["partnershipKind"].value, _iri(f"{KEP_DEF}partnership-kind/{rnd.choice(KINDS)}"))
    w.q(p, KEP["status"].value, _iri(f"{KEP_DEF}status/{rnd.choice(STATUSES)}"))
    w.q(p, KEP["startDate"].value, _typed(f"{rnd.randint(1950, 2024)}-{rnd.randint(1, 12):02d}-01", "date"))
    for f in rnd.sample(FIELDS, rnd.randint(1, 3)):
        w.q(p, KEP["fieldOfAction"].value, _iri(f"{KEP_DEF}field-of-action/{f}"))
    for g in rnd.sample(range(1, 18), rnd.randint(0, 3)):
        w.q(p, KEP["statedSDG"].value, _iri(f"{SDG}{g}"))
    for j in range(rnd.choice((0, 0, 1, 1, 2, 3))):
        stats["projects"] += 1
        pr = f"{base}id/project/bench-{m.ags}-{n}-{j + 1}"
        topic = rnd.choice(TOPICS)
        y = rnd.randint(2005, 2025)
        w.q(pr, T, _iri(KEP["Project"].value))
        w.q(pr, LABEL, _lit(f"{topic}: {_short(m.name)} und {name}"))
        w.q(pr, DESC, _lit(f"Synthetisches Projekt zu {topic} in der Partnerschaft {_short(m.name)} – {name}."))
        w.q(pr, KEP["implementedBy"].value, _iri(mi))
        w.q(pr, KEP["partOfPartnership"].value, _iri(p))
        w.q(pr, KEP["startDate"].value, _typed(f"{y}-{rnd.randint(1, 12):02d}-01", "date"))
        w.q(pr, KEP["endDate"].value, _typed(f"{y + rnd.randint(1, 4)}-12-31", "date"))
        w.q(pr, KEP["status"].value, _iri(f"{KEP_DEF}status/{rnd.choice(('active', 'completed', 'planned'))}"))
        w.q(pr, KEP["fieldOfAction"].value, _iri(f"{KEP_DEF}field-of-action/{rnd.choice(FIELDS)}"))
        for g in rnd.sample(range(1, 18), rnd.randint(1, 3)):
            w.q(pr, KEP["statedSDG"].value, _iri(f"{SDG}{g}"))
        if rnd.random() < 0.6:
            stats["grants"] += 1
            gr = f"{base}id/grant/bench-{m.ags}-{n}-{j + 1}"
            prog = rnd.choice(PROGRAMMES)[0]
            w.q(pr, KEP["grant"].value, _iri(gr))
            w.q(pr, KEP["fundedBy"].value, _iri(f"{base}id/programme/{prog}"))
            w.q(gr, T, _iri(KEP["Grant"].value))
            w.q(gr, KEP["fundedBy"].value, _iri(f"{base}id/programme/{prog}"))
            w.q(gr, KEP["recipient"].value, _iri(mi))
            w.q(gr, KEP["fundedItem"].value, _iri(pr))
            w.q(gr, SCHEMA["amount"].value, _typed(f"{rnd.randint(5, 500) * 1000}.00", "decimal"))
            w.q(gr, KEP["fundingRate"].value, _typed(f"0.{rnd.choice((75, 80, 90, 95))}", "decimal"))


def _reference_graph(w: _Writer, base: str, used: dict[str, tuple[str, str]], seed: int) -> None:
    _graph_header(w, base, "bench-reference")
    for code, name in STATE_NAMES.items():
        s = f"{base}id/state/{code}"
        w.q(s, T, _iri(KEP["State"].value))
        w.q(s, LABEL, _lit(name))
    for slug, label in PROGRAMMES:
        s = f"{base}id/programme/{slug}"
        w.q(s, T, _iri(KEP["FundingProgramme"].value))
        w.q(s, LABEL, _lit(label))
    for key in sorted(used):
        name, country = used[key]
        s = f"{base}id/foreign-municipality/{key}"
        w.q(s, T, _iri(KEP["ForeignMunicipality"].value))
        w.q(s, LABEL, _lit(name))
        w.q(s, KEP["country"].value, _iri(EU_COUNTRY[country].value))


def generate_file(path: Path, size: int, *, seed: int = 1, base: str = "https://kep.example.org/") -> dict[str, int]:
    """Write to ``path`` (via ``path.tmp`` + rename). :returns: the counts of :func:`generate`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20, newline="\n") as fh:
        stats = generate(fh, size, seed=seed, base=base)
    tmp.replace(path)
    return stats


def graphs_in(path: Path) -> Iterator[str]:
    """Distinct graph IRIs of a generated file, in order (graphs are contiguous)."""
    last = None
    with open(path, "rb") as fh:
        for line in fh:
            g = line[line.rstrip(b" .\n").rfind(b" <") + 2:].split(b">", 1)[0].decode()
            if g != last:
                last = g
                yield g
