"""A harvest run shares one fetcher: sources on the same host are fetched one request at a time with the
politeness delay between them, while another host is fetched meanwhile."""

from __future__ import annotations

from pathlib import Path

from lod import pipeline
from tests.conftest import make_settings
from tests.fixtures_http import Reply, ScriptedServer

NT = '<https://kep.example.org/id/thing/{n}> <http://www.w3.org/2000/01/rdf-schema#label> "Ding {n}" .\n'


def _source(root: Path, slug: str, url: str) -> None:
    folder = root / slug
    folder.mkdir(parents=True)
    (folder / "source.yaml").write_text(
        f"title: {slug}\nkind: rdf\npublisher: {{name: Test, key: test}}\n"
        "licence: http://dcat-ap.de/def/licenses/dl-by-de/2.0\n"
        f"documents:\n  - url: {url}\n    media_type: application/n-triples\n", encoding="utf-8")


def test_politeness_holds_across_sources_and_hosts_run_in_parallel(tmp_path: Path) -> None:
    delay = 0.4
    with ScriptedServer() as server:
        sources = tmp_path / "sources"
        for n in range(3):
            server.route(f"/a{n}.nt", Reply(200, {"Content-Type": "application/n-triples"}, NT.format(n=f"a{n}")))
            _source(sources, f"a{n}", server.url(f"/a{n}.nt"))
        server.route("/b.nt", Reply(200, {"Content-Type": "application/n-triples"}, NT.format(n="b")))
        # "localhost" is another host name for the same server: its own politeness queue
        _source(sources, "b", server.url("/b.nt").replace("127.0.0.1", "localhost"))
        settings = make_settings(tmp_path, sources, LOD_HARVEST_DELAY=str(delay), LOD_HARVEST_JITTER="0",
                                 LOD_HARVEST_ALLOW_PRIVATE="true", LOD_HARVEST_CONCURRENCY="4")
        outcomes = pipeline.harvest(settings, offline=False)
        assert [o.status for o in outcomes] == ["harvested"] * 4, [o.error for o in outcomes]
        a_times = sorted(h.time for n in range(3) for h in server.hits(f"/a{n}.nt"))
        b_time = server.hits("/b.nt")[0].time
    gaps = [later - earlier for earlier, later in zip(a_times, a_times[1:])]
    assert len(a_times) == 3 and all(g >= delay * 0.95 for g in gaps), gaps
    assert b_time < a_times[-1], "the other host was not fetched while the first one waited"
