"""Kind ``listing``: an overview page with pagination whose items link to detail pages (a project database).

The listing pages are only walked: the item links (``options.items``) lead to detail pages, the next-page link
(``options.next``) to the next listing page. Each detail page is mapped like an ``html`` page, with the same
``options`` (``content``, ``drop``, ``rules``, ``places``, ``terms``, ``municipality``; see
:mod:`lod.mapping.rules`), so a project found here has the same RDF shape as one found by the ``html`` kind::

    kind: listing
    documents:                       # the FIRST document is the entry point (listing page 1);
      - url: https://www.berlin.de/ba-mitte/…/projektdatenbank/          # the others only give the
        snapshot: snapshots/liste-1.html                                 # snapshots of the pages it
      - url: https://www.berlin.de/ba-mitte/…/projektdatenbank/?page=2   # discovers (offline mode and
        snapshot: snapshots/liste-2.html                                 # tests read only these)
      - url: https://www.berlin.de/ba-mitte/…/projektdatenbank/projekt-a/
        snapshot: snapshots/projekt-a.html
    options:
      items: "ul.projects li a"      # CSS selector of the links to detail pages (href)
      next: "a[rel=next]"            # CSS selector of the link to the next listing page (optional)
      max_pages: 50                  # pages fetched in all (listing + detail); default and cap: harvest.max_pages
      derived_per_entity: true       # recommended: each thing is then prov:wasDerivedFrom only its own
                                     # detail page (this kind states that link), not from every page read
      content: "main"
      rules: [...]                   # as for kind html, applied to every detail page

Bounds: every fetched page (listing or detail) counts against ``max_pages``; links are followed only on the
entry point's host; a URL (without fragment) is fetched at most once, so a pagination loop ends cleanly.
Reaching the bound or skipping a foreign link is reported as a warning, not an error.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup
from pyoxigraph import NamedNode, Triple

from lod.errors import HarvestError, SourceError
from lod.gazetteer import Gazetteer
from lod.harvest.base import Document, HarvestContext, HarvestResult, Source
from lod.harvest.html_page import municipality_of
from lod.mapping.facts import Facts
from lod.mapping.rules import apply_rules, content_region, load_places, load_rules, load_terms
from lod.namespaces import PROV

__all__ = ["harvest", "listing_options"]


def listing_options(source: Source, cap: int) -> tuple[str, str | None, int]:
    """``(items selector, next selector or None, max pages)`` from ``options``.

    :raises SourceError: ``items`` missing, ``next`` not a string, ``max_pages`` not a positive integer.
    """
    opts = source.options

    def bad(message: str, key: str) -> SourceError:
        return SourceError(message, path=str(source.yaml_path), line=source.lines.get("options"), key=key)

    items = opts.get("items")
    if not isinstance(items, str) or not items.strip():
        raise bad("'options.items' must be the CSS selector of the links to the detail pages", "options.items")
    nxt = opts.get("next")
    if nxt is not None and (not isinstance(nxt, str) or not nxt.strip()):
        raise bad("'options.next' must be the CSS selector of the next-page link", "options.next")
    limit = opts.get("max_pages", cap)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise bad(f"'options.max_pages' must be a positive integer (at most {cap}), got {limit!r}",
                  "options.max_pages")
    if not source.documents:
        raise bad("a listing needs at least one document: the first listing page", "documents")
    return items, nxt, min(limit, cap)


def _links(html: str, base: str, selector: str) -> list[str]:
    soup = BeautifulSoup(html, "lxml")
    out: list[str] = []
    for el in soup.select(selector):
        href = el.get("href")
        if isinstance(href, str) and href.strip() and not href.strip().startswith(("#", "mailto:", "javascript:")):
            url = urldefrag(urljoin(base, href.strip()))[0]
            if url not in out:
                out.append(url)
    return out


def harvest(source: Source, ctx: HarvestContext) -> HarvestResult:
    """Walk the listing pages, fetch every detail page once and map it with the source's rules.

    :raises SourceError: invalid options or rules. :raises HarvestError: a fetch failed, the first listing
        page lists no items, or a detail page changed shape (required rule missing; the message names URL).
    """
    items_sel, next_sel, max_pages = listing_options(source, ctx.max_pages)
    rules = load_rules(source)
    places, terms = load_places(source), load_terms(source)
    gazetteer = Gazetteer.load_optional(ctx.sources_dir)   # German municipalities, partner cities
    key, label = municipality_of(source)
    selector = str(source.options.get("content", "body"))
    drop = [str(d) for d in source.options.get("drop", [])]
    entry = urldefrag(source.documents[0].url)[0]
    host = urlsplit(entry).netloc.lower()

    seen: set[str] = set()
    documents: list[Document] = []
    triples: list[Triple] = []
    warnings: list[str] = []
    fetched = 0

    def allowed(url: str, what: str) -> bool:
        if urlsplit(url).scheme not in ("http", "https") or urlsplit(url).netloc.lower() != host:
            warnings.append(f"{url}: {what} link to another host skipped (a listing stays on {host})")
            return False
        return url not in seen

    def get(url: str) -> Document | None:
        nonlocal fetched
        if fetched >= max_pages:
            warnings.append(f"{source.slug}: stopped after {max_pages} pages (max_pages); {url} not fetched")
            return None
        seen.add(url)
        fetched += 1
        doc = ctx.fetch(url)
        if not doc.text:
            raise HarvestError(f"{url}: the document is empty")
        documents.append(doc)
        return doc

    page_url: str | None = entry
    page_no = 0
    details = 0
    while page_url is not None:
        page = get(page_url)
        if page is None:
            break
        page_no += 1
        assert page.text is not None
        links = _links(page.text, page_url, items_sel)
        if page_no == 1 and not links:
            raise HarvestError(f"{page_url}: expected item links '{items_sel}' not found (option items)")
        for link in links:
            if not allowed(link, "detail"):
                continue
            doc = get(link)
            if doc is None:
                break
            assert doc.text is not None
            facts = Facts(ctx.iris, source.slug, key, label, places=places, gazetteer=gazetteer, terms=terms,
                          doc_url=link)
            apply_rules(content_region(doc.text, link, selector, drop), rules, facts, link)
            subjects = {t.subject.value for t in facts.triples
                        if isinstance(t.subject, NamedNode) and t.subject.value.startswith(ctx.iris.base + "id/")
                        and "#" not in t.subject.value}
            triples += facts.triples
            triples += [Triple(NamedNode(s), PROV["wasDerivedFrom"], NamedNode(link)) for s in sorted(subjects)]
            warnings += facts.warnings
            details += 1
        if fetched >= max_pages:
            if next_sel and _links(page.text, page_url, next_sel):
                warnings.append(f"{source.slug}: stopped after {max_pages} pages (max_pages); "
                                "further listing pages not fetched")
            break
        current, page_url = page_url, None
        if next_sel:
            for nxt in _links(page.text, current, next_sel):
                if nxt in seen:
                    warnings.append(f"{nxt}: next-page link leads to a page already read; pagination ends")
                    break
                if allowed(nxt, "next-page"):
                    page_url = nxt
                    break
    if details == 0:
        raise HarvestError(f"{entry}: no detail page could be read (option items '{items_sel}')")
    return HarvestResult(sorted(set(triples), key=str), documents, warnings)
