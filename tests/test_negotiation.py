"""Table-driven tests of lod.negotiation: the Accept headers real clients send."""

from __future__ import annotations

import pytest

from lod.errors import NotAcceptable
from lod.negotiation import by_name, negotiate, parse_accept

CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FIREFOX_OLD = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDFLIB_DEFAULT = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
                  "application/n-quads, application/trix, application/trig, text/html, application/xhtml+xml")
JENA = ("text/turtle,application/n-triples;q=0.9,application/n-quads;q=0.9,application/trig;q=0.8,"
        "application/ld+json;q=0.7,application/rdf+xml;q=0.7,text/plain;q=0.5,*/*;q=0.3")

CASES = [
    # (client, Accept, expected extension)
    ("Chrome", CHROME, "html"),
    ("Firefox", FIREFOX, "html"),
    ("Firefox (older)", FIREFOX_OLD, "html"),
    ("Safari", SAFARI, "html"),
    ("curl", "*/*", "ttl"),
    ("wget / no header", None, "ttl"),
    ("empty header", "", "ttl"),
    ("rdflib format=xml", "application/rdf+xml, */*;q=0.1", "rdf"),
    ("rdflib format=turtle", "text/turtle, application/x-turtle, */*;q=0.1", "ttl"),
    ("rdflib format=nt", "text/plain, */*;q=0.1", "nt"),
    ("rdflib format=n3", "text/n3, */*;q=0.1", "ttl"),
    ("rdflib format=json-ld", "application/ld+json, application/json;q=0.9, */*;q=0.1", "jsonld"),
    ("rdflib default", RDFLIB_DEFAULT, "ttl"),
    ("SPARQLWrapper RDF/XML", "application/rdf+xml", "rdf"),
    ("SPARQLWrapper Turtle", "application/turtle,text/turtle", "ttl"),
    ("SPARQLWrapper JSON-LD", "application/ld+json,application/x-json+ld", "jsonld"),
    ("Jena RIOT", JENA, "ttl"),
    ("N-Triples", "application/n-triples", "nt"),
    ("q-values honoured", "text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),
    ("text/* wildcard", "text/*", "ttl"),
    ("html preferred over wildcard", "text/html;q=0.9, */*;q=0.9", "html"),
    ("specific q=0 beats wildcard", "text/turtle;q=0, */*", "html"),
    ("malformed → */*", "text/html;q=abc", "ttl"),
    ("garbage → */*", "\x00garbage", "ttl"),
    ("q out of range → */*", "text/html;q=7", "ttl"),
    ("case-insensitive", "TEXT/HTML", "html"),
]


@pytest.mark.parametrize(("client", "accept", "expected"), CASES, ids=[c[0] for c in CASES])
def test_negotiate(client: str, accept: str | None, expected: str) -> None:
    assert negotiate(accept).ext == expected


@pytest.mark.parametrize("accept", ["image/png", "application/pdf, image/*", "text/html;q=0, */*;q=0"])
def test_unsupported_is_406_with_alternatives(accept: str) -> None:
    with pytest.raises(NotAcceptable) as info:
        negotiate(accept)
    assert info.value.status == 406
    assert any("text/turtle" in a for a in info.value.alternatives)
    assert any("text/html" in a for a in info.value.alternatives)


def test_offered_subset() -> None:
    assert negotiate("*/*", offered=("html",)).ext == "html"
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle", offered=("html",))


@pytest.mark.parametrize(("name", "ext"), [("ttl", "ttl"), ("turtle", "ttl"), ("jsonld", "jsonld"),
                                           ("json-ld", "jsonld"), ("nt", "nt"), ("rdf", "rdf"), ("xml", "rdf"),
                                           ("html", "html"), ("text/turtle", "ttl")])
def test_by_name(name: str, ext: str) -> None:
    assert by_name(name).ext == ext


def test_by_name_unknown() -> None:
    with pytest.raises(NotAcceptable):
        by_name("pdf")


def test_parse_accept() -> None:
    assert parse_accept("text/html;q=0.5, */*") == [("text", "html", 0.5), ("*", "*", 1.0)]
    assert parse_accept("*/html") is None
    assert parse_accept(None) is None
