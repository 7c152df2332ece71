"""lod.harvest.fetch against a real HTTP server on 127.0.0.1 (see tests/fixtures_http.py).

Limits are tiny so the whole file runs in a few seconds. Timing claims are measured in the server's log,
not from the client's own speed.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from lod import __version__
from lod.errors import HarvestError
from lod.harvest.base import Document, sha256
from lod.harvest.fetch import Fetcher, FetchPolicy, decode_body
from tests.fixtures_http import Reply, ScriptedServer

ROOT = Path(__file__).resolve().parent.parent
HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = FetchPolicy(connect_timeout=1, read_timeout=1, deadline=2, max_bytes=100_000, delay=0, jitter=0,
                   retries=2, backoff=0.01, max_backoff=0.05, max_wait=5, allow_private=True)


def fetcher(**overrides: object) -> Fetcher:
    return Fetcher(replace(FAST, **overrides))  # type: ignore[arg-type]


def test_page_with_http_charset(http_server: ScriptedServer) -> None:
    body = "<html><body><h1>Köpenick fördert Städtepartnerschaften</h1></body></html>".encode()
    url = http_server.route("/page", Reply(200, HTML, body))
    got = fetcher().get(url)
    doc = got.document
    assert isinstance(doc, Document)
    assert doc.url == url and doc.media_type == "text/html"
    assert doc.text is not None and "Köpenick fördert Städtepartnerschaften" in doc.text
    assert doc.sha256 == sha256(body)
    assert doc.retrieved.tzinfo is not None and doc.retrieved.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert (got.status, got.encoding, got.encoding_source) == (200, "utf-8", "http")
    ua = http_server.hits("/page")[0].headers["User-Agent"]
    assert "kep-lod" in ua and __version__ in ua and "+http" in ua


def test_no_declared_charset_is_not_read_as_iso_8859_1(http_server: ScriptedServer) -> None:
    url = http_server.route("/plain", Reply(200, {"Content-Type": "text/html"}, "<p>Bürger*innen</p>".encode()))
    got = fetcher().get(url)
    assert got.document.text == "<p>Bürger*innen</p>" and got.encoding_source == "utf-8"


def test_meta_charset_is_used(http_server: ScriptedServer) -> None:
    body = '<html><head><meta charset="windows-1252"></head><body>Straße – Köpenick</body></html>'
    url = http_server.route("/meta", Reply(200, {"Content-Type": "text/html"}, body.encode("cp1252")))
    got = fetcher().get(url)
    assert got.document.text is not None and "Straße – Köpenick" in got.document.text
    assert got.encoding_source == "meta"


def test_undeclared_legacy_charset_is_detected() -> None:
    text = ("Die Koordinierungsstelle fördert Städtepartnerschaften und Maßnahmen für faire Beschaffung "
            "im Bezirk Treptow-Köpenick; Bürgerinnen und Bürger können sich über Grünflächen äußern. ") * 3
    _, decoded, _, source = decode_body(text.encode("cp1252"), "text/html", url="http://x/")
    assert source == "detected" and decoded is not None and "Städtepartnerschaften" in decoded


def test_broken_charset_is_a_clear_error(http_server: ScriptedServer) -> None:
    url = http_server.route("/broken", Reply(200, HTML, b"<p>caf\xe9 au lait</p>"))
    with pytest.raises(HarvestError) as err:
        fetcher().fetch(url)
    assert url in err.value.message and "not valid utf-8" in err.value.message
    assert "Content-Type" in err.value.message


def test_etag_304_served_from_cache(http_server: ScriptedServer, tmp_path: Path) -> None:
    body = "<p>Version 1</p>".encode()

    def handler(req: BaseHTTPRequestHandler) -> None:
        if req.headers.get("If-None-Match") == '"v1"':
            Reply(304, {"ETag": '"v1"'}).send(req)
        else:
            Reply(200, {**HTML, "ETag": '"v1"'}, body).send(req)

    url = http_server.route("/etag", handler)
    f = fetcher(cache_dir=tmp_path / "http")
    first, second = f.get(url), f.get(url)
    assert (first.status, first.from_cache) == (200, False)
    assert (second.status, second.from_cache) == (304, True)
    assert second.document.text == "<p>Version 1</p>" and second.document.sha256 == sha256(body)
    hits = http_server.hits("/etag")
    assert "If-None-Match" not in hits[0].headers and hits[1].headers["If-None-Match"] == '"v1"'


def test_last_modified_conditional_get(http_server: ScriptedServer, tmp_path: Path) -> None:
    stamp = "Thu, 03 Dec 2020 10:00:00 GMT"

    def handler(req: BaseHTTPRequestHandler) -> None:
        if req.headers.get("If-Modified-Since") == stamp:
            Reply(304).send(req)
        else:
            Reply(200, {**HTML, "Last-Modified": stamp}, "<p>Pressemitteilung</p>").send(req)

    url = http_server.route("/lm", handler)
    cache = tmp_path / "http"
    assert fetcher(cache_dir=cache).get(url).status == 200
    again = fetcher(cache_dir=cache).get(url)        # a new Fetcher (next run) reuses the disk cache
    assert again.status == 304 and again.last_modified == stamp
    assert again.document.text == "<p>Pressemitteilung</p>"


def test_robots_disallow(http_server: ScriptedServer) -> None:
    http_server.robots = "User-agent: *\nDisallow: /private\n"
    ok = http_server.route("/public", Reply(200, HTML, "<p>ok</p>"))
    private = http_server.route("/private/page", Reply(200, HTML, "<p>secret</p>"))
    f = fetcher()
    assert f.fetch(ok).text == "<p>ok</p>"
    with pytest.raises(HarvestError, match="disallowed by .*robots.txt") as err:
        f.fetch(private)
    assert private in err.value.message
    assert http_server.hits("/private/page") == []
    assert len(http_server.hits("/robots.txt")) == 1          # fetched once per host


def test_robots_group_for_our_user_agent(http_server: ScriptedServer) -> None:
    http_server.robots = "User-agent: *\nAllow: /\n\nUser-agent: kep-lod-Harvester\nDisallow: /\n"
    url = http_server.route("/page", Reply(200, HTML, "<p>x</p>"))
    with pytest.raises(HarvestError, match="disallowed"):
        fetcher().fetch(url)


def test_robots_404_allows_and_5xx_disallows(http_server: ScriptedServer) -> None:
    url = http_server.route("/page", Reply(200, HTML, "<p>x</p>"))
    assert fetcher().fetch(url).text == "<p>x</p>"               # robots = None → 404
    http_server.robots = Reply(503, {"Content-Type": "text/plain"}, "down")
    with pytest.raises(HarvestError, match=r"robots.txt could not be read \(503 .*RFC 9309"):
        fetcher().fetch(url)


def test_404(http_server: ScriptedServer) -> None:
    url = http_server.url("/missing")
    with pytest.raises(HarvestError) as err:
        fetcher().fetch(url)
    assert err.value.message == f"{url}: 404 Not Found (expected 200 OK)"
    assert len(http_server.hits("/missing")) == 1                # no retries on 4xx


def test_500_is_retried_then_fails(http_server: ScriptedServer) -> None:
    url = http_server.route("/error", Reply(500, {"Content-Type": "text/plain"}, "boom"))
    with pytest.raises(HarvestError, match=r"500 Internal Server Error after 2 retries") as err:
        fetcher(retries=2).fetch(url)
    assert url in err.value.message
    assert len(http_server.hits("/error")) == 3


def test_429_retry_after_is_honoured(http_server: ScriptedServer) -> None:
    answers = [Reply(429, {"Retry-After": "1"}, "slow down"), Reply(200, HTML, "<p>ok</p>")]
    url = http_server.route("/busy", lambda req: answers.pop(0).send(req))
    assert fetcher().fetch(url).text == "<p>ok</p>"
    first, second = http_server.hits("/busy")
    assert second.time - first.time >= 1.0


def test_retry_after_beyond_limit_fails_at_once(http_server: ScriptedServer) -> None:
    url = http_server.route("/later", Reply(429, {"Retry-After": "7200"}, ""))
    with pytest.raises(HarvestError, match="7200 s, more than the 5 s limit"):
        fetcher().fetch(url)
    assert len(http_server.hits("/later")) == 1


def test_read_timeout(http_server: ScriptedServer) -> None:
    url = http_server.route("/silent", lambda req: time.sleep(1.5))
    started = time.monotonic()
    with pytest.raises(HarvestError, match=r"no data for 0.3 s \(read timeout\) after 0 retries"):
        fetcher(read_timeout=0.3, retries=0).fetch(url)
    assert time.monotonic() - started < 1.2


def _trickle(req: BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", "1000")
    req.end_headers()
    for _ in range(1000):
        req.wfile.write(b"x")
        req.wfile.flush()
        time.sleep(0.02)


def _trickle_headers(req: BaseHTTPRequestHandler) -> None:
    req.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for _ in range(1000):
        req.wfile.write(b"X-Slow: y\r\n")
        req.wfile.flush()
        time.sleep(0.02)


@pytest.mark.parametrize("handler", [_trickle, _trickle_headers], ids=["body", "headers"])
def test_trickling_server_is_cut_by_total_deadline(http_server: ScriptedServer, handler: object) -> None:
    url = http_server.route("/trickle", handler)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(HarvestError) as err:
        fetcher(read_timeout=1, deadline=0.5).fetch(url)
    assert err.value.message == f"{url}: no response within 0.5 s total deadline"
    assert time.monotonic() - started < 1.5                       # the trickle would take 20 s
    assert len(http_server.hits("/trickle")) == 1                 # the deadline is not retried


def test_redirect_loop(http_server: ScriptedServer) -> None:
    a = http_server.route("/a", Reply(302, {"Location": "/b"}))
    http_server.route("/b", Reply(301, {"Location": "/a"}))
    with pytest.raises(HarvestError, match="redirect loop after 2 redirects") as err:
        fetcher().fetch(a)
    assert err.value.message.startswith(a + ": ")


def test_five_redirects_ok_six_refused(http_server: ScriptedServer) -> None:
    for i in range(10):
        http_server.route(f"/r{i}", Reply(302, {"Location": f"/r{i + 1}"}))
    http_server.route("/r5", Reply(200, HTML, "<p>end</p>"))
    got = fetcher().get(http_server.url("/r0"))
    assert got.document.text == "<p>end</p>" and got.final_url == http_server.url("/r5")
    assert got.document.url == http_server.url("/r0")
    http_server.route("/r5", Reply(302, {"Location": "/r6"}))
    with pytest.raises(HarvestError, match="more than 5 redirects"):
        fetcher().fetch(http_server.url("/r0"))


def test_body_over_cap(http_server: ScriptedServer) -> None:
    url = http_server.route("/huge", Reply(200, HTML, b"x" * 300_000))
    with pytest.raises(HarvestError) as err:
        fetcher().fetch(url)
    assert err.value.message == f"{url}: body exceeds 100 kB cap (Content-Length 300000)"


def test_body_over_cap_without_content_length(http_server: ScriptedServer) -> None:
    def endless(req: BaseHTTPRequestHandler) -> None:        # HTTP/1.0, close-delimited, never ends
        req.send_response(200)
        req.send_header("Content-Type", "text/html; charset=utf-8")
        req.end_headers()
        while True:
            req.wfile.write(b"x" * 65_536)

    url = http_server.route("/endless", endless)
    with pytest.raises(HarvestError, match="body exceeds 100 kB cap"):
        fetcher().fetch(url)


def _bomb(size: int) -> Reply:
    return Reply(200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(b"\0" * size, compresslevel=9))


def test_gzip_bomb_stopped_at_decoded_cap(http_server: ScriptedServer) -> None:
    url = http_server.route("/bomb", _bomb(20_000_000))          # ~20 kB on the wire, 20 MB decoded
    with pytest.raises(HarvestError, match=r"body exceeds 100 kB cap$"):
        fetcher().fetch(url)


def test_gzip_bomb_stopped_by_ratio(http_server: ScriptedServer) -> None:
    url = http_server.route("/bomb", _bomb(20_000_000))
    with pytest.raises(HarvestError, match="expands more than 100:1"):
        fetcher(max_bytes=50_000_000).fetch(url)


def test_gzip_page_is_decoded(http_server: ScriptedServer) -> None:
    body = "<p>Fairer Handel</p>".encode()
    url = http_server.route("/gz", Reply(200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(body)))
    doc = fetcher().fetch(url)
    assert doc.text == "<p>Fairer Handel</p>" and doc.sha256 == sha256(body)


def test_politeness_spaces_requests_to_one_host(http_server: ScriptedServer) -> None:
    for path in ("/p1", "/p2", "/p3", "/p4"):
        http_server.route(path, Reply(200, HTML, "<p>x</p>"))
    f = fetcher(delay=0.3)
    threads = [threading.Thread(target=f.fetch, args=(http_server.url(p),)) for p in ("/p2", "/p3", "/p4")]
    f.fetch(http_server.url("/p1"))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(h.time for h in http_server.log if h.path.startswith("/p"))
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.3, gaps


def test_offline_snapshot_mode(tmp_path: Path) -> None:
    snap = ROOT / "sources" / "berlin-mitte" / "snapshots" / "kommunale-entwicklungspolitik.html"
    url = "https://www.berlin.de/ba-mitte/politik-und-verwaltung/service-und-organisationseinheiten/" \
          "kommunale-entwicklungspolitik/"
    legacy = tmp_path / "legacy.html"
    legacy.write_bytes('<meta charset="iso-8859-1"><p>Maßnahmen</p>'.encode("latin-1"))
    f = Fetcher(offline=True, snapshots={url: snap, "https://example.org/legacy": legacy})
    doc = f.fetch(url)
    assert doc.media_type == "text/html" and doc.sha256 == sha256(snap.read_bytes())
    assert doc.text is not None and "Fairtrade-Town" in doc.text
    assert f.fetch("https://example.org/legacy").text == '<meta charset="iso-8859-1"><p>Maßnahmen</p>'
    with pytest.raises(HarvestError, match="no stored snapshot"):
        f.fetch("https://www.berlin.de/other")


def test_offline_snapshot_with_broken_charset(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_bytes(b'<meta charset="utf-8"><p>caf\xe9</p>')
    with pytest.raises(HarvestError, match=r"https://example.org/bad: body is not valid utf-8"):
        Fetcher(offline=True, snapshots={"https://example.org/bad": bad}).fetch("https://example.org/bad")


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)"])
def test_non_http_scheme_refused(url: str) -> None:
    with pytest.raises(HarvestError, match="only http and https"):
        fetcher().fetch(url)
    with pytest.raises(HarvestError, match="only http and https"):
        Fetcher(offline=True, snapshots={url: Path("/dev/null")}).fetch(url)


def test_redirect_to_file_scheme_refused(http_server: ScriptedServer) -> None:
    url = http_server.route("/jump", Reply(302, {"Location": "file:///etc/passwd"}))
    with pytest.raises(HarvestError, match=r"not file: \(redirected to file:///etc/passwd\)"):
        fetcher().fetch(url)


def test_private_addresses_refused_by_default(http_server: ScriptedServer) -> None:
    url = http_server.route("/page", Reply(200, HTML, "<p>x</p>"))
    with pytest.raises(HarvestError, match="non-public address 127.0.0.1"):
        Fetcher(replace(FAST, allow_private=False, respect_robots=False)).fetch(url)
    with pytest.raises(HarvestError, match=r"^http://127.0.0.1:\d+/page: refused: .*non-public"):
        Fetcher(replace(FAST, allow_private=False)).fetch(url)      # checked before robots.txt
    assert http_server.log == []


def test_host_skipped_after_consecutive_failures(http_server: ScriptedServer) -> None:
    f = fetcher(max_host_failures=2)
    for _ in range(2):
        with pytest.raises(HarvestError, match="404"):
            f.fetch(http_server.url("/gone"))
    with pytest.raises(HarvestError, match="failed 2 times in a row"):
        f.fetch(http_server.url("/gone"))
    assert len(http_server.hits("/gone")) == 2
