"""Cheap checks on query text before it reaches the parser: size, nesting depth, and refused operations.

pyoxigraph segfaults on deeply nested queries, makes HTTP requests for ``SERVICE`` and would execute
``LOAD``/updates, so these are refused here, before any parsing or execution. The check is lexer-aware:
comments, string literals and ``<IRIs>`` are blanked first, and a keyword counts only as a bare word (not part
of a prefixed name like ``ex:service``, a variable ``?service`` or a language tag).
"""

from __future__ import annotations

import re

from lod.errors import BadQuery, ReadOnly

__all__ = ["check_query", "strip_literals", "keywords", "nesting_depth", "UPDATE_KEYWORDS"]

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
                             "USING"})

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'        # long strings (unterminated ones run to the end)
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n\r]|\\.)*(?:"|$)'
    r"|'(?:[^'\\\n\r]|\\.)*(?:'|$)"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'                  # IRIREF (a bare "<" as less-than never matches)
    r"|#[^\n\r]*",                                  # comment
    re.DOTALL,
)
_NAME = re.compile(r"[?$][\w]+|@[A-Za-z][\w\-]*|(?:[A-Za-z_][\w.\-]*)?:[\w.\-:%]*")  # vars, lang tags, pnames
_WORD = re.compile(r"(?<!\w)([A-Za-z][A-Za-z0-9_]*)(?!\w)")


def strip_literals(text: str) -> str:
    """Blank out strings, IRIs and comments (keeping length and line structure)."""
    return _TOKEN.sub(lambda m: " " * len(m.group(0)) if "\n" not in m.group(0)
                      else re.sub(r"[^\n]", " ", m.group(0)), text)


def keywords(text: str) -> list[str]:
    """Bare words (upper-cased) in already stripped text."""
    return [m.group(1).upper() for m in _WORD.finditer(_NAME.sub(" ", text))]


def nesting_depth(stripped: str) -> int:
    """Deepest nesting of ``{`` ``(`` ``[`` in already stripped text."""
    depth = best = 0
    for ch in stripped:
        if ch in "{([":
            depth += 1
            best = max(best, depth)
        elif ch in "})]":
            depth = max(0, depth - 1)
    return best


def check_query(text: str, *, max_bytes: int, max_depth: int) -> None:
    """Refuse a query before parsing.

    :raises BadQuery: too large, nested too deeply, or contains a NUL character.
    :raises ReadOnly: an update operation, ``LOAD`` or ``SERVICE`` (federation is disabled).
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise BadQuery(f"query too large: {size} bytes, the limit is {max_bytes} bytes; "
                       "for bulk data use the dumps instead")
    if "\x00" in text:
        raise BadQuery("the query contains a NUL character")
    stripped = strip_literals(text)
    depth = nesting_depth(stripped)
    if depth > max_depth:
        raise BadQuery(f"query nested too deeply: {depth} levels of brackets, the limit is {max_depth}")
    words = set(keywords(stripped))
    if "SERVICE" in words:
        raise ReadOnly("federated queries (SERVICE) are disabled on this endpoint; "
                       "query the other endpoint yourself and combine the results")
    if "LOAD" in words:
        raise ReadOnly("LOAD is not allowed: this endpoint is read-only")
    found = sorted(words & UPDATE_KEYWORDS)
    if found:
        raise ReadOnly(f"SPARQL Update ({found[0]}) is not allowed: this endpoint is read-only "
                       "and answers queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only")
