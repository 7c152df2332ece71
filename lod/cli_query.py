"""``lod query``: run a SPARQL query in-process against the current snapshot and format the result."""

from __future__ import annotations

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat

from lod.errors import BadQuery, NotAcceptable
from lod.namespaces import PREFIXES
from lod.queries import CurrentSnapshot
from lod.settings import Settings

__all__ = ["run_query"]

_RESULTS = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV,
            "xml": QueryResultsFormat.XML}
_GRAPH = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "nquads": RdfFormat.N_QUADS,
          "jsonld": RdfFormat.JSON_LD, "xml": RdfFormat.RDF_XML}


def _short(term: object) -> str:
    value = getattr(term, "value", str(term))
    if type(term).__name__ == "NamedNode":
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns):
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"
    return str(value)


def run_query(settings: Settings, text: str, fmt: str = "table") -> str:
    """Run ``text`` over the union of all graphs of the current snapshot.

    :raises BadQuery: syntax error; :raises NotAcceptable: format does not fit the query form.
    """
    _, store = CurrentSnapshot(settings.var / "snapshots").get()
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise BadQuery(f"SPARQL syntax error: {exc}") from None
    if isinstance(result, QueryBoolean):
        if fmt in ("table",):
            return ("true" if bool(result) else "false") + "\n"
        if fmt not in _RESULTS:
            raise NotAcceptable(f"format '{fmt}' does not fit an ASK query", list(_RESULTS))
        return result.serialize(format=_RESULTS[fmt]).decode("utf-8")
    if isinstance(result, QuerySolutions):
        if fmt == "table":
            names = [v.value for v in result.variables]
            rows = [[_short(r[n]) if r[n] is not None else "" for n in names] for r in result]
            widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
            lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths))]
            lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
            lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
            return "\n".join(lines) + "\n"
        if fmt not in _RESULTS:
            raise NotAcceptable(f"format '{fmt}' does not fit a SELECT query", ["table", *_RESULTS])
        return result.serialize(format=_RESULTS[fmt]).decode("utf-8")
    assert isinstance(result, QueryTriples)
    graph_fmt = _GRAPH.get("turtle" if fmt == "table" else fmt)
    if graph_fmt is None:
        raise NotAcceptable(f"format '{fmt}' does not fit a CONSTRUCT/DESCRIBE query", list(_GRAPH))
    return result.serialize(format=graph_fmt).decode("utf-8")
