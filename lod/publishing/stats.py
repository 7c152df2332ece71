"""Statistics of a snapshot for VoID and the catalog (named queries ``sparql/void-*.rq``, ``catalog-*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, QuerySolutions, Store, Variable

from lod.queries import load_query

__all__ = ["Stats", "collect"]


@dataclass
class Stats:
    triples: int = 0
    entities: int = 0
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    graphs: dict[str, tuple[int, int]] = field(default_factory=dict)      # graph IRI -> (triples, entities)
    linksets: list[tuple[str, str, int]] = field(default_factory=list)    # (property, target, triples)
    examples: list[str] = field(default_factory=list)
    temporal: dict[str, tuple[str, str]] = field(default_factory=dict)    # graph IRI -> (start year, end year)


def _rows(store: Store, sparql_dir: Path, name: str, **subs: Any) -> list[dict[str, str]]:
    result = store.query(load_query(sparql_dir, name).text, use_default_graph_as_union=True,
                         substitutions={Variable(k): v for k, v in subs.items()})
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def collect(store: Store, sparql_dir: Path, base_uri: str) -> Stats:
    """Count triples, entities, partitions, links and date ranges. :raises BadQuery: a query is missing."""
    space = Literal(base_uri + "id/")
    st = Stats()
    for r in _rows(store, sparql_dir, "void-counts", space=space):
        st.triples, st.entities = int(r["triples"]), int(r.get("entities", 0))
    st.classes = [(r["class"], int(r["entities"])) for r in _rows(store, sparql_dir, "void-classes")]
    st.properties = [(r["property"], int(r["triples"])) for r in _rows(store, sparql_dir, "void-properties")]
    st.graphs = {r["g"]: (int(r["triples"]), int(r.get("entities", 0)))
                 for r in _rows(store, sparql_dir, "void-graph-counts", space=space)}
    st.linksets = [(r["property"], r["target"], int(r["triples"])) for r in _rows(store, sparql_dir, "void-linksets")]
    st.examples = [r["example"] for r in _rows(store, sparql_dir, "void-examples")]
    st.temporal = {r["g"]: (r["start"], r["end"]) for r in _rows(store, sparql_dir, "catalog-temporal")
                   if "start" in r}
    return st
