"""Label search over one snapshot, with German-aware folding ("Koln" and "koeln" find "Köln").

The index is a small SQLite file written by the publisher next to the snapshot's store
(``snapshots/<id>/search.sqlite``, :func:`build_search_index`); web processes open it read-only per snapshot id
(:func:`index_for`) and never write. If the file is missing (a snapshot cut before this existed, or the web
process raced the publisher), the same index is built in memory once, and the file is used as soon as it appears.

Folding: lower-case, ß → ss, umlauts and their ae/oe/ue spellings → a/o/u, other accents stripped.
Matches rank: whole label (3), label prefix (2), word prefix (1), substring inside a word (0, queries of at
least :data:`MIN_INFIX` characters); within a rank, shorter labels first. Entries are numbered in that
within-rank order at build time, so every lookup is an index range scan with ``ORDER BY id LIMIT k``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store

from lod.resources import LABEL_PROPS, pick_label

__all__ = ["fold", "Hit", "LabelIndex", "index_for", "build_search_index", "INDEX_FILE", "MIN_INFIX"]

INDEX_FILE = "search.sqlite"
MIN_INFIX = 3                  # shortest query matched inside words (shorter ones: label and word prefixes)
_WORD = re.compile(r"[a-z0-9]+")
_HIGH = "{"                    # sorts after every character a folded string can hold ([a-z0-9 ])
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entries(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, folded TEXT NOT NULL, label_de TEXT NOT NULL,
                     label_en TEXT NOT NULL, type TEXT);
CREATE TABLE words(key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(key, id)) WITHOUT ROWID;
CREATE TABLE infixes(key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(key, id)) WITHOUT ROWID;
"""
_INDEXES = "CREATE INDEX entries_folded ON entries(folded, id);"
_VERSION = "1"


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


def _collect(store: Store) -> list[tuple[str, str, str, str, str | None]]:
    """(folded, iri, label de, label en, type) per distinct folded label, in rank order."""
    labels: dict[str, list[tuple[str, str]]] = {}
    for prop in LABEL_PROPS:
        for q in store.quads_for_pattern(None, NamedNode(prop), None, None):
            if isinstance(q.subject, NamedNode) and isinstance(q.object, Literal):
                labels.setdefault(q.subject.value, []).append((q.object.value, q.object.language or ""))
    rows = []
    for iri, pairs in labels.items():
        ty = next((q.object.value for q in store.quads_for_pattern(NamedNode(iri), _RDF_TYPE, None, None)
                   if isinstance(q.object, NamedNode)), None)
        de, en = pick_label(pairs, "de") or iri, pick_label(pairs, "en") or iri
        for f in {fold(text) for text, _ in pairs} - {""}:
            rows.append((f, iri, de, en, ty))
    rows.sort(key=lambda r: (len(r[2]), r[2], r[1], r[0]))
    return rows


def _fill(db: sqlite3.Connection, store: Store) -> None:
    db.executescript(_SCHEMA)
    rows = _collect(store)
    db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                   ((i, iri, f, de, en, ty) for i, (f, iri, de, en, ty) in enumerate(rows)))
    words, infixes = set(), set()
    for i, (f, *_rest) in enumerate(rows):
        for w in f.split():
            words.add((w, i))
            for k in range(1, len(w) - MIN_INFIX + 1):
                infixes.add((w[k:], i))
    db.executemany("INSERT INTO words VALUES (?, ?)", sorted(words))
    db.executemany("INSERT INTO infixes VALUES (?, ?)", sorted(infixes))
    db.executescript(_INDEXES)
    db.execute("INSERT INTO meta VALUES ('version', ?), ('entries', ?)", (_VERSION, str(len(rows))))
    db.commit()


def build_search_index(store: Store, out_path: Path) -> Path:
    """Write the search index of ``store`` (a snapshot) to ``out_path`` atomically (temp file + rename).

    Called by the publisher after a snapshot is cut; web processes only read the file.
    :raises OSError: the file cannot be written.
    """
    out_path = Path(out_path)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        _fill(db, store)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, out_path)
    return out_path


class LabelIndex:
    """Label index of one snapshot: the publisher's file (read-only) or, without a path, built in memory."""

    def __init__(self, store: Store | None = None, path: Path | None = None) -> None:
        self.path = path
        if path is not None:
            self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        else:
            assert store is not None, "LabelIndex needs a store or an index file"
            self.db = sqlite3.connect(":memory:", check_same_thread=False)
            _fill(self.db, store)
        self._lock = threading.Lock()
        self._hits: OrderedDict[tuple[str, int, str], list[Hit]] = OrderedDict()

    def search(self, query: str, limit: int = 20, lang: str = "de") -> list[Hit]:
        """Best ``limit`` matches for ``query`` (empty query → no hits); results are memoised (LRU)."""
        q = fold(query)
        if not q or limit < 1:
            return []
        key = (q, limit, lang)
        with self._lock:
            if key in self._hits:
                self._hits.move_to_end(key)
                return self._hits[key]
            hits = self._search(q, limit, lang)
            self._hits[key] = hits
            if len(self._hits) > 2048:
                self._hits.popitem(last=False)
        return hits

    def _ids(self, sql: str, *args: object) -> list[int]:
        return [r[0] for r in self.db.execute(sql, args)]

    def _search(self, q: str, limit: int, lang: str) -> list[Hit]:
        words = q.split()
        hi = q + _HIGH
        # candidates per rank, each list in rank order; an IRI may have several labels, so fetch a margin
        more = limit * 3 + 10
        cands: list[tuple[int, list[int]]] = [
            (3, self._ids("SELECT id FROM entries WHERE folded = ? ORDER BY id LIMIT ?", q, more)),
            (2, self._ids("SELECT id FROM entries WHERE folded > ? AND folded < ? ORDER BY id LIMIT ?", q, hi, more)),
        ]
        if len(words) == 1:
            cands.append((1, self._ids("SELECT DISTINCT id FROM words WHERE key >= ? AND key < ? ORDER BY id "
                                       "LIMIT ?", q, hi, more)))
            if len(q) >= MIN_INFIX:
                cands.append((0, self._ids("SELECT DISTINCT id FROM infixes WHERE key >= ? AND key < ? "
                                           "ORDER BY id LIMIT ?", q, hi, more)))
        else:
            # "w1 w2": w1 ends a word and the last word starts one; check the whole phrase per candidate
            first = words[0]
            ids = self._ids("SELECT id FROM words WHERE key = ? UNION SELECT id FROM infixes WHERE key = ? "
                            "ORDER BY id LIMIT 5000", first, first)
            cands.append((-1, ids))
        col = "label_en" if lang == "en" else "label_de"
        best: dict[str, Hit] = {}
        for rank, ids in cands:
            if not ids:
                continue
            marks = ",".join("?" * len(ids))
            rows = {r[0]: r[1:] for r in self.db.execute(
                f"SELECT id, iri, folded, {col}, type FROM entries WHERE id IN ({marks})", ids)}
            for i in ids:
                iri, f, label, ty = rows[i]
                score = _score(q, f)
                if score is None:
                    continue
                if iri not in best or best[iri].score < score:
                    best[iri] = Hit(iri, label, ty, score)
            if sum(1 for h in best.values() if h.score >= rank) >= limit and rank >= 0:
                break
        return sorted(best.values(), key=lambda h: (-h.score, len(h.label), h.label, h.iri))[:limit]


def _score(q: str, f: str) -> int | None:
    """Rank of folded label ``f`` for folded query ``q`` (None: no match)."""
    if f == q:
        return 3
    if f.startswith(q):
        return 2
    if (" " + f).find(" " + q) >= 0:
        return 1
    return 0 if q in f else None


_OPEN: dict[str, LabelIndex] = {}
_LOCK = threading.Lock()


def index_for(snapshot_id: str, store: Store, snapshot_dir: Path | None = None) -> LabelIndex:
    """The index of ``snapshot_id``: ``snapshot_dir/search.sqlite`` if the publisher wrote it, else built in
    memory (and replaced by the file once it appears). Older snapshots' indexes are dropped."""
    path = snapshot_dir / INDEX_FILE if snapshot_dir is not None else None
    with _LOCK:
        idx = _OPEN.get(snapshot_id)
        if idx is not None and (idx.path is not None or path is None or not path.is_file()):
            return idx
        idx = LabelIndex(path=path) if path is not None and path.is_file() else LabelIndex(store)
        for old in _OPEN.values():
            old.db.close()
        _OPEN.clear()
        _OPEN[snapshot_id] = idx
        return idx
