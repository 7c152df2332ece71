"""CSV exports for researchers: partnerships, projects, funding, posts (one row per thing).

Each export is the named query ``sparql/export-<name>.rq`` run over the snapshot's union graph; its
variables are the columns (documented in docs/exports.md). UTF-8 without BOM, comma-separated, RFC 4180
quoting, ``\\r\\n`` line ends (what :mod:`csv` writes by default); multi-valued cells are joined with ``" | "``
and sorted, so the same data always gives the same file. IRIs are written as they are, literals as their
lexical form; an empty cell means "not stated".
"""

from __future__ import annotations

import csv
from pathlib import Path

from pyoxigraph import QuerySolutions, Store

from lod.queries import load_query

__all__ = ["EXPORTS", "MULTI_SEPARATOR", "columns", "write_csv_exports"]

EXPORTS: tuple[str, ...] = ("partnerships", "projects", "funding", "posts")
MULTI_SEPARATOR = " | "


def columns(sparql_dir: Path, name: str) -> list[str]:
    """The documented columns of one export (the variables of its query, in order)."""
    store = Store()
    result = store.query(load_query(sparql_dir, f"export-{name}").text)
    assert isinstance(result, QuerySolutions)
    return [v.value for v in result.variables]


def _cell(value: str) -> str:
    if MULTI_SEPARATOR in value:
        return MULTI_SEPARATOR.join(sorted(set(value.split(MULTI_SEPARATOR))))
    return value


def write_csv_exports(store: Store, sparql_dir: Path, out_dir: Path) -> list[Path]:
    """Write ``<name>.csv`` for every export into ``out_dir``.

    :returns: the files written. :raises BadQuery: an export query is missing. :raises OSError: not writable.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in EXPORTS:
        query = load_query(sparql_dir, f"export-{name}")
        result = store.query(query.text, use_default_graph_as_union=True)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        path = out_dir / f"{name}.csv"
        tmp = path.with_name("." + path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in result:
                writer.writerow([_cell(row[n].value) if row[n] is not None else "" for n in names])
        tmp.replace(path)
        written.append(path)
    return written
