"""Kind ``html``: one or more web pages read with the extraction rules stated in ``source.yaml``.

The rules (CSS selectors + regexes, see :mod:`lod.mapping.rules`) know about the page; this module only
fetches each document through ``ctx.fetch``, cuts out the content region (``options.content``, minus the
``options.drop`` regions such as contact boxes with staff names and phone numbers) and runs the rules.
Place names the rules match resolve through the gazetteer (:mod:`lod.gazetteer`: German municipalities and
districts from the register, partner cities and countries from ``sources/places``); ``options.places`` only
adds names the gazetteer cannot know. An unresolved name is a warning and its fact is skipped.
"""

from __future__ import annotations

from lod.errors import HarvestError, SourceError
from lod.gazetteer import Gazetteer
from lod.harvest.base import HarvestContext, HarvestResult, Source
from lod.mapping.facts import Facts
from lod.mapping.rules import apply_rules, content_region, load_places, load_rules, load_terms

__all__ = ["harvest", "municipality_of"]


def municipality_of(source: Source) -> tuple[str, str]:
    """``(key, label)`` of the municipality whose page this is: ``options.municipality`` or the publisher.

    :raises SourceError: ``options.municipality`` lacks key or label.
    """
    m = source.options.get("municipality")
    if m is None:
        return source.publisher_key, source.publisher
    if not isinstance(m, dict) or not isinstance(m.get("key"), str) or not isinstance(m.get("label"), str):
        raise SourceError("'options.municipality' must be a mapping with string 'key' and 'label'",
                          path=str(source.yaml_path), line=source.lines.get("options"), key="options.municipality")
    return m["key"], m["label"]


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Fetch each document and map it with the source's rules.

    :raises SourceError: invalid rules. :raises HarvestError: fetching failed, or the page changed shape
        (content region or a required rule's section missing; the message names URL and rule).
    """
    rules = load_rules(source)
    places, terms = load_places(source), load_terms(source)
    gazetteer = Gazetteer.load_optional(ctx.sources_dir)   # German municipalities, partner cities
    key, label = municipality_of(source)
    selector = str(source.options.get("content", "body"))
    drop = [str(d) for d in source.options.get("drop", [])]
    triples, documents, warnings = [], [], []
    for ref in source.documents:
        doc = ctx.fetch(ref.url)
        if not doc.text:
            raise HarvestError(f"{ref.url}: the document is empty")
        facts = Facts(ctx.iris, source.slug, key, label, places=places, gazetteer=gazetteer, terms=terms,
                      doc_url=ref.url)
        apply_rules(content_region(doc.text, ref.url, selector, drop), rules, facts, ref.url)
        triples += facts.triples
        warnings += facts.warnings
        documents.append(doc)
    return HarvestResult(sorted(set(triples), key=str), documents, warnings)
