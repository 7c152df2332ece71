"""Describe the difference between two versions of a source's graph in words.

>>> from pyoxigraph import NamedNode as N, Literal as L, Triple as T
>>> from lod.namespaces import RDF, RDFS, KEP
>>> p = N("https://kep.example.org/id/partnership/05334002--Q157053")
>>> new = [T(p, RDF["type"], KEP["Partnership"]), T(p, RDFS["label"], L("Aachen – Chernihiv", language="de"))]
>>> describe_changes([], new)
['new partnership Aachen – Chernihiv']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from lod.namespaces import RDF, RDFS, SCHEMA, SKOS

__all__ = ["describe_changes", "class_words"]

_LABELS = (RDFS["label"], SKOS["prefLabel"], SCHEMA["name"])


def class_words(iri: str) -> str:
    """Words for a class IRI; acronyms keep their case.

    >>> class_words("https://w3id.org/kep/def/kep#FairtradeTownCertification")
    'fairtrade town certification'
    >>> class_words("https://w3id.org/kep/def/kep#SDGDerivation"), class_words("x#Agenda2030Commitment")
    ('SDG derivation', 'agenda 2030 commitment')
    """
    local = re.split(r"[#/]", iri)[-1]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z])(?=[0-9])", " ", local)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in spaced.split())


def _index(triples: Iterable[Triple]) -> tuple[dict[str, set[str]], dict[str, str], dict[str, set[Triple]]]:
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, tuple[int, str]] = {}
    by_subject: dict[str, set[Triple]] = defaultdict(set)
    for t in triples:
        s = t.subject.value
        by_subject[s].add(t)
        if t.predicate == RDF["type"] and isinstance(t.object, NamedNode):
            types[s].add(t.object.value)
        elif t.predicate in _LABELS and isinstance(t.object, Literal):
            rank = {"de": 0, "en": 1}.get(t.object.language or "", 2)
            if s not in labels or rank < labels[s][0]:
                labels[s] = (rank, t.object.value)
    return types, {k: v[1] for k, v in labels.items()}, by_subject


def _main_type(types: set[str]) -> str:
    kep = sorted(t for t in types if "/kep/def/" in t)
    return class_words((kep or sorted(types) or ["thing"])[0])


def describe_changes(old: Iterable[Triple], new: Iterable[Triple], *, source: str = "", limit: int = 50) -> list[str]:
    """Sentences saying what was added, removed or changed, one per described thing (named nodes only)."""
    old_types, old_labels, old_by = _index(old)
    new_types, new_labels, new_by = _index(new)
    words: list[str] = []
    for s in sorted(set(new_by) | set(old_by)):
        if s.startswith("_:") or (s in old_by and old_by[s] == new_by.get(s)):
            continue
        label = new_labels.get(s) or old_labels.get(s) or s.rsplit("/", 1)[-1]
        if s not in old_by and (new_types.get(s)):
            words.append(f"new {_main_type(new_types[s])} {label}")
        elif s not in new_by and old_types.get(s):
            words.append(f"removed {_main_type(old_types[s])} {label}")
        elif s in old_by and s in new_by:
            added = len(new_by[s] - old_by[s])
            removed = len(old_by[s] - new_by[s])
            what = _main_type(new_types.get(s) or old_types.get(s) or set())
            words.append(f"changed {what} {label}: {added} statement(s) added, {removed} removed")
    if len(words) > limit:
        words = words[:limit] + [f"… and {len(words) - limit} more change(s)"]
    return words
