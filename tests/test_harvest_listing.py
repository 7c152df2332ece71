"""Kind ``listing``: a paginated project database with detail pages (tests/data/listing, fictional projects).

Offline through the pipeline (snapshots named in source.yaml) and online against a real HTTP server on
127.0.0.1: pagination and detail links are followed once each, the walk stays on the listing's host, a
pagination loop ends cleanly, and max_pages (option and harvest.max_pages) bounds the number of fetches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pyoxigraph import RdfFormat, Store

from lod import pipeline
from lod.errors import SourceError
from lod.settings import Settings
from lod.sources import load_source
from tests.conftest import DATA, make_settings
from tests.fixtures_http import Reply, ScriptedServer

BASE = "https://kep.example.org/"
FIXTURE = DATA / "listing" / "projektdatenbank"
SNAP = FIXTURE / "snapshots"
HTML = {"Content-Type": "text/html; charset=utf-8"}
DETAILS = ["wasser-douala", "schulgaerten-lideta", "abfall-douala", "fairer-kaffee-lideta", "jugendaustausch-douala"]
PREFIXES = """PREFIX kep: <https://w3id.org/kep/def/kep#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sdg: <http://metadata.un.org/sdg/>
"""
ONLINE = {"LOD_HARVEST_OFFLINE": "false", "LOD_HARVEST_ALLOW_PRIVATE": "true", "LOD_HARVEST_DELAY": "0",
          "LOD_HARVEST_JITTER": "0", "LOD_HARVEST_RETRIES": "0", "LOD_HARVEST_DEADLINE": "5",
          "LOD_BASE_URI": BASE}


def _store(settings: Settings, slug: str) -> Store:
    store = Store()
    store.load(path=str(settings.var / "state" / f"{slug}.published.nt"), format=RdfFormat.N_TRIPLES)
    return store


def _rows(store: Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(t.value for t in r) for r in store.query(PREFIXES + query)]


def _serve(server: ScriptedServer, *, page3: str | None = None) -> None:
    """The fixture under /kep/projektdatenbank/ (page 1 is the folder URL, like on berlin.de)."""
    server.serve_file("/kep/projektdatenbank/", SNAP / "liste-1.html")
    server.serve_file("/kep/projektdatenbank/seite-2.html", SNAP / "liste-2.html")
    body = (SNAP / "liste-3.html").read_text(encoding="utf-8")
    server.route("/kep/projektdatenbank/seite-3.html", Reply(200, HTML, page3(body) if page3 else body))
    for key in DETAILS:
        server.serve_file(f"/kep/projektdatenbank/{key}.html", SNAP / f"{key}.html")


def _online_source(tmp_path: Path, server: ScriptedServer, **options: object) -> Path:
    """A temp sources/ with the fixture pointed at the server: only the entry point is listed."""
    sources = tmp_path / "sources"
    folder = sources / "projektdatenbank"
    folder.mkdir(parents=True)
    data = yaml.safe_load((FIXTURE / "source.yaml").read_text(encoding="utf-8"))
    data["documents"] = [{"url": server.url("/kep/projektdatenbank/")}]
    data["options"].update(options)
    (folder / "source.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return sources


def _hit_paths(server: ScriptedServer) -> list[str]:
    return [h.path for h in server.log if h.path != "/robots.txt"]


# --------------------------------------------------------------------------- offline, whole pipeline

@pytest.fixture(scope="module")
def offline_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Store, list[pipeline.SourceOutcome]]:
    tmp = tmp_path_factory.mktemp("listing")
    shutil.copytree(FIXTURE, tmp / "sources" / "projektdatenbank")
    settings = make_settings(tmp, tmp / "sources", LOD_BASE_URI=BASE)
    outcomes, _ = pipeline.build(settings, ["projektdatenbank"])
    assert [(o.slug, o.status) for o in outcomes] == [("projektdatenbank", "published")], \
        [(o.error, o.details[:3]) for o in outcomes]
    return settings, _store(settings, "projektdatenbank"), outcomes


def test_offline_all_five_projects_with_period_partner_sdgs_funding(offline_build) -> None:  # type: ignore[no-untyped-def]
    _, store, _ = offline_build
    got = _rows(store, """SELECT ?label ?start ?end ?partner WHERE {
        ?p a kep:Project ; rdfs:label ?label ; kep:startDate ?start ; kep:endDate ?end ;
           kep:status <https://w3id.org/kep/def/status/completed> ; kep:statedSDG sdg:17 ;
           kep:partOfPartnership/kep:foreignPartner/rdfs:label ?partner } ORDER BY ?label""")
    assert got == [
        ("Abfalltrennung auf dem Marché Central Douala", "2021-01", "2023-06", "Douala"),
        ("Fairer Kaffee aus Lideta für Mitte", "2021", "2022", "Lideta"),
        ("Jugendaustausch Mitte – Douala", "2022-05", "2023-10", "Douala"),
        ("Schulgärten für Lideta", "2020", "2022", "Lideta"),
        ("Trinkwasserkioske in Douala V", "2019-03", "2021-12", "Douala"),
    ]
    amounts = dict(_rows(store, """SELECT ?label ?value WHERE { ?p a kep:Project ; rdfs:label ?label ;
        kep:grant ?g . ?g a kep:Grant ; kep:fundedBy ?prog ; kep:fundedItem ?p ; schema:amount ?a .
        ?a schema:value ?value ; schema:currency "EUR" . ?prog a kep:FundingProgramme ; rdfs:label ?pl }"""))
    assert amounts["Abfalltrennung auf dem Marché Central Douala"] in ("61250.5", "61250.50")
    assert amounts["Trinkwasserkioske in Douala V"] == "48000"
    assert _rows(store, "SELECT ?p WHERE { ?p kep:statedSDG sdg:6 }")[0][0].endswith(
        "/id/project/projektdatenbank-trinkwasserkioske-in-douala-v")


def test_offline_same_shape_as_html_kind_and_per_page_provenance(offline_build) -> None:  # type: ignore[no-untyped-def]
    settings, store, _ = offline_build
    # the partnership node is the one the html kind mints for Berlin Mitte's page
    assert store.query(PREFIXES + f"""ASK {{ <{BASE}id/partnership/11000000-01--Q132830> a kep:Partnership ;
        kep:germanPartner <{BASE}id/municipality/11000000-01> ;
        kep:partnershipKind <https://w3id.org/kep/def/partnership-kind/town-twinning> }}""")
    # each project is derived from its own detail page only (derived_per_entity)
    sources = _rows(store, """SELECT ?d WHERE { ?p a kep:Project ; rdfs:label "Schulgärten für Lideta"@de ;
        prov:wasDerivedFrom ?d }""")
    assert [s[0].rsplit("/", 1)[-1] for s in sources] == ["schulgaerten-lideta.html"]
    text = (settings.var / "state" / "projektdatenbank.published.nt").read_text(encoding="utf-8")
    assert "Mustermann" not in text and "9018" not in text        # the contact box is never read
    assert "engagement-global.de/projekt-extern" not in text


# --------------------------------------------------------------------------- online, real HTTP server

def test_online_follows_pagination_and_details_once(tmp_path: Path) -> None:
    with ScriptedServer() as server:
        _serve(server)
        settings = make_settings(tmp_path, _online_source(tmp_path, server), **ONLINE)
        outcomes, _ = pipeline.build(settings, ["projektdatenbank"], offline=False)
        assert [o.status for o in outcomes] == ["published"], [(o.error, o.details) for o in outcomes]
        paths = _hit_paths(server)
    assert sorted(paths) == sorted(["/kep/projektdatenbank/", "/kep/projektdatenbank/seite-2.html",
                                    "/kep/projektdatenbank/seite-3.html"]
                                   + [f"/kep/projektdatenbank/{k}.html" for k in DETAILS])   # each once
    store = _store(settings, "projektdatenbank")
    assert len(_rows(store, "SELECT ?p WHERE { ?p a kep:Project }")) == 5


def test_online_pagination_loop_ends_cleanly(tmp_path: Path) -> None:
    loop = '<li class="pager-next"><a rel="next" href="./">weiter</a></li></ul></nav>'
    with ScriptedServer() as server:
        _serve(server, page3=lambda body: body.replace("</ul></nav>", loop))
        settings = make_settings(tmp_path, _online_source(tmp_path, server), **ONLINE)
        outcome = pipeline.harvest_one(pipeline.discover_sources(settings.path("sources_dir"))[0], settings,
                                       offline=False)
        paths = _hit_paths(server)
    assert outcome.status == "harvested", outcome.error
    assert len(paths) == 8 and len(set(paths)) == 8
    assert any("already read; pagination ends" in w for w in outcome.details)


@pytest.mark.parametrize("option, setting, expected", [(4, None, 4), (20, "3", 3)])
def test_online_max_pages_bounds_fetches(tmp_path: Path, option: int, setting: str | None, expected: int) -> None:
    env = dict(ONLINE) | ({"LOD_HARVEST_MAX_PAGES": setting} if setting else {})
    with ScriptedServer() as server:
        _serve(server)
        settings = make_settings(tmp_path, _online_source(tmp_path, server, max_pages=option), **env)
        outcome = pipeline.harvest_one(pipeline.discover_sources(settings.path("sources_dir"))[0], settings,
                                       offline=False)
        paths = _hit_paths(server)
    assert outcome.status == "harvested", outcome.error
    assert len(paths) == expected
    assert paths[0] == "/kep/projektdatenbank/"
    assert any(f"stopped after {expected} pages (max_pages)" in w for w in outcome.details)


def test_missing_items_option_names_file_and_key(tmp_path: Path) -> None:
    folder = tmp_path / "sources" / "projektdatenbank"
    shutil.copytree(FIXTURE, folder)
    data = yaml.safe_load((folder / "source.yaml").read_text(encoding="utf-8"))
    del data["options"]["items"]
    (folder / "source.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = make_settings(tmp_path, tmp_path / "sources", LOD_BASE_URI=BASE)
    outcome = pipeline.harvest_one(load_source(folder / "source.yaml"), settings)
    assert outcome.status == "failed"
    assert "source.yaml" in (outcome.error or "") and "options.items" in (outcome.error or "")
    with pytest.raises(SourceError):
        from lod.harvest.listing import listing_options
        listing_options(load_source(folder / "source.yaml"), 200)
