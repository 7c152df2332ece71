"""Extraction rules of the ``html`` kind, as stated under ``options:`` in ``source.yaml``.

::

    options:
      municipality: {key: "05334002", label: "Aachen"}     # whose page it is (AGS / district key)
      content: "main"                                     # CSS selector of the content region
      drop: [".modul-contact"]                            # regions never read (staff names, phone numbers)
      places:                                             # optional: only names the gazetteer cannot know
        Musterdorf: {key: et-musterdorf, country: ETH}    # (German municipalities, Berlin districts and the
                                                          # partner cities of sources/places resolve by name)
      terms: {"Fairer Handel": fair-trade}                # text → field-of-action concept slug
      rules:
        - name: partnerships                             # used in error messages and evidence IRIs
          type: partnership                              # a builder in lod.mapping.facts.BUILDERS
          select: "article p"                            # CSS selector inside the content region
          pattern: "Partnerschaften mit (?P<partners>.+?)\\."   # regex; named groups feed the builder
          expect: "kommunale Partnerschaften mit …"      # how the error message names what is missing
          required: true                                 # missing → HarvestError naming URL and rule
          kind: town-twinning                            # further keys are the builder's settings

Each match's *sentence* (the sentence of the element's text around the match) becomes the evidence literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup

from lod.errors import HarvestError, SourceError
from lod.harvest.base import Source
from lod.mapping.facts import BUILDERS, Facts, Place

__all__ = ["Rule", "load_rules", "load_places", "load_terms", "apply_rules", "content_region"]

_RULE_KEYS = {"name", "type", "select", "pattern", "required", "expect", "attribute", "first"}


@dataclass(frozen=True)
class Rule:
    name: str
    type: str
    select: str
    pattern: re.Pattern[str]
    required: bool
    expect: str
    attribute: str | None
    first: bool
    settings: dict[str, Any]


def _error(source: Source, message: str, key: str) -> SourceError:
    return SourceError(message, path=str(source.yaml_path), line=source.lines.get("options"), key=key)


def load_rules(source: Source) -> list[Rule]:
    """Validate ``options.rules``. :raises SourceError: naming file, line and key of the bad rule."""
    raw = source.options.get("rules")
    if not isinstance(raw, list) or not raw:
        raise _error(source, "'options.rules' must be a non-empty list of extraction rules", "options.rules")
    rules = []
    for i, entry in enumerate(raw):
        key = f"options.rules[{i}]"
        if not isinstance(entry, dict):
            raise _error(source, f"'{key}' must be a mapping", key)
        for need in ("name", "type", "pattern"):
            if not isinstance(entry.get(need), str):
                raise _error(source, f"'{key}.{need}' must be a string", f"{key}.{need}")
        if entry["type"] not in BUILDERS:
            raise _error(source, f"'{key}.type' {entry['type']!r} is not one of {', '.join(sorted(BUILDERS))}",
                         f"{key}.type")
        try:
            pattern = re.compile(entry["pattern"], re.DOTALL)
        except re.error as exc:
            raise _error(source, f"'{key}.pattern' is not a valid regex: {exc}", f"{key}.pattern") from None
        rules.append(Rule(
            name=entry["name"], type=entry["type"], select=str(entry.get("select", "p, li, h1, h2, h3")),
            pattern=pattern, required=bool(entry.get("required", False)),
            expect=str(entry.get("expect", entry["pattern"])), attribute=entry.get("attribute"),
            first=bool(entry.get("first", False)),
            settings={k: v for k, v in entry.items() if k not in _RULE_KEYS} | {"name": entry["name"]},
        ))
    return rules


def load_places(source: Source) -> dict[str, Place]:
    out: dict[str, Place] = {}
    for name, entry in (source.options.get("places") or {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise _error(source, f"'options.places.{name}' needs a string 'key' (QID, cc-slug or AGS)",
                         f"options.places.{name}")
        out[str(name).lower()] = Place(str(name), entry["key"], entry.get("country"), bool(entry.get("german")))
    return out


def load_terms(source: Source) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (source.options.get("terms") or {}).items()}


def content_region(html: str, url: str, selector: str, drop: list[str]) -> Any:
    """The element holding the page's content, with ``drop`` regions removed.

    :raises HarvestError: the selector matches nothing (the page changed shape).
    """
    soup = BeautifulSoup(html, "lxml")
    region = soup.select_one(selector)
    if region is None:
        raise HarvestError(f"{url}: expected content region '{selector}' not found (option content)")
    for sel in drop:
        for el in region.select(sel):
            el.decompose()
    return region


def _text(el: Any) -> str:
    return re.sub(r"\s+", " ", el.get_text(" ")).strip()


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("? ", 0, start), text.rfind("! ", 0, start))
    left = 0 if left < 0 else left + 2
    right = [i for i in (text.find(". ", end), text.find("? ", end)) if i >= 0]
    stop = (min(right) + 1) if right else len(text)
    return text[left:stop].strip()


def apply_rules(region: Any, rules: list[Rule], facts: Facts, url: str) -> None:
    """Run every rule over the content region in order, feeding matches to the builders.

    :raises HarvestError: a ``required`` rule matched nothing ("<url>: expected section '…' not found (rule …)").
    """
    for rule in rules:
        hits = 0
        for el in region.select(rule.select):
            text = (el.get(rule.attribute) or "") if rule.attribute else _text(el)
            for m in rule.pattern.finditer(text):
                groups = {k: re.sub(r"\s+", " ", v).strip() for k, v in m.groupdict().items() if v}
                BUILDERS[rule.type](facts, rule.settings, groups, _sentence(text, m.start(), m.end()))
                hits += 1
                if rule.first:
                    break
            if hits and rule.first:
                break
        if hits == 0 and rule.required:
            raise HarvestError(f"{url}: expected section '{rule.expect}' not found (rule {rule.name})")
