"""``/sparql``: the public SPARQL 1.1 Protocol endpoint, its service description and the query page.

Thin HTTP layer over :mod:`lod.sparql`: parse the protocol request → guard → per-client limits → worker pool →
response headers (format, truncation, CORS). Errors are raised as ``lod.errors`` types for the one handler.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Flask, Response, current_app, render_template, request
from pyoxigraph import NamedNode

from lod.errors import BadRequest, ReadOnly, ServiceUnavailable, UserError
from lod.namespaces import PREFIXES, Iris
from lod.queries import list_queries
from lod.sparql.clients import ClientLimits, client_key
from lod.sparql.formats import FORMATS, SHAPE_FORMATS, Format, negotiate
from lod.sparql.guard import check_query
from lod.sparql.pool import QueryPool
from lod.sparql.service_description import describe
from lod.sparql.worker import Job, Result
from lod.web.context import settings, snapshot

__all__ = ["bp", "get_pool", "close_pool", "run_query"]

bp = Blueprint("sparql", __name__)
_LOCK = threading.Lock()
_METHODS = "GET, HEAD, POST, OPTIONS"
_EXPOSE = "X-SPARQL-MaxRows, X-KEP-Truncated, X-KEP-Truncated-By, X-KEP-Snapshot, Retry-After"
MAX_GRAPH_PARAMS = 10


class UnsupportedMediaType(UserError):
    status = 415
    kind = "unsupported-media-type"


# --------------------------------------------------------------------------- pool (one per web process)

def get_pool(app: Flask | None = None) -> QueryPool:
    """The query pool of this process, started on first use (gunicorn forks web workers: never share it)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    ext = app.extensions["lod"]
    pool = ext.get("sparql_pool")
    if pool is None or pool.pid != os.getpid():
        with _LOCK:
            pool = ext.get("sparql_pool")
            if pool is None or pool.pid != os.getpid():
                s = ext["settings"]
                pool = QueryPool(s.var / "snapshots", workers=s.sparql.workers, memory_mb=s.sparql.worker_memory_mb,
                                 queue_wait=s.sparql.queue_wait)
                ext["sparql_pool"] = pool
    return pool  # type: ignore[no-any-return]


def close_pool(app: Flask) -> None:
    pool = app.extensions["lod"].pop("sparql_pool", None)
    if pool is not None:
        pool.close()


def run_query(app: Flask, query: str, *, fmt: str = "json", timeout: float | None = None) -> Result:
    """Run a query through the pool over the current snapshot (for benchmarks and scripts); bytes in ``.body``."""
    s = app.extensions["lod"]["settings"]
    sid = app.extensions["lod"]["snapshot"].snapshots.current_id()
    if sid is None:
        raise ServiceUnavailable("no data published yet: run 'lod build'", 5)
    formats = {shape: (fmt if fmt in names else names[0]) for shape, names in SHAPE_FORMATS.items()}
    job = Job(query, sid, formats, max_rows=s.sparql.max_rows, max_triples=s.sparql.max_triples,
              max_bytes=s.sparql.max_bytes, prefixes=PREFIXES)
    check_query(query, max_bytes=s.sparql.max_query_bytes, max_depth=s.sparql.max_depth)
    return get_pool(app).run(job, timeout or s.sparql.timeout)


# --------------------------------------------------------------------------- protocol request parsing

def _decode_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} is not valid UTF-8 (after percent-decoding)") from None


def _params() -> tuple[dict[str, list[str]], str | None]:
    """All protocol parameters (URL + form body) and the query from a direct POST body."""
    pairs = _decode_pairs(request.query_string, "query string")
    direct: str | None = None
    if request.method == "POST":
        mimetype = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if mimetype == "application/x-www-form-urlencoded":
            pairs += _decode_pairs(request.get_data(cache=False), "form body")
        elif mimetype == "application/sparql-query":
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(f"queries must be sent as UTF-8, not {charset}")
            try:
                direct = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the query body is not valid UTF-8") from None
        elif mimetype == "application/sparql-update":
            raise ReadOnly("SPARQL Update is not accepted: this endpoint is read-only (queries only)")
        elif not mimetype:
            raise BadRequest("POST needs a Content-Type: application/x-www-form-urlencoded (query=…) "
                             "or application/sparql-query")
        else:
            raise UnsupportedMediaType(f"cannot read a POST body of type {mimetype}; send "
                                       "application/x-www-form-urlencoded (query=…) or application/sparql-query")
    params: dict[str, list[str]] = {}
    for k, v in pairs:
        params.setdefault(k, []).append(v)
    if "\x00" in "".join(v for vs in params.values() for v in vs):
        raise BadRequest("parameters must not contain NUL characters")
    return params, direct


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"the '{name}' parameter was given {len(values)} times; give it once")
    return values[0]


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    values = params.get(name)
    if values is None:
        return None
    if len(values) > MAX_GRAPH_PARAMS:
        raise BadRequest(f"at most {MAX_GRAPH_PARAMS} '{name}' parameters are accepted")
    for v in values:
        try:
            NamedNode(v)
        except ValueError:
            raise BadRequest(f"'{name}' must be an absolute IRI, got {v[:200]!r}") from None
        if ":" not in v:
            raise BadRequest(f"'{name}' must be an absolute IRI, got {v[:200]!r}")
    return tuple(values)


def _formats(fmt_param: str | None) -> dict[str, Format | None]:
    out: dict[str, Format | None] = {}
    for shape in SHAPE_FORMATS:
        try:
            out[shape] = negotiate(shape, request.headers.get("Accept"), fmt_param)
        except (UserError, Exception) as exc:  # noqa: BLE001 - decided when the shape is known
            if fmt_param and isinstance(exc, BadRequest) and all(
                    _fits(fmt_param, s) is False for s in SHAPE_FORMATS):
                raise
            out[shape] = None
    return out


def _fits(fmt_param: str, shape: str) -> bool:
    try:
        negotiate(shape, None, fmt_param)
        return True
    except Exception:  # noqa: BLE001
        return False


# --------------------------------------------------------------------------- the view

@bp.after_request
def _cors(resp: Response) -> Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = _EXPOSE
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.vary.add("Accept")
    return resp


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers={
            "Allow": _METHODS, "Access-Control-Allow-Methods": _METHODS,
            "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "86400"})
    params, direct = _params()
    if "update" in params:
        raise ReadOnly("SPARQL Update is not accepted: this endpoint is read-only (queries only)"
                       if "query" not in params and direct is None
                       else "send either 'query' or 'update', not both; and updates are not accepted here")
    query = direct if direct is not None else _single(params, "query")
    if direct is not None and "query" in params:
        raise BadRequest("the query was sent both in the body and as a 'query' parameter; send it once")
    fmt_param = _single(params, "format")
    formats = _formats(fmt_param)
    if query is None:
        if request.method == "POST":
            raise BadRequest("missing 'query': POST query=… (form) or the query text as application/sparql-query")
        return _service_description(formats["graph"])
    if not query.strip():
        raise BadRequest("the query is empty")
    s = settings()
    check_query(query, max_bytes=s.sparql.max_query_bytes, max_depth=s.sparql.max_depth)
    sid = snapshot().snapshots.current_id()
    if sid is None:
        raise ServiceUnavailable("no data published yet: run 'lod build' (or make run)", 5)
    job = Job(query, sid, {k: (f.name if f else None) for k, f in formats.items()}, base_iri=request.base_url,
              default_graphs=_graphs(params, "default-graph-uri"), named_graphs=_graphs(params, "named-graph-uri"),
              max_rows=s.sparql.max_rows, max_triples=s.sparql.max_triples, max_bytes=s.sparql.max_bytes,
              prefixes=PREFIXES)
    limits = ClientLimits(s.var / "sparql-clients", concurrency=s.sparql.per_client_concurrency,
                          budget=s.sparql.per_client_budget)
    with limits.slot(client_key(request.remote_addr, request.headers.get("User-Agent"))):
        result = get_pool().run(job, s.sparql.timeout)
    fmt = formats[result.shape]
    if fmt is not None and fmt.name == "html":
        return _page(query, result)
    resp = Response(result.body, content_type=FORMATS[result.format].content_type)
    _truncation_headers(resp, result)
    if _single(params, "download"):
        resp.headers["Content-Disposition"] = f'attachment; filename="query-result.{FORMATS[result.format].extension}"'
    return resp


def _truncation_headers(resp: Response, result: Result) -> None:
    resp.headers["X-KEP-Snapshot"] = result.snapshot
    if result.truncated_by:
        s = settings()
        resp.headers["X-KEP-Truncated"] = "true"
        resp.headers["X-KEP-Truncated-By"] = result.truncated_by
        if result.truncated_by == "rows":
            resp.headers["X-SPARQL-MaxRows"] = str(s.sparql.max_rows)
        elif result.truncated_by == "triples":
            resp.headers["X-SPARQL-MaxTriples"] = str(s.sparql.max_triples)
        else:
            resp.headers["X-SPARQL-MaxBytes"] = str(s.sparql.max_bytes)


def _service_description(fmt: Format | None) -> Response:
    if fmt is None:
        negotiate("graph", request.headers.get("Accept"), None)  # raises NotAcceptable with alternatives
        raise AssertionError
    if fmt.name == "html":
        return _page("", None)
    _, store = snapshot().get()
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    body = describe(request.base_url, fmt=fmt.name, graphs=graphs, snapshot=snapshot().snapshots.current_id(),
                    title=settings().title)
    return Response(body, content_type=fmt.content_type)


# --------------------------------------------------------------------------- the HTML page

_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F])


def _visible(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" if ord(c) in _BIDI or (ord(c) < 32 and c not in "\t\n") or
                   0x7F <= ord(c) < 0xA0 else c for c in text)


def _cell(term: dict[str, Any] | None, iris: Iris) -> dict[str, Any]:
    if term is None:
        return {"text": ""}
    value = term.get("value", "")
    if term["type"] == "uri":
        local = iris.local_path(value)
        href = local if local is not None else (value if value.startswith(("http://", "https://")) else None)
        return {"text": _visible(value), "href": href}
    if term["type"] == "bnode":
        return {"text": "_:" + value}
    if term["type"] == "triple":
        return {"text": "<< … >>"}
    suffix = f"@{term['xml:lang']}" if "xml:lang" in term else ""
    dt = term.get("datatype", "")
    if dt:
        suffix = "^^" + next((f"{p}:{dt[len(ns):]}" for p, ns in PREFIXES.items() if dt.startswith(ns)), dt)
    return {"text": _visible(value[:2000] + ("…" if len(value) > 2000 else "")), "suffix": suffix}


def _page(query: str, result: Result | None) -> Response:
    s = settings()
    table = boolean = graph_text = None
    if result is not None and result.shape == "solutions":
        data = json.loads(result.body)
        iris = Iris(s.base_uri)
        names = data["head"]["vars"]
        table = {"vars": names, "rows": [[_cell(b.get(n), iris) for n in names] for b in data["results"]["bindings"]]}
    elif result is not None and result.shape == "boolean":
        boolean = json.loads(result.body)["boolean"]
    elif result is not None:
        graph_text = result.body.decode("utf-8", "replace")
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    examples = [q for q in list_queries(s.path("sparql_dir")) if q.name.startswith("example-")]
    shape = result.shape if result else "solutions"
    downloads = [(FORMATS[n], "?" + urlencode({"query": query, "format": n, "download": "1"}))
                 for n in SHAPE_FORMATS[shape] if n != "html"] if result else []
    html = render_template(
        "sparql.html", query=query or prologue + "\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n",
        result=result, table=table, boolean=boolean, graph_text=graph_text, examples=examples,
        downloads=downloads, share="?" + urlencode({"query": query}) if query else None,
        max_rows=s.sparql.max_rows, max_triples=s.sparql.max_triples, prefixes=PREFIXES, base_uri=s.base_uri,
        snapshot=snapshot().snapshots.current_id(), title="SPARQL – " + s.title)
    resp = Response(html, content_type="text/html; charset=utf-8")
    if result is not None:
        _truncation_headers(resp, result)
    return resp
