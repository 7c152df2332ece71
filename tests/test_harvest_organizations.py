"""Kind ``organizations`` (sources/organizations): federal bodies, agencies, units and networks as reference
data with recorded origin; the page harvests only refer to them (Bremen states no Engagement Global)."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from lod.errors import HarvestError
from lod.harvest import get_kind
from lod.harvest.base import Document, HarvestContext, HarvestResult, sha256
from lod.namespaces import DCT, KEP, ORG, RDF, RDFS, Iris
from lod.sources import load_source
from lod.validate import validate_graph
from tests.conftest import ROOT

IRIS = Iris("https://kep.example.org/")


def _harvest(sources_dir: Path = ROOT / "sources", slug: str = "organizations") -> HarvestResult:
    source = load_source(sources_dir / slug / "source.yaml")

    now = datetime.now(timezone.utc)
    snapshots = {d.url: d.snapshot for d in source.documents}

    def offline(url: str, **_: object) -> Document:       # the html kind reads its snapshot
        if slug in ("organizations", "places"):
            raise AssertionError(f"reference kinds must not fetch ({url})")
        text = snapshots[url].read_text(encoding="utf-8")
        return Document(url=url, retrieved=now, sha256=sha256(text), text=text)
    ctx = HarvestContext(iris=IRIS, fetch=offline, sources_dir=sources_dir, started=now)
    return get_kind(source.kind)(source, ctx)


def test_organisations_with_classes_parent_and_origin() -> None:
    t = set(_harvest().triples)
    org = lambda key: IRIS.thing("organization", key)  # noqa: E731
    assert (org("skew"), RDF["type"], KEP["ServiceUnit"]) in {(x.subject, x.predicate, x.object) for x in t}
    assert any(x.subject == org("skew") and x.predicate == ORG["unitOf"] and x.object == org("engagement-global")
               for x in t)
    assert any(x.subject == org("engagement-global") and x.object == KEP["Agency"] for x in t)
    assert any(x.subject == org("bmz") and x.object == KEP["FederalBody"] for x in t)
    assert any(x.subject == org("connective-cities") and x.object == KEP["Network"] for x in t)
    assert any(x.subject == org("skew") and x.predicate == RDFS["label"]
               and x.object == Literal("Service Agency Communities in One World (SKEW)", language="en") for x in t)
    for key in ("bmz", "engagement-global", "skew", "connective-cities"):
        assert any(x.subject == org(key) and x.predicate == DCT["source"] and isinstance(x.object, NamedNode)
                   for x in t), key


def test_organisations_conform_alone() -> None:
    report = validate_graph(_harvest().triples, source="organizations")
    assert report.conforms and not report.warnings, report.summary()


def test_unknown_parent_names_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "sources" / "organizations", tmp_path / "organizations")
    path = tmp_path / "organizations" / "snapshots" / "organizations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",engagement-global,https", ",giz,https"),
                    encoding="utf-8")
    with pytest.raises(HarvestError, match=r"organizations\.csv:4: unit_of 'giz'"):
        _harvest(tmp_path)


def test_bremen_page_states_no_engagement_global() -> None:
    result = _harvest(slug="bremen")
    text = " ".join(str(t) for t in result.triples)
    assert "engagement-global" not in text and "Engagement Global" not in text
    skew = IRIS.thing("organization", "skew")
    assert not any(t.subject == skew and t.predicate in (RDF["type"], ORG["unitOf"]) for t in result.triples)
    assert any(t.subject == skew and t.predicate == RDFS["label"] for t in result.triples)   # the name it writes
    # the partner cities' labels and countries come from the reference graphs, as in the pipeline
    background = _harvest(slug="places").triples + _harvest().triples
    report = validate_graph(result.triples, source="bremen", background=background)
    assert report.conforms, report.summary()
