"""Fetching documents for every harvester kind: politeness, limits, conditional GET, robots.txt, decoding.

``Fetcher(policy).fetch(url)`` returns a :class:`lod.harvest.base.Document`. ``Fetcher.get`` returns the
same document plus what provenance needs (status, ETag, encoding). Offline,
``Fetcher(offline=True, snapshots={url: path})`` reads stored snapshots and decodes them the same way.

Every failure raises :class:`lod.errors.HarvestError`. Its message names the URL and says what was
expected. The rules (docs/protection.md §4):

- one request at a time per host, with ``max(delay, Crawl-delay) + jitter`` seconds between requests;
- connect/read timeouts, plus a total deadline per response that a watchdog enforces by shutting down the
  socket. A loop check is not enough: ``iter_content`` blocks until a whole chunk has arrived, so a server
  sending one byte at a time would never let the loop run;
- a cap on the *decoded* body (gzip bombs stop at the cap) and a 100:1 decompression-ratio limit;
- retries with exponential backoff on connection errors, timeouts, 429 and 5xx. ``Retry-After`` is
  honoured up to ``max_wait``; a longer demand fails the fetch at once ("skip the host this run");
- at most ``max_redirects`` redirects (loops detected), each hop http/https only and (unless
  ``allow_private``) only to globally routable addresses (SSRF guard; the check happens before connecting,
  so DNS rebinding between check and connect is not covered);
- robots.txt via Protego, fetched once per host and cached for ``robots_ttl``. 2xx is parsed (first
  ``robots_max_bytes``), 4xx allows all, and 5xx/429/network errors **disallow the host for this run**
  (RFC 9309 §2.3.1.4: no retry, because a failing robots.txt is a reason to leave the host alone);
- conditional GET (``If-None-Match``/``If-Modified-Since``) against an on-disk cache; a 304 returns the
  cached body;
- charset: BOM > HTTP ``charset`` > ``<meta charset>``/XML declaration > valid UTF-8 > charset_normalizer.
  It never silently falls back to ISO-8859-1. Undecodable bytes raise unless ``lenient_decoding``.
"""

from __future__ import annotations

import codecs
import hashlib
import http.cookiejar
import ipaddress
import json
import logging
import mimetypes
import os
import random
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from charset_normalizer import from_bytes
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lod import __version__
from lod.errors import HarvestError
from lod.harvest.base import Document, sha256

__all__ = ["FetchPolicy", "Fetcher", "Fetched", "default_user_agent", "decode_body", "DEFAULT_ACCEPT"]

logger = logging.getLogger(__name__)

DEFAULT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
DEFAULT_INFO_URL = "https://kep.example.org/about/harvester"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RATIO_FLOOR = 1 << 20        # the decompression-ratio check starts after 1 MiB of decoded body


def default_user_agent(info_url: str = DEFAULT_INFO_URL) -> str:
    """``kep-lod-Harvester/<version> (+<info_url>)``, also the name matched against robots.txt groups.

    >>> default_user_agent("https://lod.example/about/harvester").startswith("kep-lod-Harvester/")
    True
    """
    return f"kep-lod-Harvester/{__version__} (+{info_url})"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of a :class:`Fetcher` (seconds, bytes). Defaults follow docs/protection.md §4."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0       # longest silence while waiting for bytes
    deadline: float = 60.0           # total seconds for one response (request sent → last body byte)
    max_bytes: int = 10_000_000      # largest decoded body
    max_ratio: float = 100.0         # largest decoded:compressed ratio (after 1 MiB)
    delay: float = 2.0               # seconds between requests to one host (raised by Crawl-delay)
    jitter: float = 1.0              # plus a random 0..jitter seconds
    retries: int = 3                 # retries on connection errors, timeouts, 429, 5xx
    backoff: float = 2.0             # first retry wait; doubles each time
    max_backoff: float = 60.0
    max_wait: float = 3600.0         # longest Retry-After / Crawl-delay honoured; longer → fail now
    max_redirects: int = 5
    max_host_failures: int = 5       # consecutive failed documents before a host is skipped this run
    user_agent: str = field(default_factory=default_user_agent)
    cache_dir: Path | None = None    # conditional-GET cache (e.g. var/cache/http); None = no cache
    respect_robots: bool = True
    robots_ttl: float = 86_400.0
    robots_max_bytes: int = 512_000
    allow_private: bool = False      # allow loopback/private addresses (tests, intranet sources)
    lenient_decoding: bool = False   # replace undecodable bytes (with a warning) instead of raising


@dataclass(frozen=True)
class Fetched:
    """A fetched document plus the HTTP facts provenance records (docs/protection.md §4.5)."""

    document: Document
    status: int                      # 200…299, or 304 when the cached body was returned
    final_url: str                   # after redirects
    from_cache: bool = False
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None      # None for non-text media types
    encoding_source: str | None = None   # "bom" | "http" | "meta" | "utf-8" | "detected"


# --- the deadline watchdog -------------------------------------------------------------------------------

_ACTIVE = threading.local()


class _Watchdog:
    """Shuts down the socket of the request running in this thread when the deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self.conn: HTTPConnection | None = None
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        _ACTIVE.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _ACTIVE.watchdog = None

    def expired(self) -> bool:
        return self.fired or time.monotonic() > self.deadline

    def _fire(self) -> None:
        self.fired = True
        # http.client sets conn.sock = None when it hands a Connection: close socket to the response,
        # so fall back to the socket remembered when the request was sent.
        sock = getattr(self.conn, "sock", None) or getattr(self.conn, "kep_sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _watch(conn: HTTPConnection) -> None:
    watchdog = getattr(_ACTIVE, "watchdog", None)
    if watchdog is not None:
        watchdog.conn = conn


class _HTTPConn(HTTPConnection):
    kep_sock: socket.socket | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watch(self)
        super().request(*args, **kwargs)
        self.kep_sock = self.sock


class _HTTPSConn(HTTPSConnection):
    kep_sock: socket.socket | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watch(self)
        super().request(*args, **kwargs)
        self.kep_sock = self.sock


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConn


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConn


class _Adapter(HTTPAdapter):
    """A requests adapter whose connections register with the watchdog; no retries of its own."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


# --- per-host state ----------------------------------------------------------------------------------------

class _Retryable(Exception):
    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.message, self.wait = message, wait


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)          # one request at a time
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    last: float | None = None          # monotonic end of the last request
    not_before: float = 0.0            # monotonic; set by Retry-After and backoff
    crawl_delay: float = 0.0
    robots: Protego | None = None
    robots_error: str | None = None    # set → the host is disallowed
    robots_loaded: float | None = None
    failures: int = 0


@dataclass
class _Reply:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes | None


# --- the fetcher -------------------------------------------------------------------------------------------

class Fetcher:
    """Fetches documents politely within limits; thread-safe (one request at a time per host).

    :param policy: limits and manners; ``FetchPolicy()`` if omitted.
    :param offline: read ``snapshots`` instead of the network.
    :param snapshots: ``{url: path}`` of stored copies (offline mode).
    """

    def __init__(self, policy: FetchPolicy | None = None, *, offline: bool = False,
                 snapshots: Mapping[str, Path | str] | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.offline = offline
        self.snapshots = {url: Path(p) for url, p in (snapshots or {}).items()}
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._session = requests.Session()
        self._session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._session.headers["User-Agent"] = self.policy.user_agent
        adapter = _Adapter(max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> Document:
        """Fetch ``url`` (or read its snapshot offline) and return it as a decoded :class:`Document`.

        :raises HarvestError: on a refused scheme or address, robots.txt disallow, a non-2xx answer after
            retries, timeouts, the deadline, the size cap, too many redirects or an undecodable body.
        """
        return self.get(url, accept=accept).document

    def get(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> Fetched:
        """Like :meth:`fetch`, but also returns status, validators and the encoding used.

        :raises HarvestError: as :meth:`fetch`.
        """
        _check_url(url)
        if self.offline:
            return self._from_snapshot(url)
        host = self._host(url)
        if host.failures >= self.policy.max_host_failures > 0:
            raise HarvestError(f"{url}: skipped, {_origin(url)} failed {host.failures} times in a row "
                               "this run")
        try:
            result = self._get_online(url, accept)
        except HarvestError:
            host.failures += 1
            raise
        host.failures = 0
        return result

    # -- online ---------------------------------------------------------------------------------------

    def _get_online(self, url: str, accept: str) -> Fetched:
        cached = self._cache_load(url)
        current, seen, hops = url, {url}, 0
        while True:
            self._check_allowed(url, current)
            headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
            if cached is not None and current == url:
                if cached.get("etag"):
                    headers["If-None-Match"] = cached["etag"]
                if cached.get("last_modified"):
                    headers["If-Modified-Since"] = cached["last_modified"]
            reply = self._with_retries(url, current, headers)
            if reply.status in _REDIRECTS:
                location = reply.headers.get("Location")
                if not location:
                    raise HarvestError(f"{url}: {reply.status} redirect from {current} without a Location")
                target = urljoin(current, location.strip())
                hops += 1
                if target in seen:
                    raise HarvestError(f"{url}: redirect loop after {hops} redirects ({current} → {target})")
                if hops > self.policy.max_redirects:
                    raise HarvestError(f"{url}: more than {self.policy.max_redirects} redirects "
                                       f"(stopped at {target})")
                logger.debug("%s: %s redirect to %s", url, reply.status, target)
                seen.add(target)
                current = target
                continue
            if reply.status == 304 and cached is not None:
                return self._from_cache(url, current, cached)
            if not 200 <= reply.status < 300 or reply.body is None:
                where = f" at {current}" if current != url else ""
                raise HarvestError(f"{url}: {reply.status} {reply.reason}{where} (expected 200 OK)")
            return self._document(url, current, reply)

    def _document(self, url: str, final: str, reply: _Reply) -> Fetched:
        assert reply.body is not None
        content_type = reply.headers.get("Content-Type", "")
        media_type, text, encoding, source = decode_body(reply.body, content_type, url=url,
                                                         lenient=self.policy.lenient_decoding)
        doc = Document(url=url, retrieved=_now(), sha256=sha256(reply.body), media_type=media_type, text=text)
        etag, modified = reply.headers.get("ETag"), reply.headers.get("Last-Modified")
        if etag or modified:
            self._cache_store(url, reply.body, content_type, etag, modified)
        logger.info("fetched %s (%d bytes, %s, %s)", url, len(reply.body), media_type, encoding)
        return Fetched(doc, reply.status, final, False, etag, modified, encoding, source)

    def _with_retries(self, url: str, current: str, headers: dict[str, str]) -> _Reply:
        """Run one request with retries; return the first non-retryable reply.

        :raises HarvestError: when retries are exhausted or a Retry-After exceeds ``max_wait``.
        """
        policy, host = self.policy, self._host(current)
        problem = ""
        for attempt in range(policy.retries + 1):
            if attempt:
                logger.info("%s: %s; retry %d of %d", url, problem, attempt, policy.retries)
            wait: float | None
            try:
                reply = self._request(url, current, headers)
            except _Retryable as exc:
                problem, wait = exc.message, None
            else:
                if reply.status != 429 and reply.status < 500:
                    return reply
                problem, wait = f"{reply.status} {reply.reason}", _retry_after(reply.headers)
                if wait is not None and wait > policy.max_wait:
                    raise HarvestError(f"{url}: {problem}; the server asks to wait {wait:g} s, more than "
                                       f"the {policy.max_wait:g} s limit, so the host is skipped this run")
            if attempt == policy.retries:
                break
            if wait is None:
                wait = min(policy.backoff * 2 ** attempt, policy.max_backoff) + random.uniform(0, policy.jitter)
            host.not_before = max(host.not_before, time.monotonic() + wait)
        raise HarvestError(f"{url}: {problem} after {policy.retries} retries")

    def _request(self, url: str, current: str, headers: dict[str, str], *, limit: int | None = None,
                 truncate: bool = False) -> _Reply:
        """One GET under the host's lock, after its politeness delay; reads the body of a 2xx reply.

        :raises _Retryable: on connection errors and timeouts.
        :raises HarvestError: on the deadline, the size cap or a broken compressed body.
        """
        policy, host = self.policy, self._host(current)
        with host.lock:
            self._wait_turn(host)
            watchdog = _Watchdog(policy.deadline)
            try:
                with watchdog:
                    resp = self._session.get(
                        current, headers=headers, stream=True, allow_redirects=False,
                        timeout=(policy.connect_timeout, min(policy.read_timeout, policy.deadline)))
                    try:
                        body = None
                        if 200 <= resp.status_code < 300:
                            body = self._read(url, resp, watchdog, limit or policy.max_bytes, truncate)
                        return _Reply(resp.status_code, resp.reason or _phrase(resp.status_code),
                                      resp.headers, body)
                    finally:
                        resp.close()
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if watchdog.fired:
                    raise HarvestError(self._deadline_message(url)) from exc
                if isinstance(exc, requests.exceptions.ContentDecodingError):
                    raise HarvestError(f"{url}: compressed body cannot be decoded ({exc})") from exc
                if isinstance(exc, requests.exceptions.ConnectTimeout):
                    raise _Retryable(f"no connection within {policy.connect_timeout:g} s") from exc
                if isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in str(exc):
                    raise _Retryable(f"no data for {policy.read_timeout:g} s (read timeout)") from exc
                raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
            finally:
                host.last = time.monotonic()

    def _read(self, url: str, resp: requests.Response, watchdog: _Watchdog, limit: int,
              truncate: bool) -> bytes:
        length = resp.headers.get("Content-Length", "")
        if not truncate and length.isdigit() and int(length) > limit:
            raise HarvestError(f"{url}: body exceeds {_size(limit)} cap (Content-Length {length})")
        buf = bytearray()
        for chunk in resp.iter_content(chunk_size=65_536):
            buf += chunk
            if watchdog.expired():
                raise HarvestError(self._deadline_message(url))
            if len(buf) > limit:
                if truncate:
                    return bytes(buf[:limit])
                raise HarvestError(f"{url}: body exceeds {_size(limit)} cap")
            wire = resp.raw.tell()
            if len(buf) > _RATIO_FLOOR and wire and len(buf) > self.policy.max_ratio * wire:
                raise HarvestError(f"{url}: compressed body expands more than "
                                   f"{self.policy.max_ratio:g}:1 (decompression bomb?)")
        if watchdog.fired:   # a close-delimited body cut by the watchdog looks complete
            raise HarvestError(self._deadline_message(url))
        return bytes(buf)

    def _deadline_message(self, url: str) -> str:
        return f"{url}: no response within {self.policy.deadline:g} s total deadline"

    def _wait_turn(self, host: _Host) -> None:
        delay = min(max(self.policy.delay, host.crawl_delay), self.policy.max_wait)
        ready = host.not_before
        if host.last is not None:
            ready = max(ready, host.last + delay + random.uniform(0, self.policy.jitter))
        pause = ready - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def _host(self, url: str) -> _Host:
        origin = _origin(url)
        with self._hosts_lock:
            return self._hosts.setdefault(origin, _Host())

    # -- scheme, address and robots checks ---------------------------------------------------------------

    def _check_allowed(self, url: str, current: str) -> None:
        _check_url(current, url)
        if not self.policy.allow_private:
            _check_address(url, current)
        if self.policy.respect_robots:
            self._check_robots(url, current)

    def _check_robots(self, url: str, current: str) -> None:
        host, origin = self._host(current), _origin(current)
        with host.robots_lock:
            fresh = host.robots_loaded is not None and time.monotonic() - host.robots_loaded < self.policy.robots_ttl
            if not fresh:
                host.robots, host.robots_error = self._load_robots(origin)
                host.robots_loaded = time.monotonic()
                if host.robots is not None:
                    host.crawl_delay = float(host.robots.crawl_delay(self.policy.user_agent) or 0.0)
        if host.robots_error is not None:
            raise HarvestError(f"{url}: {origin}/robots.txt could not be read ({host.robots_error}); "
                               "the host is treated as disallowed for this run (RFC 9309)")
        if host.robots is not None and not host.robots.can_fetch(current, self.policy.user_agent):
            raise HarvestError(f"{url}: disallowed by {origin}/robots.txt for {self.policy.user_agent}")

    def _load_robots(self, origin: str) -> tuple[Protego | None, str | None]:
        """Return (rules or None = allow all, error or None); an error disallows the host."""
        current = origin + "/robots.txt"
        for _ in range(self.policy.max_redirects + 1):
            try:
                _check_url(current)
                if not self.policy.allow_private:
                    _check_address(current, current)
                reply = self._request(current, current, {"Accept": "text/plain"},
                                      limit=self.policy.robots_max_bytes, truncate=True)
            except (HarvestError, _Retryable) as exc:
                return None, exc.message.removeprefix(current + ": ")
            if reply.status in _REDIRECTS and reply.headers.get("Location"):
                current = urljoin(current, reply.headers["Location"])
                continue
            if 200 <= reply.status < 300 and reply.body is not None:
                logger.debug("robots.txt of %s: %d bytes", origin, len(reply.body))
                return Protego.parse(reply.body.decode("utf-8", "replace")), None
            if 400 <= reply.status < 500 and reply.status != 429:
                return None, None
            return None, f"{reply.status} {reply.reason}"
        return None, f"more than {self.policy.max_redirects} redirects"

    # -- conditional-GET cache ---------------------------------------------------------------------------

    def _cache_paths(self, url: str) -> tuple[Path, Path] | None:
        if self.policy.cache_dir is None:
            return None
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        return self.policy.cache_dir / f"{key}.json", self.policy.cache_dir / f"{key}.body"

    def _cache_load(self, url: str) -> dict[str, Any] | None:
        paths = self._cache_paths(url)
        if paths is None or not paths[0].exists() or not paths[1].exists():
            return None
        try:
            meta: dict[str, Any] = json.loads(paths[0].read_text("utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable cache entry %s: %s", paths[0], exc)
            return None
        return meta if meta.get("url") == url else None

    def _cache_store(self, url: str, body: bytes, content_type: str, etag: str | None,
                     modified: str | None) -> None:
        paths = self._cache_paths(url)
        if paths is None:
            return
        meta = {"url": url, "etag": etag, "last_modified": modified, "content_type": content_type}
        try:
            paths[0].parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(paths[1], body)
            _write_atomic(paths[0], json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        except OSError as exc:
            logger.warning("cannot write HTTP cache entry for %s: %s", url, exc)

    def _from_cache(self, url: str, final: str, meta: dict[str, Any]) -> Fetched:
        paths = self._cache_paths(url)
        assert paths is not None
        try:
            body = paths[1].read_bytes()
        except OSError as exc:
            raise HarvestError(f"{url}: 304 Not Modified but the cached copy is unreadable ({exc})") from exc
        media_type, text, encoding, source = decode_body(body, meta.get("content_type") or "", url=url,
                                                         lenient=self.policy.lenient_decoding)
        logger.info("%s: 304 Not Modified, using the cached copy", url)
        doc = Document(url=url, retrieved=_now(), sha256=sha256(body), media_type=media_type, text=text)
        return Fetched(doc, 304, final, True, meta.get("etag"), meta.get("last_modified"), encoding, source)

    # -- offline --------------------------------------------------------------------------------------------

    def _from_snapshot(self, url: str) -> Fetched:
        path = self.snapshots.get(url)
        if path is None:
            raise HarvestError(f"{url}: no stored snapshot for this URL (offline mode reads only the "
                               "snapshots named in source.yaml)")
        try:
            if path.stat().st_size > self.policy.max_bytes:
                raise HarvestError(f"{url}: snapshot {path} exceeds {_size(self.policy.max_bytes)} cap")
            body = path.read_bytes()
        except OSError as exc:
            raise HarvestError(f"{url}: cannot read snapshot {path} ({exc.strerror or exc})") from exc
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        media_type, text, encoding, source = decode_body(body, guessed, url=url,
                                                         lenient=self.policy.lenient_decoding)
        doc = Document(url=url, retrieved=_now(), sha256=sha256(body), media_type=media_type, text=text)
        return Fetched(doc, 200, url, False, None, None, encoding, source)


# --- decoding --------------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)["']""")
_TEXT_TYPES = frozenset({"application/xhtml+xml", "application/xml", "application/json", "application/ld+json",
                         "application/rdf+xml", "application/n-triples", "application/n-quads",
                         "application/trig", "application/javascript", "application/sparql-results+json"})
_UTF8_TYPES = ("json", "n-triples", "n-quads", "turtle", "trig")   # RFC 8259 / RDF 1.1: UTF-8 only


def decode_body(body: bytes, content_type: str, *, url: str,
                lenient: bool = False) -> tuple[str, str | None, str | None, str | None]:
    """Return ``(media_type, text, encoding, encoding_source)``; text is None for non-text media types.

    :raises HarvestError: naming ``url`` when the declared encoding is unknown, or the bytes do not decode
        (unless ``lenient``: then undecodable bytes become U+FFFD and a warning is logged).
    """
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower() or _sniff_media_type(body)
    if not (media_type.startswith("text/") or media_type in _TEXT_TYPES
            or media_type.endswith(("+xml", "+json"))):
        return media_type, None, None, None
    charset = _param(params, "charset")
    for bom, name in _BOMS:
        if body.startswith(bom):
            encoding, source, body = name, "bom", body[len(bom):]
            break
    else:
        if charset:
            encoding, source = charset, "http"
        elif (found := _declared(body[:1024])) is not None:
            encoding, source = found, "meta"
        elif any(t in media_type for t in _UTF8_TYPES) or _is_utf8(body):
            encoding, source = "utf-8", "utf-8"
        else:
            best = from_bytes(body).best()
            if best is None:
                raise HarvestError(f"{url}: cannot determine the character encoding (no charset in "
                                   "Content-Type, no <meta charset>, and detection failed)")
            encoding, source = best.encoding, "detected"
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise HarvestError(f"{url}: unknown character encoding {encoding!r} (from {source})") from exc
    if source == "meta" and name.startswith("utf-16"):
        name = "utf-8"                       # WHATWG: a <meta> in ASCII cannot mean UTF-16
    text = _decode(body, name, url=url, source=source, lenient=lenient)
    if text.count("\ufffd") > len(text) / 100:
        logger.warning("%s: more than 1%% of the characters are U+FFFD after decoding as %s", url, name)
    return media_type, unicodedata.normalize("NFC", text), name, source


def _decode(body: bytes, name: str, *, url: str, source: str, lenient: bool) -> str:
    if name in ("latin-1", "iso8859-1", "ascii"):
        try:
            return body.decode("cp1252")      # WHATWG: these labels mean windows-1252
        except UnicodeDecodeError:
            return body.decode("latin-1")
    try:
        return body.decode(name)
    except UnicodeDecodeError as exc:
        where = {"http": "the Content-Type header", "meta": "the document's charset declaration",
                 "bom": "its byte-order mark"}.get(source, "detection")
        message = (f"{url}: body is not valid {name} as declared by {where} "
                   f"(byte 0x{body[exc.start]:02x} at offset {exc.start})")
        if not lenient:
            raise HarvestError(message) from exc
        logger.warning("%s; undecodable bytes replaced", message)
        return body.decode(name, errors="replace")


def _declared(head: bytes) -> str | None:
    match = _XML_DECL.match(head) or _META.search(head)
    return match.group(1).decode("ascii") if match else None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sniff_media_type(body: bytes) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if head.startswith(b"<?xml"):
        return "application/xml"
    return "application/octet-stream"


def _param(params: str, name: str) -> str | None:
    for part in params.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name and value.strip().strip('"\''):
            return value.strip().strip('"\'')
    return None


# --- helpers ---------------------------------------------------------------------------------------------

def _check_url(current: str, url: str | None = None) -> None:
    """:raises HarvestError: unless ``current`` is an http(s) URL with a host."""
    url = url or current
    try:
        parts = urlsplit(current)
        parts.port
    except ValueError as exc:
        raise HarvestError(f"{url}: not a valid URL: {current} ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https"):
        hop = "" if current == url else f" (redirected to {current})"
        raise HarvestError(f"{url}: only http and https URLs can be fetched, not {parts.scheme or 'none'}:{hop}")
    if not parts.hostname:
        raise HarvestError(f"{url}: the URL has no host")


def _check_address(url: str, current: str) -> None:
    """SSRF guard. :raises HarvestError: if the host resolves to a non-global address or not at all."""
    parts = urlsplit(current)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HarvestError(f"{url}: cannot resolve host {host} ({exc})") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise HarvestError(f"{url}: refused: {host} resolves to the non-public address {address} "
                               "(only public hosts are fetched)")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - _now()).total_seconds())


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _size(n: int) -> str:
    """Human-readable size for messages.

    >>> _size(5_000_000), _size(1536), _size(10)
    ('5 MB', '1.536 kB', '10 bytes')
    """
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    return f"{n / 1000:g} kB" if n >= 1000 else f"{n} bytes"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
