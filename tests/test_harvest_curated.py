"""Kind ``curated``: a sixth municipality needs only files under sources/ (tests/data/curated/musterstadt, a
test-only record for München), and mistakes in a record are reported with file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from lod import pipeline
from lod.errors import SourceError
from lod.harvest.curated import read_record
from tests.conftest import DATA, ROOT, make_settings

BASE = "https://kep.example.org/"
FIXTURE = DATA / "curated" / "musterstadt"
GOOD = (FIXTURE / "snapshots" / "kep.yaml").read_text(encoding="utf-8")
SOURCES = str(ROOT / "sources")
PREFIXES = """PREFIX kep: <https://w3id.org/kep/def/kep#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX sdg: <http://metadata.un.org/sdg/>
PREFIX country: <http://publications.europa.eu/resource/authority/country/>
"""


def test_sixth_municipality_needs_only_files_under_sources(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    shutil.copytree(FIXTURE, sources / "musterstadt")
    settings = make_settings(tmp_path, sources, LOD_BASE_URI=BASE)
    # every source file of the real tree is loaded and checked; only the new one is harvested (the register
    # of 11,004 municipalities is slow to validate; the record's AGS is checked against its CSV instead)
    outcomes, sid = pipeline.build(settings, ["musterstadt"])
    assert [(o.slug, o.status) for o in outcomes] == [("musterstadt", "published")], \
        [(o.slug, o.error, o.details[:3]) for o in outcomes]
    assert sid is not None and "musterstadt" in {s.slug for s in pipeline.discover_sources(sources)}
    store = Store()
    store.load(path=str(settings.var / "state" / "musterstadt.published.nt"), format=RdfFormat.N_TRIPLES)
    m = f"<{BASE}id/municipality/09162000>"
    rows = list(store.query(PREFIXES + f"""SELECT ?plabel ?flabel ?kind ?start WHERE {{
        ?p a kep:Partnership ; kep:germanPartner {m} ; kep:foreignPartner ?f ; kep:partnershipKind ?kind ;
           kep:startDate ?start ; kep:statedSDG sdg:13 ; rdfs:label ?plabel .
        ?f rdfs:label ?flabel ; kep:country country:NAM }}"""))
    assert [(r[0].value, r[1].value, r[2].value.rsplit("/", 1)[-1], r[3].value) for r in rows] == \
        [("München – Windhoek", "Windhoek", "climate-partnership", "2021")]
    assert store.query(PREFIXES + f"""ASK {{
        ?proj a kep:Project ; rdfs:label "Solarstrom für Schulen in Windhoek (Testprojekt)"@de ;
              kep:partOfPartnership <{BASE}id/partnership/09162000--Q3935> ; kep:statedSDG sdg:7 ;
              kep:grant ?g . ?g kep:fundedBy <{BASE}id/programme/nakopa> ; schema:amount/schema:value 48500.0 .
        <{BASE}id/post/09162000-kep-coordinator> a kep:CoordinatorPost ; org:postIn {m} ;
              kep:fundedBy <{BASE}id/programme/kepol-coordination> .
        <{BASE}id/certification/fairtrade-town-09162000> kep:certifiedEntity {m} .
        ?office a kep:CoordinationOffice ; org:unitOf {m} ; kep:statedSDG sdg:17 }}""")


def test_csv_record_maps_like_yaml(tmp_path: Path) -> None:
    text = ("type,name,qid,country,kind,start,title,partner,sdgs,programme,programme_label,funder,amount,since\n"
            "partnership,Windhoek,Q3935,NAM,climate-partnership,2021,,,13;17,,,,,\n"
            "project,,,,,03/2022,Solarstrom,Windhoek,7,nakopa,Nakopa,bmz,\"12.500,50 €\",\n"
            "certification,,,,fairtrade-town,,,,,,,,,2012\n")
    record = read_record(text, "kep.csv", csv_format=True, sources_dir=SOURCES)
    assert record["partnerships"][0]["partner"] == {"name": "Windhoek", "qid": "Q3935", "country": "NAM"}
    assert record["partnerships"][0]["sdgs"] == ["13", "17"]
    assert record["projects"][0]["start"] == "2022-03"
    assert record["projects"][0]["funding"]["amount"] == "12500.50"
    assert record["certifications"] == [{"kind": "fairtrade-town", "since": "2012"}]


def _yaml_error(text: str) -> SourceError:
    with pytest.raises(SourceError) as info:
        read_record(text, "sources/x/snapshots/kep.yaml", csv_format=False, sources_dir=SOURCES)
    return info.value


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_missing_field_names_file_line_field() -> None:
    text = GOOD.replace("    kind: climate-partnership\n", "")
    err = _yaml_error(text)
    assert err.path == "sources/x/snapshots/kep.yaml" and err.key == "partnerships[0]"
    assert err.line == _line_of(text, "- partner:")
    assert "missing required field 'kind'" in err.message and err.message.startswith(f"{err.path}:{err.line}:")


def test_wrong_type_names_line_and_field() -> None:
    text = GOOD.replace("  - partner: {name: Windhoek, qid: Q3935, country: NAM}", "  - partner: Windhoek")
    err = _yaml_error(text)
    assert err.key == "partnerships[0].partner" and err.line == _line_of(text, "- partner: Windhoek")
    assert "must be a mapping" in err.message


def test_bad_date_names_line_and_field() -> None:
    text = GOOD.replace("    start: 2022-03\n", "    start: Frühjahr 2022\n")
    err = _yaml_error(text)
    assert err.key == "projects[0].start" and err.line == _line_of(text, "Frühjahr 2022")
    assert "'Frühjahr 2022' is not a date" in err.message


def test_unknown_country_names_line_and_field() -> None:
    text = GOOD.replace("country: NAM", "country: NMB")
    err = _yaml_error(text)
    assert err.key == "partnerships[0].partner.country" and err.line == _line_of(text, "country: NMB")
    assert "ISO 3166-1 alpha-3" in err.message


def test_unknown_ags_and_unknown_partner_of_project() -> None:
    err = _yaml_error(GOOD.replace('ags: "09162000"', 'ags: "09162999"'))
    assert err.key == "municipality.ags" and "not in the register" in err.message
    text = GOOD.replace("    partner: Q3935\n", "    partner: Q1\n")
    err = _yaml_error(text)
    assert err.key == "projects[0].partner" and err.line == _line_of(text, "partner: Q1")


def test_bad_csv_row_names_row_and_column() -> None:
    text = ("type,name,qid,country,kind,start\n"
            "partnership,Windhoek,Q3935,NAM,climate-partnership,2021\n"
            "partnership,Cajamarca,Q205119,PER,sister-city,2000\n")
    with pytest.raises(SourceError) as info:
        read_record(text, "sources/x/snapshots/kep.csv", csv_format=True, sources_dir=SOURCES)
    err = info.value
    assert err.path == "sources/x/snapshots/kep.csv" and err.line == 3
    assert err.key == "row 3, column 'kind'" and "'sister-city' is not one of" in err.message
    with pytest.raises(SourceError) as info:
        read_record("type,name\nevent,x\n", "k.csv", csv_format=True, sources_dir=SOURCES)
    assert info.value.line == 2 and "'type' must be" in info.value.message


def test_invalid_record_fails_the_harvest_with_the_message(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE, sources / "musterstadt")
    record = sources / "musterstadt" / "snapshots" / "kep.yaml"
    record.write_text(GOOD.replace("since: 2012", "since: seit langem"), encoding="utf-8")
    settings = make_settings(tmp_path, sources, LOD_BASE_URI=BASE)
    outcome = pipeline.harvest(settings, ["musterstadt"])[0]
    assert outcome.status == "failed"
    assert f"kep.yaml:{_line_of(record.read_text(encoding='utf-8'), 'seit langem')}:" in (outcome.error or "")
    assert "certifications[0].since" in (outcome.error or "")


def test_template_examples_are_valid() -> None:
    import re

    text = (ROOT / "sources" / "TEMPLATE.md").read_text(encoding="utf-8")
    yaml_block = re.search(r"## Beispiel / example\n\n```yaml\n(.*?)```", text, re.DOTALL)[1]  # type: ignore[index]
    csv_block = re.search(r"```csv\n(.*?)```", text, re.DOTALL)[1]  # type: ignore[index]
    record = read_record(yaml_block, "TEMPLATE.md", csv_format=False, sources_dir=SOURCES)
    assert record["partnerships"][0]["partner"]["qid"] == "Q3935" and record["coordination"]["post"]["funding"]
    rows = read_record(csv_block, "TEMPLATE.md", csv_format=True, sources_dir=SOURCES)
    assert [len(rows[k]) for k in ("partnerships", "projects", "certifications")] == [1, 1, 1]
