"""Every curated example query has a title and description, passes the guard, and runs on the mini dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lod import pipeline
from lod.queries import list_queries
from lod.settings import Settings
from lod.web import create_app
from lod.web.sparql import close_pool, run_query
from tests.conftest import ROOT

EXAMPLES = [q for q in list_queries(ROOT / "sparql") if q.name.startswith("example-")]


def test_at_least_ten_examples_with_headers() -> None:
    assert len(EXAMPLES) >= 10
    for q in EXAMPLES:
        assert q.title != q.name and len(q.description) > 20, q.name


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    import shutil

    from tests.conftest import DATA, make_settings

    tmp = tmp_path_factory.mktemp("examples")
    shutil.copytree(DATA / "sources", tmp / "sources")
    settings: Settings = make_settings(tmp, tmp / "sources")
    pipeline.build(settings)
    application = create_app(settings)
    yield application
    close_pool(application)


@pytest.mark.parametrize("name", [q.name for q in EXAMPLES])
def test_example_runs(app: Flask, name: str) -> None:
    query = next(q for q in EXAMPLES if q.name == name)
    result = run_query(app, query.text, fmt="json", timeout=10)
    assert result.shape == "solutions" and result.body.startswith(b'{"head":{"vars":')
