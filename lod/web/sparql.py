"""``/sparql``: SPARQL 1.1 Protocol query endpoint (GET and POST; SPARQL JSON results)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from lod.errors import BadRequest
from lod.web.context import snapshot

bp = Blueprint("sparql", __name__)


def _query_text() -> str:
    if request.method == "GET":
        text = request.args.get("query")
    elif request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
    elif request.mimetype == "application/x-www-form-urlencoded":
        text = request.form.get("query")
        if request.form.get("update") is not None:
            raise BadRequest("updates are not accepted: this endpoint is read-only")
    else:
        raise BadRequest("POST the query as application/x-www-form-urlencoded (query=…) "
                         "or as application/sparql-query")
    if not text:
        raise BadRequest("missing 'query' parameter: send ?query=SELECT … (GET) or POST it")
    return text


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    body = snapshot().run_json(_query_text())
    return Response(body, mimetype="application/sparql-results+json")
