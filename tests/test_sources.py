from __future__ import annotations

from pathlib import Path

import pytest

from lod.errors import SourceError
from lod.sources import discover_sources, load_source


def write(tmp_path: Path, text: str, slug: str = "x") -> Path:
    d = tmp_path / slug
    (d / "snapshots").mkdir(parents=True)
    (d / "snapshots" / "a.html").write_text("<html></html>")
    p = d / "source.yaml"
    p.write_text(text)
    return p


GOOD = """title: T
kind: rdf
publisher: {name: P, key: "05334002"}
licence: http://dcat-ap.de/def/licenses/dl-by-de/2.0
documents:
  - url: https://example.org/a
    snapshot: snapshots/a.html
"""


def test_good_source_loads(tmp_path: Path) -> None:
    s = load_source(write(tmp_path, GOOD))
    assert s.slug == "x" and s.kind == "rdf" and s.publisher_key == "05334002"
    assert s.documents[0].snapshot == (tmp_path / "x" / "snapshots" / "a.html").resolve()


@pytest.mark.parametrize("text,needle,line", [
    (GOOD.replace("kind: rdf", "kind: rdf\ncolour: blue"), "unknown key 'colour'", 3),
    (GOOD.replace("kind: rdf", "kind: telepathy"), "unknown kind 'telepathy'", 2),
    (GOOD.replace("title: T\n", ""), "missing required key 'title'", 1),
    (GOOD.replace("licence: http://dcat-ap.de/def/licenses/dl-by-de/2.0", "licence: CC-BY"), "licence", 4),
    (GOOD.replace("snapshot: snapshots/a.html", "snapshot: snapshots/missing.html"), "does not exist", 5),
    (GOOD.replace("snapshot: snapshots/a.html", "snapshot: ../../etc/passwd"), "inside the source folder", 5),
    (GOOD.replace("url: https://example.org/a", "url: file:///etc/passwd"), "http(s) URL", 5),
    (GOOD + "  - [oops\n", "not valid YAML", None),
])
def test_broken_source_names_file_line_and_key(tmp_path: Path, text: str, needle: str, line: int | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as err:
        load_source(path)
    assert needle in err.value.message
    assert str(path) in err.value.message
    if line is not None:
        assert f"source.yaml:{line}:" in err.value.message


def test_unknown_source_name_lists_known_ones(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    with pytest.raises(SourceError, match="no such source: nope; known: x"):
        discover_sources(tmp_path, ["nope"])


def test_every_bundled_source_is_valid() -> None:
    sources = discover_sources(Path(__file__).parent.parent / "sources")
    for s in sources:
        assert s.documents, s.slug
