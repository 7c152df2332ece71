"""Serialise query results with caps: rows / triples / bytes. Runs inside the query worker.

SELECT results are written row by row (so the row and byte caps stop early); graphs are collected up to the
triple cap and written with pyoxigraph's serialisers. Every function returns ``(body, truncated_by)`` where
``truncated_by`` is ``None`` or ``"rows"``, ``"triples"`` or ``"bytes"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

__all__ = ["solutions", "boolean", "graph"]

_MEMO_TERMS = 50_000    # per-term JSON texts kept while one result is written
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
                "rdfxml": RdfFormat.RDF_XML, "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS}


def _json_term(t: Any) -> dict[str, Any]:
    if isinstance(t, NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, Literal):
        out: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    if isinstance(t, Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    raise TypeError(type(t))


def _xml_term(t: Any) -> str:
    if isinstance(t, NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


def _csv_field(t: Any) -> str:
    if t is None:
        return ""
    text = t.value if isinstance(t, (NamedNode, Literal)) else ("_:" + t.value if isinstance(t, BlankNode) else str(t))
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(t: Any) -> str:
    if t is None:
        return ""
    return str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _pieces(fmt: str, names: list[str], rows: Iterable[Any]) -> tuple[str, Iterator[str], str]:
    """(header, one string per row, footer) of a SELECT result."""
    if fmt == "json":
        head = '{"head":{"vars":' + json.dumps(names) + '},"results":{"bindings":['

        def gen_json() -> Iterator[str]:
            # Same bytes as json.dumps of the row's binding object, built from per-term JSON kept in a bounded
            # memo (result rows repeat terms: countries, states, classes), so a row costs a few lookups.
            keys = [json.dumps(n, ensure_ascii=False) + ":" for n in names]
            memo: dict[Any, str] = {}
            opener = "{"
            for row in rows:
                parts = []
                for key, term in zip(keys, row):
                    if term is None:
                        continue
                    text = memo.get(term)
                    if text is None:
                        if len(memo) >= _MEMO_TERMS:
                            memo.clear()
                        text = memo[term] = json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))
                    parts.append(key + text)
                yield opener + ",".join(parts) + "}"
                opener = ",{"
        return head, gen_json(), "]}}\n"
    if fmt == "xml":
        head = ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                "<head>" + "".join(f"<variable name={quoteattr(n)}/>" for n in names) + "</head><results>")

        def gen_xml() -> Iterator[str]:
            for row in rows:
                yield "<result>" + "".join(f"<binding name={quoteattr(n)}>{_xml_term(row[n])}</binding>"
                                           for n in names if row[n] is not None) + "</result>\n"
        return head, gen_xml(), "</results></sparql>\n"
    if fmt == "csv":
        return ",".join(names) + "\r\n", (",".join(_csv_field(row[n]) for n in names) + "\r\n" for row in rows), ""
    if fmt == "tsv":
        return ("\t".join("?" + n for n in names) + "\n",
                ("\t".join(_tsv_field(row[n]) for n in names) + "\n" for row in rows), "")
    raise ValueError(f"no SELECT serialiser for {fmt}")


def solutions(fmt: str, names: list[str], rows: Iterable[Any], *, max_rows: int,
              max_bytes: int) -> tuple[bytes, str | None, int]:
    """Serialise SELECT rows; stops at ``max_rows`` rows or ``max_bytes``. :returns: (body, truncated_by, rows)."""
    head, body, foot = _pieces(fmt, names, rows)
    out = [head.encode()]
    size = len(out[0]) + len(foot)
    count = 0
    truncated = None
    for piece in body:
        if count >= max_rows:
            truncated = "rows"
            break
        data = piece.encode("utf-8", "surrogatepass")
        if size + len(data) > max_bytes:
            truncated = "bytes"
            break
        out.append(data)
        size += len(data)
        count += 1
    out.append(foot.encode())
    return b"".join(out), truncated, count


def boolean(fmt: str, value: bool) -> bytes:
    word = "true" if value else "false"
    if fmt == "json":
        return ('{"head":{},"boolean":' + word + "}\n").encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{word}</boolean></sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    return f"?_askResult\n{word}\n".encode()


def graph(fmt: str, triples: Iterable[Triple], *, max_triples: int, max_bytes: int,
          prefixes: dict[str, str] | None = None) -> tuple[bytes, str | None, int]:
    """Serialise CONSTRUCT/DESCRIBE triples. :returns: (body, truncated_by, triples)."""
    kept: list[Triple] = []
    truncated = None
    for t in triples:
        if len(kept) >= max_triples:
            truncated = "triples"
            break
        kept.append(t)
    rdf_format = _RDF_FORMATS[fmt]
    while True:
        items: list[Any] = kept
        if rdf_format.supports_datasets:
            items = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in kept]
        use_prefixes = prefixes if fmt in ("turtle", "trig", "rdfxml") else None
        body = serialize(items, format=rdf_format, prefixes=use_prefixes) if use_prefixes \
            else serialize(items, format=rdf_format)
        if len(body) <= max_bytes or not kept:
            return body, truncated, len(kept)
        kept = kept[: max(0, int(len(kept) * max_bytes / len(body) * 0.9))]
        truncated = "bytes"
