"""SHACL validation of one source's graph, and the check that every ``kep:`` term used is declared.

``validate_graph`` merges the ontology (``ontology/kep.ttl``) and the concept schemes
(``ontology/schemes/*.ttl``) into the data graph, so that ``sh:targetClass`` follows ``rdfs:subClassOf`` and
scheme membership (``skos:inScheme``) can be checked, then runs pyshacl with ``ontology/shapes.ttl``.
Each result carries the offending node, the property path, the severity and the shape's German and English
``sh:message``. A graph *conforms* when no result has severity ``sh:Violation``; such a source is not
published (:meth:`ValidationReport.raise_for_violations`).

Shapes, ontology and schemes are parsed once per folder and kept (they change only with a deploy).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from functools import lru_cache
from typing import Any, Union

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple
from pyshacl import validate as _pyshacl_validate
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor

from lod.errors import ConfigError, ValidationFailed


class _PreparedQueryProcessor(SPARQLProcessor):  # type: ignore[misc]
    """rdflib's SPARQL processor with parsed queries kept (pyshacl re-parses every SHACL-SPARQL constraint on
    every validation, ~40 % of validating a small source). A translated query is reusable across graphs and
    bindings, as with ``prepareQuery``; only the text, the base and the prefixes key it."""

    def query(self, strOrQuery: Any, initBindings: Any = None, initNs: Any = None, base: str | None = None,
              DEBUG: bool = False) -> Any:  # noqa: N803 - rdflib's signature
        if isinstance(strOrQuery, str):
            strOrQuery = _prepared(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return evalQuery(self.graph, strOrQuery, initBindings, base)


@lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Any:
    return translateQuery(parseQuery(text), base, dict(namespaces))


rdflib.plugin.register("sparql", rdflib.query.Processor, __name__, "_PreparedQueryProcessor")
from lod.namespaces import KEP, KEP_DEF

__all__ = ["ValidationResult", "ValidationReport", "validate_graph", "undeclared_kep_terms", "declared_terms",
           "DEFAULT_ONTOLOGY_DIR"]

DEFAULT_ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
GraphInput = Union[str, Path, rdflib.Graph, Iterable[Union[Triple, Quad]]]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_lock = threading.Lock()
_cache: dict[tuple[str, str, str], tuple[rdflib.Graph, rdflib.Graph]] = {}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which node, which property, how bad, and what to do (de + en)."""

    focus: str
    path: str | None
    severity: str               # "Violation" | "Warning" | "Info"
    message_de: str
    message_en: str
    value: str | None = None
    shape: str | None = None
    source: str | None = None

    def text(self, lang: str = "de") -> str:
        """The message in one language, naming the node (and the property and value when there is one)."""
        message = self.message_de if lang == "de" else self.message_en
        where = f"<{self.focus}>"
        if self.path:
            where += f" {_short(self.path)}"
        if self.value is not None and self.value != self.focus:
            where += f" = {self.value}"
        prefix = f"{self.source}: " if self.source else ""
        return f"{prefix}{where}: {message}"

    def __str__(self) -> str:
        return f"[{self.severity}] {self.text('de')} | {self.message_en}"


@dataclass
class ValidationReport:
    """All results for one graph (one source)."""

    results: list[ValidationResult] = field(default_factory=list)
    source: str | None = None

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def infos(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Info"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def for_node(self, iri: str) -> list[ValidationResult]:
        return [r for r in self.results if r.focus == iri]

    def summary(self, lang: str = "de") -> str:
        """One line per result, violations first."""
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        rows = sorted(self.results, key=lambda r: (order.get(r.severity, 3), r.focus, r.path or ""))
        return "\n".join(f"[{r.severity}] {r.text(lang)}" for r in rows)

    def raise_for_violations(self) -> None:
        """:raises ValidationFailed: the graph has at least one sh:Violation (message lists them in de and en)."""
        if self.conforms:
            return
        who = f"{self.source}: " if self.source else ""
        lines = [f"{who}{len(self.violations)} SHACL-Verstoß/Verstöße (violation(s)); nicht veröffentlicht "
                 f"(not published):"]
        lines += [f"  - {v.text('de')}\n    {v.text('en')}" for v in self.violations]
        raise ValidationFailed("\n".join(lines))


def _short(iri: str) -> str:
    for prefix, ns in (("kep:", str(KEP)), ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
                       ("skos:", "http://www.w3.org/2004/02/skos/core#"), ("schema:", "https://schema.org/"),
                       ("org:", "http://www.w3.org/ns/org#"), ("dct:", "http://purl.org/dc/terms/"),
                       ("wgs:", "http://www.w3.org/2003/01/geo/wgs84_pos#"),
                       ("geo:", "http://www.opengis.net/ont/geosparql#"), ("foaf:", "http://xmlns.com/foaf/0.1/")):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return f"<{iri}>"


def _parse_files(paths: list[Path]) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in paths:
        try:
            g.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as exc:
            raise ConfigError(f"cannot parse: {exc}", path=str(path)) from None
    return g


def _load(ontology_dir: Path | None, shapes: Path | None, ontology: Path | None) -> tuple[rdflib.Graph, rdflib.Graph]:
    """(shapes graph, ontology + schemes graph), parsed once per set of paths.

    :raises ConfigError: a file is missing or is not valid Turtle.
    """
    folder = Path(ontology_dir or DEFAULT_ONTOLOGY_DIR)
    shapes_path = Path(shapes or folder / "shapes.ttl")
    onto_path = Path(ontology or folder / "kep.ttl")
    key = (str(folder.resolve()), str(shapes_path.resolve()), str(onto_path.resolve()))
    with _lock:
        if key not in _cache:
            for p in (shapes_path, onto_path):
                if not p.is_file():
                    raise ConfigError("file not found", path=str(p))
            onto = _parse_files([onto_path, *sorted((folder / "schemes").glob("*.ttl"))])
            _cache[key] = (_parse_files([shapes_path]), onto)
        return _cache[key]


def _to_rdflib(data: GraphInput) -> rdflib.Graph:
    if isinstance(data, rdflib.Graph):
        g = rdflib.Graph()
        g += data
        return g
    if isinstance(data, Path):
        return rdflib.Graph().parse(data, format="turtle")
    if isinstance(data, str):
        return rdflib.Graph().parse(data=data, format="turtle")
    g = rdflib.Graph()
    add = g.add
    for t in data:
        if isinstance(t, Quad):
            t = t.triple
        add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return g


def _term(term: object) -> rdflib.term.Identifier:
    """pyoxigraph term → rdflib term (same as a round trip through N-Triples, without the parser)."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return rdflib.Literal(term.value, datatype=None if dt == _XSD_STRING else rdflib.URIRef(dt))
    raise ValueError(f"unsupported RDF term in data: {term!r}")


def validate_graph(triples: GraphInput, *, source: str | None = None, ontology_dir: Path | str | None = None,
                   shapes: Path | str | None = None, ontology: Path | str | None = None,
                   background: GraphInput | None = None) -> ValidationReport:
    """Validate a graph against ``shapes.ttl`` (with the ontology and concept schemes merged in).

    ``triples`` may be pyoxigraph triples/quads, an rdflib graph, a Turtle string or a Turtle file path.
    ``source`` (the source slug) is copied into every result so reports can be shown per source.
    ``background`` (same forms): data other graphs publish about the things ``triples`` mention (e.g. a
    partner city's country in ``graph/places``); it is merged in so that it satisfies the shapes, and then
    only results whose focus node is a subject of ``triples`` are reported.
    :raises ConfigError: shapes or ontology missing or unparsable. :raises ValueError: data not parsable.
    """
    shapes_graph, onto_graph = _load(Path(ontology_dir) if ontology_dir else None,
                                     Path(shapes) if shapes else None, Path(ontology) if ontology else None)
    data = _to_rdflib(triples)
    own: set[str] | None = None
    if background is not None:
        own = {str(s) for s in data.subjects(unique=True)}
        data += _to_rdflib(background)
    data += onto_graph
    _, results_graph, _ = _pyshacl_validate(
        data, shacl_graph=shapes_graph, inference="none", abort_on_first=False, allow_warnings=True,
        allow_infos=True, advanced=True, meta_shacl=False, debug=False, inplace=True)
    merged: dict[tuple[str, str | None, str | None, str, str], dict[str, str]] = {}
    for report_node in results_graph.subjects(RDF.type, SH.ValidationReport):
        for r in results_graph.objects(report_node, SH.result):     # top level only, not sh:detail
            focus = results_graph.value(r, SH.focusNode)
            path = results_graph.value(r, SH.resultPath)
            value = results_graph.value(r, SH.value)
            severity = _SEVERITY.get(results_graph.value(r, SH.resultSeverity), "Violation")
            key = (str(focus), str(path) if isinstance(path, rdflib.URIRef) else None,
                   str(value) if value is not None else None, severity, str(results_graph.value(r, SH.sourceShape)))
            messages = merged.setdefault(key, {})
            for m in results_graph.objects(r, SH.resultMessage):
                messages.setdefault(m.language or "", str(m))
            component = results_graph.value(r, SH.sourceConstraintComponent)
            messages.setdefault("?", f"{_short(str(component))} nicht erfüllt / not satisfied")
    report = ValidationReport(source=source)
    for (focus, path, value, severity, shape), messages in merged.items():
        if own is not None and focus not in own:
            continue
        if not ("de" in messages and "en" in messages):   # pyshacl keeps one sh:message of a SPARQL constraint
            node = rdflib.URIRef(shape) if shape.startswith(("http://", "https://")) else rdflib.BNode(shape)
            for holder in [node, *shapes_graph.objects(node, SH.sparql)]:
                for m in shapes_graph.objects(holder, SH.message):
                    messages.setdefault(m.language or "", str(m))
        fallback = messages.get("") or messages["?"]
        report.results.append(ValidationResult(
            focus=focus, path=path, severity=severity,
            message_de=messages.get("de") or messages.get("en") or fallback,
            message_en=messages.get("en") or messages.get("de") or fallback,
            value=value, shape=shape, source=source))
    report.results.sort(key=lambda x: (x.severity != "Violation", x.focus, x.path or "", x.value or ""))
    return report


def declared_terms(ontology_dir: Path | str | None = None) -> set[str]:
    """Every IRI under https://w3id.org/kep/def/ that the ontology, the schemes or the shapes declare."""
    shapes_graph, onto_graph = _load(Path(ontology_dir) if ontology_dir else None, None, None)
    out: set[str] = set()
    for g in (onto_graph, shapes_graph):
        out |= {str(s) for s in g.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(str(KEP_DEF))}
        out |= {str(o) for o in g.objects(None, rdflib.OWL.versionIRI)}
    return out


_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_FULL_IRI = re.compile(r"<(https://w3id\.org/kep/def/[^>\s]*)>")


def undeclared_kep_terms(triples_or_text: GraphInput, *, ontology_dir: Path | str | None = None) -> set[str]:
    """IRIs in the KEP namespaces (``kep:`` terms and concepts under https://w3id.org/kep/def/) that are used
    but declared nowhere in ``ontology/``.

    Accepts triples/quads or an rdflib graph (every IRI position is checked) or text — a SPARQL query or
    Turtle — in which full IRIs and prefixed names (prefixes declared in the text; ``kep:`` defaults to the
    ontology namespace) are checked.
    """
    declared = declared_terms(ontology_dir)
    used: set[str] = set()
    if isinstance(triples_or_text, str):
        text = triples_or_text
        prefixes_text = text
        text = _PREFIX_DECL.sub(" ", text)
        prefixes = {p or "": ns for p, ns in _PREFIX_DECL.findall(prefixes_text)}
        prefixes.setdefault("kep", str(KEP))
        used |= set(_FULL_IRI.findall(text))
        for pfx, ns in prefixes.items():
            if not ns.startswith(str(KEP_DEF)) or not pfx:
                continue
            for local in re.findall(rf"(?<![\w:/<#-]){re.escape(pfx)}:([A-Za-z0-9_][\w-]*(?:\.[\w-]+)*)", text):
                used.add(ns + local)
    else:
        graph = _to_rdflib(triples_or_text)
        for t in graph:
            used |= {str(x) for x in t if isinstance(x, rdflib.URIRef)}
        for _, _, o in graph:
            if isinstance(o, rdflib.Literal) and o.datatype is not None:
                used.add(str(o.datatype))
    return {u for u in used if u.startswith(str(KEP_DEF)) and u not in declared}
