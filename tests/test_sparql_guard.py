"""The pre-parse guard: size, depth, SERVICE/LOAD/update refused; no false positives on names containing them."""

from __future__ import annotations

import pytest

from lod.errors import BadQuery, ReadOnly
from lod.sparql.guard import check_query


def check(q: str) -> None:
    check_query(q, max_bytes=65_536, max_depth=64)


@pytest.mark.parametrize("q", [
    "SELECT * { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }",
    "SELECT * { SERVICE SILENT <http://x> { ?s ?p ?o } }",
    "SELECT * { SERVICE ?var { ?s ?p ?o } }",
    "select * { service <http://x> { ?s ?p ?o } }",
    "SELECT * { { SELECT * { SERVICE <http://x> {} } } }",
    "ASK { FILTER EXISTS { SERVICE <http://x> {} } }",
    "SELECT * { # comment\n ?s ?p ?o .SERVICE\n<http://x> {} }",
    "INSERT DATA { <a> <b> <c> }", "LOAD <http://example.org/x>", "CLEAR ALL",
    "PREFIX x: <y> DELETE WHERE { ?s ?p ?o }", "DROP GRAPH <g>",
])
def test_refused(q: str) -> None:
    with pytest.raises(ReadOnly):
        check(q)


@pytest.mark.parametrize("q", [
    "SELECT * { ?s <http://x/service> ?o }", "PREFIX ex: <http://x/> SELECT * { ?s ex:service ?o }",
    "SELECT ?service { ?service ?p 'SERVICE <http://x> {}' }", "SELECT * { ?s ?p ?o } # SERVICE <x> {}",
    "PREFIX load: <http://x/> SELECT * { load:a ?p \"\"\"INSERT DATA\"\"\"@en }",
    "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
    "SELECT * { ?s ?p ?o FILTER(LANG(?o) = 'de') } LIMIT 10",
])
def test_not_refused(q: str) -> None:
    check(q)


@pytest.mark.parametrize("q", [
    "SELECT * WHERE " + "{" * 65 + "}" * 65,
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }",
    "SELECT * { ?s ?p " + "[ <p> " * 5000 + "]" * 5000 + " }",
])
def test_too_deep(q: str) -> None:
    with pytest.raises(BadQuery, match="nested too deeply"):
        check(q)


def test_brackets_in_strings_do_not_count() -> None:
    check("SELECT * { ?s ?p \"" + "{" * 500 + "\" }")


def test_too_large() -> None:
    with pytest.raises(BadQuery, match="too large"):
        check("SELECT * {}" + " " * 65_536)
