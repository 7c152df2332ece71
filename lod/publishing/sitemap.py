"""``sitemap.xml`` (every thing's /doc page, browse and catalog pages) and ``robots.txt``."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from pyoxigraph import QuerySolutions, Store

from lod.queries import load_query

__all__ = ["write_sitemap", "robots_txt", "STATIC_PAGES", "MAX_URLS"]

STATIC_PAGES = ("", "sparql", "catalog", "dumps/", "changes", "def/kep", "views/partnerships", "browse/municipalities",
                "browse/partnerships", "browse/projects", "browse/programmes", "browse/posts", "browse/sdgs")
MAX_URLS = 50_000   # sitemaps.org limit per file


def write_sitemap(store: Store, sparql_dir: Path, base_uri: str, path: Path, lastmod: str) -> int:
    """Write the sitemap (streamed). :returns: the number of URLs. :raises OSError: not writable."""
    query = load_query(sparql_dir, "sitemap-things")
    result = store.query(query.text, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    tmp = path.with_name("." + path.name + ".tmp")
    n = 0
    prefix = base_uri + "id/"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for page in STATIC_PAGES:
            out.write(f"<url><loc>{escape(base_uri + page)}</loc><lastmod>{lastmod}</lastmod></url>\n")
            n += 1
        for row in result:
            iri = row["s"].value  # type: ignore[union-attr]
            if not iri.startswith(prefix) or "#" in iri or n >= MAX_URLS:
                continue
            out.write(f"<url><loc>{escape(base_uri + 'doc/' + iri[len(prefix):])}</loc>"
                      f"<lastmod>{lastmod}</lastmod></url>\n")
            n += 1
        out.write("</urlset>\n")
    tmp.replace(path)
    return n


def robots_txt(base_uri: str) -> str:
    return ("User-agent: *\n"
            "Allow: /\n"
            "Disallow: /sparql?\n"
            "Disallow: /search?\n"
            "Disallow: /search.json\n"
            f"Sitemap: {base_uri}sitemap.xml\n")
