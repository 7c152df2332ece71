"""Kind ``curated``: a coordinator's own record (YAML or CSV) of partnerships, projects, funding,
certifications, the coordination office and post, and SDGs — see ``sources/TEMPLATE.md``.

Each document named in ``source.yaml`` is read through ``ctx.fetch`` (offline: its snapshot); a name or media
type ending in ``.csv`` / ``text/csv`` is read as CSV (one row per partnership, project or certification),
anything else as YAML. The records are mapped with the same builders as the ``html`` kind
(:mod:`lod.mapping.facts`), so a partnership stated here has the same IRIs and shape as one read from a page.
Every mistake is a :class:`~lod.errors.SourceError` naming the file, the line (CSV: the row's line and the
column) and the field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import NamedNode, RdfFormat, parse

from lod.errors import HarvestError, SourceError
from lod.harvest.base import DocRef, HarvestContext, HarvestResult, Source
from lod.harvest.html_page import municipality_of
from lod.mapping import facts as fb
from lod.mapping.facts import ONTOLOGY_DIR, Facts, Place
from lod.namespaces import KEP, KEP_DEF, ORG, RDF, SKOS

__all__ = ["harvest", "read_record", "ISO3"]

# ISO 3166-1 alpha-3 (officially assigned) plus XKX (Kosovo), as in the EU country authority table.
ISO3 = frozenset("""
AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BMU BTN BOL BES
BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN CXR CCK COL COM COG COD COK CRI CIV HRV
CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU
GHA GIB GRC GRL GRD GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM
JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT MHL MTQ
MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR OMN
PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU
SEN SRB SYC SLE SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO TKL
TON TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE XKX
""".split())

# Funding of a coordinator post when the record names none: the BMZ's KEpol programme administered by the
# SKEW (the same IRIs the html kind mints for Bremen's page). That the SKEW is a unit of Engagement Global is
# reference data (sources/organizations), not stated by the record.
POST_FUNDING = {
    "programme": "kepol-coordination",
    "programme_label": "Förderung von Stellen zur Koordination der kommunalen Entwicklungspolitik (KEpol)",
    "funder": "bmz", "funder_label": "Bundesministerium für wirtschaftliche Zusammenarbeit und Entwicklung (BMZ)",
    "administrator": "skew", "administrator_label": "Servicestelle Kommunen in der Einen Welt (SKEW)",
}
CERT_LABELS = {"fairtrade-town": "Fairtrade-Town"}

# Field specs: name -> (type, required). Types: str, "date", "year", "sdgs", "fields", "amount", dict spec.
_FUNDING = {"programme": ("slug", True), "programme_label": (str, True), "funder": ("slug", False),
            "funder_label": (str, False), "amount": ("amount", False), "start": ("date", False),
            "end": ("date", False)}
_PARTNER = {"name": (str, True), "qid": ("qid", False), "key": ("placekey", False), "country": ("country", True)}
SPEC: dict[str, dict[str, Any]] = {
    "municipality": {"ags": ("ags", True), "name": (str, True)},
    "coordination": {"office": (str, False), "post": ({"title": (str, True), "start": ("date", False),
                                                       "end": ("date", False), "funding": ("post_funding", False),
                                                       "status": ("status", False)}, False),
                     "sdgs": ("sdgs", False), "fields": ("fields", False)},
    "partnerships": {"partner": (_PARTNER, True), "kind": ("partnership-kind", True), "start": ("date", False),
                     "end": ("date", False), "status": ("status", False), "sdgs": ("sdgs", False),
                     "fields": ("fields", False), "note": (str, False)},
    "projects": {"title": (str, True), "partner": (str, False), "start": ("date", False), "end": ("date", False),
                 "status": ("status", False), "sdgs": ("sdgs", False), "fields": ("fields", False),
                 "funding": (_FUNDING, False), "note": (str, False)},
    "certifications": {"kind": ("certification-kind", True), "since": ("year", True)},
}
CSV_COLUMNS = ["type", "name", "qid", "key", "country", "kind", "title", "partner", "start", "end", "status",
               "sdgs", "fields", "programme", "programme_label", "funder", "funder_label", "amount", "since", "note"]


@lru_cache(maxsize=8)
def _concepts(scheme: str, ontology_dir: str = str(ONTOLOGY_DIR)) -> frozenset[str]:
    """Slugs of the concepts of ``https://w3id.org/kep/def/{scheme}`` (from ontology/schemes/*.ttl)."""
    target = NamedNode(f"{KEP_DEF}{scheme}")
    out = set()
    for path in Path(ontology_dir).glob("schemes/*.ttl"):
        for q in parse(path=str(path), format=RdfFormat.TURTLE):
            if q.predicate == SKOS["inScheme"] and q.object == target:
                out.add(q.subject.value.rsplit("/", 1)[-1])
    return frozenset(out)


@lru_cache(maxsize=2)
def _known_ags(sources_dir: str) -> frozenset[str]:
    path = Path(sources_dir) / "municipalities" / "snapshots" / "gemeinden_ags.csv"
    if not path.is_file():
        return frozenset()
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["ags"] for row in csv.DictReader(handle))


# --------------------------------------------------------------------------- where in the file

class Where:
    """Turns a field path into (line, key) for error messages: YAML lines from ``yaml.compose``, CSV rows."""

    def __init__(self, path: str, lines: dict[tuple[Any, ...], int] | None = None,
                 row: int | None = None, text: str | None = None) -> None:
        self.path, self._lines, self.row, self._text = path, lines, row, text

    @property
    def lines(self) -> dict[tuple[Any, ...], int]:
        """Line per field path; composed from the YAML ``text`` only when an error needs it."""
        if self._lines is None:
            self._lines = _yaml_lines(yaml.compose(self._text, Loader=_LOADER)) if self._text else {}
        return self._lines

    def error(self, message: str, at: tuple[Any, ...]) -> SourceError:
        if self.row is not None:
            column = next((str(p) for p in reversed(at) if isinstance(p, str) and p in CSV_COLUMNS), None)
            key = f"row {self.row}" + (f", column '{column}'" if column else "")
            return SourceError(f"{key}: {message}", path=self.path, line=self.row, key=key)
        key = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(at))
        line = next((self.lines[at[:n]] for n in range(len(at), 0, -1) if at[:n] in self.lines), 1)
        return SourceError(f"'{key}': {message}", path=self.path, line=line, key=key)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml: ~10× faster than the pure-Python one


def _yaml_lines(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    out = {path: node.start_mark.line + 1} if path else {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out[path + (str(k.value),)] = k.start_mark.line + 1
            out.update({p: ln for p, ln in _yaml_lines(v, path + (str(k.value),)).items() if p != path + (str(k.value),)})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_yaml_lines(v, path + (i,)))
    return out


# --------------------------------------------------------------------------- validation

def _date_text(value: Any) -> str | None:
    """A YAML/CSV date value → '2024', '2024-03' or '2024-03-01' (what facts._period reads), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and 1900 <= value <= 2100:
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            lit = fb._period(text)
        except HarvestError:
            return None
        if lit.value[:4].isdigit() and 1900 <= int(lit.value[:4]) <= 2100:
            if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", lit.value):
                try:
                    date(int(lit.value[:4]), int(lit.value[5:7]), int(lit.value[8:10] or 1))
                except ValueError:
                    return None
            return lit.value
    return None


def _list(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str):            # CSV cells: "6; 17" or "fair-trade climate"
        return [v for v in re.split(r"[;,\s]+", value) if v]
    return None


def _check(value: Any, typ: Any, at: tuple[Any, ...], where: Where, sources_dir: str) -> Any:
    """Validate one value against its spec type and return it normalised. :raises SourceError:."""
    if isinstance(typ, dict):
        if not isinstance(value, dict):
            raise where.error(f"must be a mapping with {', '.join(typ)}, got {type(value).__name__}", at)
        return _record(value, typ, at, where, sources_dir)
    if typ is str:
        if not isinstance(value, str) or not value.strip():
            raise where.error(f"must be a non-empty text, got {type(value).__name__} {value!r}", at)
        return value.strip()
    if typ in ("date", "year"):
        text = _date_text(value)
        if text is None or (typ == "year" and not re.fullmatch(r"\d{4}", text)):
            want = "a year such as 2012" if typ == "year" else \
                "a date: year (2024), month (2024-03 or 03/2024) or day (2024-03-01 or 1.3.2024)"
            raise where.error(f"{value!r} is not {want}", at)
        return text
    if typ == "sdgs":
        items = _list(value)
        if items is None:
            raise where.error(f"must be a list of SDG numbers such as [11, 17] or ['11.6'], got {value!r}", at)
        out = []
        for v in items:
            goal = str(v).strip()
            if not re.fullmatch(r"\d{1,2}(\.(\d{1,2}|[a-z]))?", goal) or not 1 <= int(goal.split(".")[0]) <= 17:
                raise where.error(f"{v!r} is not an SDG goal (1–17) or target (e.g. 11.6)", at)
            out.append(goal)
        return out
    if typ == "fields":
        items = _list(value)
        known = _concepts("field-of-action")
        if items is None:
            raise where.error(f"must be a list of fields of action, got {value!r}", at)
        for v in items:
            if str(v) not in known:
                raise where.error(f"unknown field of action {v!r}; known: {', '.join(sorted(known))}", at)
        return [str(v) for v in items]
    if typ in ("partnership-kind", "status", "certification-kind"):
        known = _concepts(typ)
        if not isinstance(value, str) or value not in known:
            raise where.error(f"{value!r} is not one of {', '.join(sorted(known))}", at)
        return value
    if typ == "country":
        code = value.strip().upper() if isinstance(value, str) else value
        if not isinstance(code, str) or code not in ISO3:
            raise where.error(f"{value!r} is not an ISO 3166-1 alpha-3 country code (e.g. ZAF, CMR, PER)", at)
        if code == "DEU":
            raise where.error("a partner abroad is expected (DEU is Germany)", at)
        return code
    if typ == "qid":
        if not isinstance(value, str) or not re.fullmatch(r"Q[1-9]\d*", value.strip()):
            raise where.error(f"{value!r} is not a Wikidata QID (e.g. Q5465)", at)
        return value.strip()
    if typ == "placekey":
        if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2}-[a-z0-9-]+", value.strip()):
            raise where.error(f"{value!r} is not a place key '{{ISO alpha-2}}-{{slug}}' (e.g. et-lideta)", at)
        return value.strip()
    if typ == "slug":
        if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9-]+", value.strip()):
            raise where.error(f"{value!r} must be a slug of lower-case letters, digits and '-' (e.g. nakopa)", at)
        return value.strip()
    if typ == "amount":
        try:
            return fb._amount(str(value)) if not isinstance(value, bool) else None
        except HarvestError:
            raise where.error(f"{value!r} is not an amount in euro (e.g. 50000 or '12.500,50 €')", at) from None
    if typ == "post_funding":
        # Nothing is assumed: a post whose record states no funding gets none in the graph.
        if value is None or value is False or (isinstance(value, str)
                                               and value.strip().lower() in ("none", "no", "nein", "")):
            return None
        if value is True or (isinstance(value, str) and value.strip().lower() == "kepol"):
            return dict(POST_FUNDING)
        if not isinstance(value, dict):
            raise where.error("must be 'kepol', 'none', or a mapping with programme, "
                              "programme_label, funder, funder_label, administrator, administrator_label", at)
        return {**POST_FUNDING, **value}
    if typ == "ags":
        ags = str(value).strip()
        if not re.fullmatch(r"\d{8}(-\d{2})?", ags):
            raise where.error(f"{value!r} is not an eight-digit AGS as text, e.g. \"09162000\" "
                              "(Berlin districts: \"11000000-01\")", at)
        known = _known_ags(sources_dir)
        if known and "-" not in ags and ags not in known:
            raise where.error(f"{ags} is not in the register of German municipalities "
                              "(sources/municipalities)", at)
        return ags
    raise AssertionError(typ)


def _record(data: dict[str, Any], spec: dict[str, Any], at: tuple[Any, ...], where: Where,
            sources_dir: str) -> dict[str, Any]:
    for key in data:
        if key not in spec:
            raise where.error(f"unknown field '{key}'; expected one of {', '.join(spec)}", at + (str(key),))
    out: dict[str, Any] = {}
    for key, (typ, required) in spec.items():
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip() and typ != "post_funding"):
            if required:
                raise where.error(f"missing required field '{key}'", at + (key,) if key in data else at)
            if typ == "post_funding" and key in data:
                out[key] = None
            elif typ == "post_funding":
                out[key] = dict(POST_FUNDING)
            continue
        out[key] = _check(value, typ, at + (key,), where, sources_dir)
    if spec is _PARTNER and "qid" not in out and "key" not in out:
        raise where.error("give the partner's Wikidata 'qid' (or, without one, a 'key' such as et-lideta)", at)
    return out


def read_record(text: str, path: str, *, csv_format: bool, sources_dir: str) -> dict[str, Any]:
    """Parse and validate a curated record. :raises SourceError: naming ``path``, line and field."""
    if csv_format:
        return _read_csv(text, path, sources_dir)
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when present)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise SourceError("expected a mapping with municipality, partnerships, projects, …", path=path, line=1)
    where = Where(path, text=text)
    out: dict[str, Any] = {}
    for key in data:
        if key not in SPEC:
            raise where.error(f"unknown section '{key}'; expected one of {', '.join(SPEC)}", (str(key),))
    for section, spec in SPEC.items():
        value = data.get(section)
        if value is None:
            continue
        if section in ("municipality", "coordination"):
            if not isinstance(value, dict):
                raise where.error(f"must be a mapping, got {type(value).__name__}", (section,))
            out[section] = _record(value, spec, (section,), where, sources_dir)
        else:
            if not isinstance(value, list):
                raise where.error(f"must be a list of records (each starting with '- '), got "
                                  f"{type(value).__name__}", (section,))
            out[section] = []
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    raise where.error(f"must be a mapping, got {type(item).__name__}", (section, i))
                out[section].append(_record(item, spec, (section, i), where, sources_dir))
    _check_partners(out, lambda i: where)
    return out


def _read_csv(text: str, path: str, sources_dir: str) -> dict[str, Any]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if "type" not in header or unknown:
        raise SourceError(f"CSV header must include 'type' and only these columns: {', '.join(CSV_COLUMNS)}"
                          + (f"; unknown: {', '.join(unknown)}" if unknown else ""), path=path, line=1, key="header")
    out: dict[str, list[dict[str, Any]]] = {}
    project_rows: list[int] = []
    for row in reader:
        where = Where(path, row=reader.line_num)
        if None in row:
            raise where.error(f"more cells than columns ({len(header)})", ())
        cells = {k: v.strip() for k, v in row.items() if v is not None and v.strip()}
        kind = cells.pop("type", "")
        if kind == "partnership":
            partner = {k: cells.pop(k) for k in ("name", "qid", "key", "country") if k in cells}
            record: dict[str, Any] = {"partner": partner, **cells}
            section = "partnerships"
        elif kind == "project":
            funding = {k: cells.pop(k) for k in ("programme", "programme_label", "funder", "funder_label", "amount")
                       if k in cells}
            record = {**cells, **({"funding": funding} if funding else {})}
            section = "projects"
            project_rows.append(reader.line_num)
        elif kind == "certification":
            record, section = cells, "certifications"
        else:
            raise where.error(f"'type' must be partnership, project or certification, got {kind!r}", ("type",))
        out.setdefault(section, []).append(_record(record, SPEC[section], (section,), where, sources_dir))
    _check_partners(out, lambda i: Where(path, row=project_rows[i]))
    return out


# --------------------------------------------------------------------------- mapping (reusing the builders)

def _sentence(name: str, at: str, record: dict[str, Any]) -> str:
    def flat(v: Any) -> str:
        if isinstance(v, dict):
            return ", ".join(f"{k}: {flat(x)}" for k, x in v.items() if not isinstance(x, dict))
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)
    return f"{name}, {at}: " + "; ".join(f"{k}: {flat(v)}" for k, v in record.items() if v not in (None, [], {}))


def _extras(f: Facts, node: NamedNode, rule: str, record: dict[str, Any], sentence: str) -> None:
    """Dates, status, stated SDGs and fields of action of one thing, via the shared builders."""
    f.found["x"] = [node]
    if record.get("start") or record.get("end") or record.get("status"):
        fb.period(f, {"name": rule, "subject": "x", "status": record.get("status")},
                  {k: record[k] for k in ("start", "end") if record.get(k)}, sentence)
    for goal in record.get("sdgs") or []:
        fb.stated_sdg(f, {"name": rule, "subjects": ["x"]}, {"goal": goal}, sentence)
    if record.get("fields"):
        f.fields(node, record["fields"], rule)


def map_record(f: Facts, record: dict[str, Any], name: str) -> None:
    """Feed one validated record to the fact builders."""
    coord = record.get("coordination") or {}
    holders: list[NamedNode] = [f.municipality]
    if coord.get("office"):
        fb.coordination_office(f, {"name": "coordination.office"}, {"name": coord["office"]},
                               _sentence(name, "coordination.office", {"office": coord["office"]}))
        holders = f.found["office"]
    if coord.get("post"):
        post = coord["post"]
        sentence = _sentence(name, "coordination.post", post)
        funding = post.get("funding")
        if funding:
            rule = {"name": "coordination.post", **funding}
            fb.funded_post(f, rule, {"post": post["title"], "funder": funding["funder_label"],
                                     "administrator": funding["administrator_label"],
                                     **{k: post[k] for k in ("start", "end") if post.get(k)}}, sentence)
            node = f.found["post"][0]
        else:
            node = f.iris.thing("post", f"{f.municipality_key}-kep-coordinator")
            f.add(node, RDF["type"], KEP["CoordinatorPost"])
            f.label(node, f"{post['title']} – {f.municipality_label}")
            f.add(node, ORG["postIn"], f.municipality)
            f.evidence(node, "coordination.post", sentence)
        _extras(f, node, "coordination.post", {k: v for k, v in post.items() if k in ("status",)}
                | ({} if funding else {k: post[k] for k in ("start", "end") if post.get(k)}), sentence)
    for holder in holders:
        _extras(f, holder, "coordination", {"sdgs": coord.get("sdgs"), "fields": coord.get("fields")},
                _sentence(name, "coordination", {"sdgs": coord.get("sdgs"), "fields": coord.get("fields")}))
    partnerships: dict[str, NamedNode] = {}
    for i, rec in enumerate(record.get("partnerships") or []):
        at = f"partnerships[{i}]"
        p = rec["partner"]
        place = Place(p["name"], p.get("qid") or p["key"], p["country"])
        sentence = _sentence(name, at, rec)
        node = f.partnership(place, at, sentence, [rec["kind"]])
        _extras(f, node, at, rec, sentence)
        for k in (place.key, place.name.lower()):
            partnerships[k] = node
    for i, rec in enumerate(record.get("projects") or []):
        at = f"projects[{i}]"
        sentence = _sentence(name, at, rec)
        partner = rec.get("partner")
        f.found = {"partnerships": [partnerships[partner] if partner in partnerships
                                    else partnerships[partner.lower()]] if partner else []}
        fb.project(f, {"name": at, "label": rec["title"]}, {"name": rec["title"]}, sentence)
        node = f.found["project"][0]
        _extras(f, node, at, rec, sentence)
        if rec.get("funding"):
            fund = rec["funding"]
            f.found["project"] = [node]
            fb.grant(f, {"name": at, **{k: fund[k] for k in ("programme", "programme_label", "funder",
                                                             "funder_label") if fund.get(k)}},
                     {k: fund[k] for k in ("amount", "start", "end") if fund.get(k)}, sentence)
    for i, rec in enumerate(record.get("certifications") or []):
        at = f"certifications[{i}]"
        fb.certification(f, {"name": at, "kind": rec["kind"], "label": CERT_LABELS.get(rec["kind"], rec["kind"])},
                         {"year": rec["since"]}, _sentence(name, at, rec))
    f.found = {}


def _check_partners(record: dict[str, Any], where: Callable[[int], Where]) -> None:
    """:raises SourceError: a project names a partner that no partnership of the record has."""
    known = set()
    for rec in record.get("partnerships") or []:
        known |= {rec["partner"].get("qid") or rec["partner"]["key"], rec["partner"]["name"].lower()}
    for i, rec in enumerate(record.get("projects") or []):
        if rec.get("partner") and rec["partner"] not in known and rec["partner"].lower() not in known:
            raise where(i).error(f"partner {rec['partner']!r} is not one of the partnerships listed "
                                 "(give its qid, key or name)", ("projects", i, "partner"))


def _text(ref: DocRef, ctx: HarvestContext) -> tuple[Any, str]:
    doc = ctx.fetch(ref.url, accept="text/yaml,application/yaml,text/csv;q=0.9,text/plain;q=0.5,*/*;q=0.1")
    text = doc.text
    if text is None and ref.snapshot is not None:      # .yaml snapshots have no registered text media type
        try:
            text = ref.snapshot.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read the record as UTF-8 text: {exc}", path=str(ref.snapshot)) from None
    if text is None:
        raise HarvestError(f"{ref.url}: served as {doc.media_type}; expected a text record (YAML or CSV)")
    return doc, text


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Read, validate and map each curated record.

    :raises SourceError: a record is invalid (file, line, field). :raises HarvestError: fetching failed.
    """
    if not source.documents:
        raise SourceError("a curated source names its record under 'documents'", path=str(source.yaml_path),
                          line=source.lines.get("documents"), key="documents")
    triples, documents, warnings = [], [], []
    for ref in source.documents:
        doc, text = _text(ref, ctx)
        path = str(ref.snapshot or ref.url)
        is_csv = (ref.media_type or "").endswith("csv") or str(ref.snapshot or ref.url).lower().endswith(".csv") \
            or doc.media_type == "text/csv"
        record = read_record(text, path, csv_format=is_csv, sources_dir=str(ctx.sources_dir))
        key, label = municipality_of(source)
        if record.get("municipality"):
            key, label = record["municipality"]["ags"], record["municipality"]["name"]
        f = Facts(ctx.iris, source.slug, key, label, doc_url=ref.url)
        map_record(f, record, Path(path).name)
        triples += f.triples
        warnings += f.warnings
        documents.append(doc)
    return HarvestResult(sorted(set(triples), key=str), documents, warnings)

