"""Label search over one snapshot, with German-aware folding ("Koln" and "koeln" find "Köln").

The index is built once per snapshot id (lazily, on the first search in a web process) and kept in memory;
it never writes to disk. Folding: lower-case, ß → ss, umlauts and their ae/oe/ue spellings → a/o/u,
other accents stripped. Matches rank: whole label, label prefix, word prefix, substring.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Store

from lod.resources import LABEL_PROPS, pick_label

__all__ = ["fold", "Hit", "LabelIndex", "index_for"]

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Fold text for matching. ``fold("Köln") == fold("koeln") == fold("KOLN") == "koln"``."""
    text = text.lower().replace("ß", "ss")
    text = text.replace("ä", "a").replace("ö", "o").replace("ü", "u")
    text = re.sub(r"(?<=[aou])e", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_WORD.findall(text))


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    type: str | None
    score: int


class LabelIndex:
    """In-memory label index of one snapshot."""

    def __init__(self, store: Store, lang: str = "de") -> None:
        labels: dict[str, list[tuple[str, str]]] = {}
        for prop in LABEL_PROPS:
            for q in store.quads_for_pattern(None, NamedNode(prop), None, None):
                if isinstance(q.subject, NamedNode) and isinstance(q.object, Literal):
                    labels.setdefault(q.subject.value, []).append((q.object.value, q.object.language or ""))
        rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        self.entries: list[tuple[str, str, str, str | None]] = []   # (folded, iri, display, type)
        for iri, pairs in labels.items():
            ty = next((q.object.value for q in store.quads_for_pattern(NamedNode(iri), rdf_type, None, None)
                       if isinstance(q.object, NamedNode)), None)
            best = {lang: pick_label(pairs, lang) or iri for lang in ("de", "en")}
            seen = set()
            for text, _ in pairs:
                f = fold(text)
                if f and f not in seen:
                    seen.add(f)
                    self.entries.append((f, iri, best["de"], ty))
        self.entries.sort()
        self.words: list[tuple[str, int]] = sorted(
            (w, i) for i, (f, *_rest) in enumerate(self.entries) for w in set(f.split()))
        self.labels = labels

    def search(self, query: str, limit: int = 20, lang: str = "de") -> list[Hit]:
        """Best ``limit`` matches for ``query`` (empty query → no hits)."""
        q = fold(query)
        if not q:
            return []
        best: dict[str, Hit] = {}

        def add(i: int, score: int) -> None:
            f, iri, _, ty = self.entries[i]
            label = pick_label(self.labels[iri], lang) or iri
            if iri not in best or best[iri].score < score:
                best[iri] = Hit(iri, label, ty, score)

        first = q.split()[0]
        start = bisect.bisect_left(self.words, (first, -1))
        for w, i in self.words[start:]:
            if not w.startswith(first):
                break
            f = self.entries[i][0]
            if q in f:
                add(i, 3 if f == q else 2 if f.startswith(q) else 1)
        if len(best) < limit:
            for i, (f, *_rest) in enumerate(self.entries):
                if q in f:
                    add(i, 3 if f == q else 2 if f.startswith(q) else 0)
        return sorted(best.values(), key=lambda h: (-h.score, len(h.label), h.label, h.iri))[:limit]


_INDEXES: dict[str, LabelIndex] = {}
_LOCK = threading.Lock()


def index_for(snapshot_id: str, store: Store) -> LabelIndex:
    """The index of ``snapshot_id``, built on first use; older snapshots' indexes are dropped."""
    with _LOCK:
        idx = _INDEXES.get(snapshot_id)
        if idx is None:
            idx = LabelIndex(store)
            _INDEXES.clear()
            _INDEXES[snapshot_id] = idx
        return idx
