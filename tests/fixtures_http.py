"""A real, scripted HTTP server on 127.0.0.1 (port 0) for fetcher and harvester tests.

Use it as a pytest plugin (``pytest_plugins = ["tests.fixtures_http"]``) to get the ``http_server`` fixture,
or import :class:`ScriptedServer` and use it as a context manager.

    server.route("/page", Reply(200, {"Content-Type": "text/html; charset=utf-8"}, "<p>hi</p>"))
    server.route("/slow", lambda req: ...)          # a handler writes to req.wfile itself
    server.serve_file("/snap", Path("sources/aachen/snapshots/x.html"))
    server.robots = "User-agent: *\\nDisallow: /private"   # None → /robots.txt answers 404
    server.url("/page"); server.log                  # [Hit(time, path, headers)], time = time.monotonic()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

__all__ = ["Reply", "Hit", "ScriptedServer", "http_server"]


@dataclass
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str = b""

    def send(self, req: BaseHTTPRequestHandler) -> None:
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        req.send_response(self.status)
        for name, value in self.headers.items():
            req.send_header(name, value)
        if not any(k.lower() == "content-length" for k in self.headers):
            req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)


@dataclass(frozen=True)
class Hit:
    time: float                     # time.monotonic() when the request line was read
    path: str
    headers: dict[str, str]


Handler = Callable[[BaseHTTPRequestHandler], None]


class ScriptedServer:
    """ThreadingHTTPServer in a daemon thread; answers from a path → Reply/handler table."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.robots: str | Reply | None = None
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        outer = self

        class _Req(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                with outer._lock:
                    outer.log.append(Hit(time.monotonic(), self.path, dict(self.headers.items())))
                try:
                    outer._answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Req)
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Handler) -> str:
        """Answer GET ``path`` with ``reply``; returns the full URL."""
        self.routes[path] = reply
        return self.url(path)

    def serve_file(self, path: str, file: Path, content_type: str = "text/html; charset=utf-8") -> str:
        return self.route(path, Reply(200, {"Content-Type": content_type}, file.read_bytes()))

    def hits(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.log if h.path == path]

    def _answer(self, req: BaseHTTPRequestHandler) -> None:
        if req.path == "/robots.txt" and "/robots.txt" not in self.routes:
            robots = self.robots
            if robots is None:
                robots = Reply(404, {"Content-Type": "text/plain"}, "not found")
            elif isinstance(robots, str):
                robots = Reply(200, {"Content-Type": "text/plain"}, robots)
            robots.send(req)
            return
        reply = self.routes.get(req.path)
        if reply is None:
            Reply(404, {"Content-Type": "text/plain"}, "not found").send(req)
        elif isinstance(reply, Reply):
            reply.send(req)
        else:
            reply(req)

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server
