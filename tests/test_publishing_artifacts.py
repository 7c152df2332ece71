"""Publishing artifacts (issue #7), library level: dumps reload to what is published, the catalog validates
with the official DCAT-AP 3.0.0 + DCAT-AP.de 3.0 shapes, CSV exports, changelog, failure reporting."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, RdfFormat, Store, parse

from lod import pipeline
from lod.publishing import artifacts_dir, changelog, read_manifest, write_artifacts
from lod.publishing.catalog import validate_catalog
from lod.publishing.csv_exports import EXPORTS, columns
from lod.settings import Settings
from tests.conftest import ROOT, make_settings

SHAPES = Path(__file__).parent / "data" / "dcat"


def _snapshot(settings: Settings) -> tuple[str, Path]:
    sid = (settings.var / "snapshots" / "current").readlink().name
    return sid, settings.var / "snapshots" / sid


def _published_quads(path: Path, graph: str | None = None) -> Dataset:
    store = Store.read_only(str(path))
    g = NamedNode(graph) if graph else None
    return Dataset(q for q in store.quads_for_pattern(None, None, None, g))


def _canonical(ds: Dataset) -> Dataset:
    ds.canonicalize(CanonicalizationAlgorithm.UNSTABLE)  # blank nodes (both sides in this process)
    return ds


def _mem(turtle: bytes) -> Store:
    store = Store()
    store.load(turtle, format=RdfFormat.TURTLE)
    return store


@pytest.fixture
def built(mini_settings: Settings) -> Settings:
    outcomes, sid = pipeline.build(mini_settings)
    assert sid and all(o.ok for o in outcomes), outcomes
    return mini_settings


def test_dumps_reload_to_the_published_dataset(built: Settings) -> None:
    sid, snap = _snapshot(built)
    folder = artifacts_dir(built, sid)
    published = _canonical(_published_quads(snap))
    assert len(published) > 20
    nq = _canonical(Dataset(parse(gzip.decompress((folder / "kep.nq.gz").read_bytes()), format=RdfFormat.N_QUADS)))
    assert nq == published
    jsonld = _canonical(Dataset(parse(gzip.decompress((folder / "kep.jsonld.gz").read_bytes()),
                                      format=RdfFormat.JSON_LD)))
    assert jsonld == published, "JSON-LD keeps the named graphs"
    # Turtle loses the graphs: it equals the union of the graphs
    union = {q.triple for q in published}
    ttl = {q.triple for q in parse(gzip.decompress((folder / "kep.ttl.gz").read_bytes()), format=RdfFormat.TURTLE)}
    assert ttl == union
    # per source: exactly that named graph
    g = built.base_uri + "graph/alpha"
    alpha = _canonical(_published_quads(snap, g))
    assert _canonical(Dataset(parse(gzip.decompress((folder / "alpha.nq.gz").read_bytes()),
                                    format=RdfFormat.N_QUADS))) == alpha
    assert any("Alpha eins" in str(q.object) for q in alpha)


def test_manifest_lists_size_checksum_date_licence(built: Settings) -> None:
    sid, _ = _snapshot(built)
    manifest = read_manifest(built, sid)
    assert manifest and manifest["snapshot"] == sid
    names = {f["name"] for f in manifest["files"]}
    assert {"kep.nq.gz", "kep.ttl.gz", "kep.jsonld.gz", "alpha.nq.gz", "beta.jsonld.gz", "partnerships.csv"} <= names
    for f in manifest["files"]:
        path = artifacts_dir(built, sid) / ("csv/" if f["format"] == "csv" else "") / f["name"]
        assert path.stat().st_size == f["size"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
        assert f["licence"].startswith("http") and f["modified"][:4].isdigit()
    alpha = next(f for f in manifest["files"] if f["name"] == "alpha.nq.gz")
    assert alpha["licence"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"   # the source's licence


def test_catalog_validates_with_the_official_shapes(built: Settings) -> None:
    sid, _ = _snapshot(built)
    ttl = (artifacts_dir(built, sid) / "catalog.ttl").read_bytes()
    report = validate_catalog(ttl, SHAPES)
    assert report.violations == [], "\n".join(report.violations)
    assert report.warnings == [], "\n".join(report.warnings)   # nothing deprecated (politicalGeocodingURI)
    text = ttl.decode()
    for needle in ("dcat:DataService", "dcat:Distribution", "municipalityKey/05334002",
                   "data-theme/GOVE", "vcard:Organization", "mailto:opendata@kep.example.org", "dcatap:availability",
                   "spdx:checksumValue", "alpha.nq.gz", "dcat:endpointURL"):
        assert needle in text, needle
    assert "politicalGeocodingURI" not in text


def test_broken_publisher_setting_is_named_by_the_validation(built: Settings, tmp_path: Path) -> None:
    broken = built.replace(catalog__publisher_name="")
    sid, snap = _snapshot(built)
    out = write_artifacts(broken, sid, snap)
    report = validate_catalog((out / "catalog.ttl").read_bytes(), SHAPES)
    assert report.violations
    assert all("http://xmlns.com/foaf/0.1/name" in v for v in report.violations), report.violations
    assert any(v.startswith(built.base_uri + "catalog#publisher") for v in report.violations)


def test_void_counts_and_links(built: Settings) -> None:
    sid, _ = _snapshot(built)
    void = _mem((artifacts_dir(built, sid) / "void.ttl").read_bytes())
    ds = NamedNode(built.base_uri + "catalog#dataset")
    V = "http://rdfs.org/ns/void#"
    triples = [q.object.value for q in void.quads_for_pattern(ds, NamedNode(V + "triples"), None)]
    published = Store.read_only(str(_snapshot(built)[1]))
    distinct = len({q.triple for q in published.quads_for_pattern(None, None, None, None)})
    assert triples == [str(distinct)]
    subsets = {q.object for q in void.quads_for_pattern(ds, NamedNode(V + "subset"), None)}
    assert NamedNode(built.base_uri + "catalog#dataset-alpha") in subsets
    assert list(void.quads_for_pattern(ds, NamedNode(V + "uriSpace"), None))[0].object.value == built.base_uri + "id/"
    dumps = {q.object.value for q in void.quads_for_pattern(ds, NamedNode(V + "dataDump"), None)}
    assert built.base_uri + "dumps/kep.nq.gz" in dumps
    assert list(void.quads_for_pattern(ds, NamedNode(V + "classPartition"), None))


def test_csv_exports_have_the_documented_columns(built: Settings) -> None:
    sid, _ = _snapshot(built)
    doc = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    for name in EXPORTS:
        path = artifacts_dir(built, sid) / "csv" / f"{name}.csv"
        text = path.read_bytes().decode("utf-8")
        header = next(csv.reader(io.StringIO(text)))
        assert header == columns(ROOT / "sparql", name)
        for col in header:
            assert f"`{col}`" in doc, f"docs/exports.md does not document {name}.{col}"
        assert csv.Sniffer().has_header(text + "\n".join(",".join("x" * (i + 1) for i in range(len(header)))
                                                         for _ in range(2))) or header


def test_one_partnership_end_to_end(tmp_path: Path) -> None:
    """Source page snapshot text → CSV row: Aachen – Chernihiv, Ukraine."""
    page = (ROOT / "sources/aachen/snapshots/koordination-kommunale-entwicklungspolitik.html").read_text(encoding="utf-8")
    assert "Chernihiv" in page
    settings = make_settings(tmp_path, ROOT / "sources")
    outcomes, sid = pipeline.build(settings, ["places", "aachen"])   # places: the partner cities' labels
    assert sid, outcomes
    text = (artifacts_dir(settings, sid) / "csv" / "partnerships.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    dialect = csv.Sniffer().sniff(text.splitlines()[0] + "\n" + text.splitlines()[1])
    assert dialect.delimiter == ","
    row = next(r for r in rows if r["foreign_partner"].endswith("/Q157053"))
    assert row["foreign_partner_label"] == "Tschernihiw"           # the reference graph's German label
    assert row["partnership"] == settings.base_uri + "id/partnership/05334002--Q157053"
    assert row["label"] == "Aachen – Chernihiv"
    assert row["german_partner"] == settings.base_uri + "id/municipality/05334002"
    assert row["partner_country"] == "http://publications.europa.eu/resource/authority/country/UKR"
    assert row["partner_country_code"] == "UKR"
    assert row["kinds"].startswith("https://w3id.org/kep/def/partnership-kind/")
    assert "www.aachen.de" in row["source_documents"]
    assert len(rows) == 2   # Chernihiv and Kapstadt


def test_a_changed_source_adds_exactly_one_changelog_entry(built: Settings, mini_sources: Path) -> None:
    before = changelog.entries(built)
    assert {e["source"] for e in before} == {"alpha", "beta"}
    data = mini_sources / "alpha" / "snapshots" / "data.ttl"
    data.write_text(data.read_text(encoding="utf-8") + '\nex:thing\\/alpha-3 a rdfs:Resource ; rdfs:label "Alpha drei"@de .\n',
                    encoding="utf-8")
    outcomes, sid = pipeline.build(built)
    assert sid
    after = changelog.entries(built)
    new = after[: len(after) - len(before)]
    assert len(new) == 1
    entry = new[0]
    assert entry["source"] == "alpha" and entry["snapshot"] == sid
    published = next(o for o in outcomes if o.slug == "alpha")
    assert entry["changes"] == published.changes
    assert any("Alpha drei" in c for c in entry["changes"]), entry["changes"]
    assert entry["documents"] == ["http://alpha.test/data.ttl"]
    # the Atom feed and the RDF carry it, linked to the documents and the snapshot
    atom = changelog.atom(built).decode()
    assert "Alpha drei" in atom and 'href="http://alpha.test/data.ttl"' in atom
    rdf = _mem(changelog.rdf(built))
    act = NamedNode(f"{built.base_uri}changes#{sid}-alpha")
    used = {q.object.value for q in rdf.quads_for_pattern(act, NamedNode("http://www.w3.org/ns/prov#used"), None)}
    assert "http://alpha.test/data.ttl" in used
    # an unchanged rebuild adds nothing
    pipeline.build(built)
    assert len(changelog.entries(built)) == len(after)


def test_old_artifacts_are_pruned_with_their_snapshots(built: Settings, mini_sources: Path) -> None:
    data = mini_sources / "alpha" / "snapshots" / "data.ttl"
    for i in range(4):
        data.write_text(data.read_text(encoding="utf-8") + f'\nex:thing\\/extra-{i} a rdfs:Resource ; rdfs:label "x{i}"@de .\n',
                        encoding="utf-8")
        pipeline.build(built)
    snaps = sorted(p.name for p in (built.var / "snapshots").iterdir() if not p.is_symlink())
    dumps = sorted(p.name for p in (built.var / "dumps").iterdir())
    assert dumps == snaps and len(snaps) == built.publish.keep_snapshots


def test_generation_failure_is_reported_and_the_snapshot_stays(mini_settings: Settings, tmp_path: Path) -> None:
    sparql = tmp_path / "sparql"
    shutil.copytree(ROOT / "sparql", sparql)
    (sparql / "export-posts.rq").unlink()
    settings = mini_settings.replace(sparql_dir=str(sparql))
    outcomes, sid = pipeline.build(settings)
    assert sid and (settings.var / "snapshots" / "current").readlink().name == sid
    failed = [o for o in outcomes if not o.ok]
    assert [o.slug for o in failed] == ["publishing"]
    assert "export-posts" in (failed[0].error or "")
    assert read_manifest(settings, sid) is None
    assert {e["source"] for e in changelog.entries(settings)} == {"alpha", "beta"}   # changelog still written


def test_unchanged_sources_reuse_their_dumps(mini_settings: Settings, mini_sources: Path) -> None:
    _, first = pipeline.build(mini_settings)
    snap = mini_sources / "beta" / "snapshots" / "data.nt"
    snap.write_text(snap.read_text().replace("Beta eins", "Beta reuse"))
    _, second = pipeline.build(mini_settings)
    a, b = (mini_settings.var / "dumps" / str(first)), (mini_settings.var / "dumps" / str(second))
    assert (a / "alpha.nq.gz").stat().st_ino == (b / "alpha.nq.gz").stat().st_ino   # reused (hard link)
    assert (a / "beta.nq.gz").stat().st_ino != (b / "beta.nq.gz").stat().st_ino     # written again
    assert b"Beta reuse" in gzip.decompress((b / "beta.nq.gz").read_bytes())
    assert b"Beta reuse" in gzip.decompress((b / "kep.nq.gz").read_bytes())
