"""Shared fixtures: settings over a temporary var/, a miniature sources tree, a published store, servers.

Helper modules (``tests/fixtures_http.py`` etc.) register their fixtures through ``pytest_plugins``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from lod.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

pytest_plugins = [p for p in ("tests.fixtures_http",) if (ROOT / (p.replace(".", "/") + ".py")).is_file()]


def make_settings(tmp_path: Path, sources: Path | None = None, **overrides: object) -> Settings:
    """Settings with var/ under ``tmp_path`` and the given sources folder (default: the real sources/)."""
    env = {
        "LOD_VAR_DIR": str(tmp_path / "var"),
        "LOD_SOURCES_DIR": str(sources or ROOT / "sources"),
        "LOD_ONTOLOGY_DIR": str(ROOT / "ontology"),
        "LOD_SPARQL_DIR": str(ROOT / "sparql"),
        "LOD_SERVER_SNAPSHOT_CHECK_INTERVAL": "0.05",
        "LOD_PUBLISH_LOCK_TIMEOUT": "2",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return load_settings(env=env, root=ROOT)


@pytest.fixture
def mini_sources(tmp_path: Path) -> Path:
    """A writable copy of tests/data/sources (two small rdf sources)."""
    dest = tmp_path / "sources"
    shutil.copytree(DATA / "sources", dest)
    return dest


@pytest.fixture
def mini_settings(tmp_path: Path, mini_sources: Path) -> Settings:
    return make_settings(tmp_path, mini_sources)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up within {timeout} s")


def lod_env(settings: Settings) -> dict[str, str]:
    """Environment that makes a ``lod`` subprocess use the same settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOD_")}
    from lod.settings import SETTINGS

    for s in SETTINGS:
        env[s.env] = str(settings.values[s.name])
    return env


@contextmanager
def gunicorn(settings: Settings) -> Iterator[str]:
    """`lod serve` (gunicorn, the production server) for ``settings`` on a free 127.0.0.1 port; yields its URL."""
    port = free_port()
    settings = settings.replace(server__port=port)
    proc = subprocess.Popen([sys.executable, "-m", "lod", "serve"], env=lod_env(settings), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def live_server(mini_settings: Settings) -> Iterator[tuple[str, Settings]]:
    """gunicorn on 127.0.0.1:<free port> over the published mini dataset."""
    from lod import pipeline

    pipeline.build(mini_settings)
    with gunicorn(mini_settings) as base:
        yield base, mini_settings


@pytest.fixture(scope="session")
def default_dataset(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The default dataset — every bundled source, as `make run` publishes it — built once per session."""
    from lod import pipeline

    tmp = tmp_path_factory.mktemp("default-dataset")
    settings = make_settings(tmp, ROOT / "sources")
    outcomes, sid = pipeline.build(settings)
    failed = [(o.slug, o.error, o.details[:3]) for o in outcomes if not o.ok]
    assert not failed, failed
    assert sid is not None
    return settings
