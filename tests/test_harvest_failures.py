"""Harvest failures against a real HTTP server on 127.0.0.1: each is reported clearly (outcome failed, message
naming the URL), `lod harvest` exits non-zero, and the source's last good data stays published."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lod import pipeline
from lod.cli import cli
from lod.settings import SETTINGS, Settings
from tests.conftest import ROOT
from tests.conftest import make_settings
from tests.fixtures_http import Reply, ScriptedServer

GOOD = (ROOT / "sources/aachen/snapshots/koordination-kommunale-entwicklungspolitik.html").read_bytes()
HTML = {"Content-Type": "text/html; charset=utf-8"}
LIMITS = {"LOD_HARVEST_ALLOW_PRIVATE": "true", "LOD_HARVEST_JITTER": "0", "LOD_HARVEST_DEADLINE": "2", "LOD_HARVEST_MAX_BYTES": "200000", "LOD_HARVEST_RETRIES": "0",
          "LOD_HARVEST_DELAY": "0", "LOD_HARVEST_READ_TIMEOUT": "1", "LOD_HARVEST_CONNECT_TIMEOUT": "1"}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


def _source(tmp_path: Path, server: ScriptedServer, kind: str = "html") -> tuple[Settings, Path]:
    """A temp sources dir with one source 'aachen-live' (the Aachen rules) pointing at the test server."""
    sources = tmp_path / "sources"
    folder = sources / "aachen-live"
    folder.mkdir(parents=True)
    if kind == "html":
        data = yaml.safe_load((ROOT / "sources/aachen/source.yaml").read_text(encoding="utf-8"))
        data["documents"] = [{"url": server.url("/kep.html")}]
    else:
        data = {"title": "RDF test", "kind": "rdf", "publisher": {"name": "Test", "key": "test"},
                "licence": "http://dcat-ap.de/def/licenses/cc-zero", "options": {"format": "rdfxml"},
                "documents": [{"url": server.url("/data.rdf")}]}
    (folder / "source.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for ref in ("municipalities", "places"):             # the gazetteer resolves the partner names
        (sources / ref).symlink_to(ROOT / "sources" / ref, target_is_directory=True)
    return make_settings(tmp_path, sources, **LIMITS), sources


def _env(settings: Settings) -> dict[str, str]:
    return {s.env: str(settings.values[s.name]) for s in SETTINGS}


def _published(settings: Settings) -> str:
    return (settings.var / "state" / "aachen-live.published.nt").read_text(encoding="utf-8")


def _sleepy(req: BaseHTTPRequestHandler) -> None:
    time.sleep(3)
    Reply(200, HTML, GOOD).send(req)


def _trickle(req: BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", str(len(GOOD)))
    req.end_headers()
    for i in range(0, 10 * 50, 50):          # 10 chunks, 0.4 s apart: past the 2 s deadline, then give up
        req.wfile.write(GOOD[i:i + 50])
        req.wfile.flush()
        time.sleep(0.4)


BOMB = gzip.compress(b"<html><body>" + b" " * 5_000_000 + b"</body></html>", compresslevel=9)
ENTITY_BOMB = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
               '<rdf:Description rdf:about="http://x/s"><rdf:value>&b;</rdf:value></rdf:Description></rdf:RDF>')
CASES = {
    "changed-shape": (Reply(200, HTML, GOOD.replace(b"kommunalen Partnerschaften mit", b"Freunden in")),
                      "expected section"),
    "404": (Reply(404, HTML, "<h1>Not found</h1>"), "404"),
    "500": (Reply(500, HTML, "<h1>Oops</h1>"), "500"),
    "timeout": (_sleepy, ""),
    "trickle": (_trickle, ""),
    "redirect-loop": (Reply(302, {"Location": "/kep.html"}), "redirect"),
    "huge-body": (Reply(200, HTML, b"<html><body>" + b"x" * 400_000 + b"</body></html>"), ""),
    "gzip-bomb": (Reply(200, {**HTML, "Content-Encoding": "gzip"}, BOMB), ""),
    "broken-charset": (Reply(200, {"Content-Type": "text/html; charset=x-no-such-charset"}, GOOD), "charset"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_html_failure_keeps_last_good_data(case: str, tmp_path: Path, server: ScriptedServer) -> None:
    settings, _ = _source(tmp_path, server)
    server.route("/kep.html", Reply(200, HTML, GOOD))
    # places first: the page graph names partner cities whose labels and countries the reference graph states
    outcomes, _ = pipeline.build(settings, ["places", "aachen-live"], offline=False)
    assert {o.slug: o.status for o in outcomes} == {"places": "published", "aachen-live": "published"}, outcomes
    good = _published(settings)
    assert "Chernihiv" in good

    reply, words = CASES[case]
    server.route("/kep.html", reply)
    result = CliRunner().invoke(cli, ["harvest", "--online", "aachen-live"], env=_env(settings))
    assert result.exit_code != 0
    line = next(ln for ln in result.output.splitlines() if ln.startswith("aachen-live"))
    assert " failed " in line and server.url("/kep.html") in line
    assert words.lower() in line.lower()
    assert _published(settings) == good                   # last good data stays published


def test_rdf_entity_bomb_is_refused(tmp_path: Path, server: ScriptedServer) -> None:
    settings, _ = _source(tmp_path, server, kind="rdf")
    good = ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="http://x/s"><rdf:value>ok</rdf:value></rdf:Description></rdf:RDF>')
    server.route("/data.rdf", Reply(200, {"Content-Type": "application/rdf+xml"}, good))
    outcomes, _ = pipeline.build(settings, ["aachen-live"], offline=False)
    assert [o.status for o in outcomes] == ["published"], outcomes
    before = _published(settings)
    server.route("/data.rdf", Reply(200, {"Content-Type": "application/rdf+xml"}, ENTITY_BOMB))
    result = CliRunner().invoke(cli, ["harvest", "--online", "aachen-live"], env=_env(settings))
    assert result.exit_code != 0
    assert server.url("/data.rdf") in result.output and "ENTITY" in result.output
    assert _published(settings) == before


def test_required_rule_message_names_url_and_rule(tmp_path: Path, server: ScriptedServer) -> None:
    settings, _ = _source(tmp_path, server)
    server.route("/kep.html", Reply(200, HTML, GOOD.replace(b"Seit 2011 als", b"Im Jahr 2011 als")))
    [outcome] = pipeline.harvest(settings, ["aachen-live"], offline=False)
    assert outcome.error == (f"{server.url('/kep.html')}: expected section "
                             "'Seit <Jahr> als „Fairtrade Town“ ausgezeichnet' not found (rule fairtrade-town)")
