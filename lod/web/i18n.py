"""The interface language (German or English) of every HTML page: message catalog, choice, template helpers.

The language comes from ``?lang=de|en``, else the request's ``Accept-Language``, else German. Templates get
``t(key, **values)``, ``lang``, ``lang_url(lang)`` (the current URL in another language) and ``with_lang(path)``
(a link that keeps an explicitly chosen ``?lang``). Messages whose key ends in ``_html`` are trusted markup
from this catalog; values filled into them are escaped.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from markupsafe import Markup

__all__ = ["MESSAGES", "LANGUAGES", "DEFAULT", "ui_lang", "t", "lang_url", "with_lang", "error_keys", "register"]

DEFAULT = "de"

_DE: dict[str, str] = {
    # site frame (base.html)
    "skip": "Zum Inhalt springen", "main_nav": "Hauptnavigation", "home": "Start", "search": "Suche",
    "search_label": "Suchbegriff", "language": "Sprache",
    "footer_about": "kep-lod — Linked Open Data zur kommunalen Entwicklungspolitik.",
    "footer_snapshot": "Datenstand (Snapshot)", "downloads": "Downloads", "changes": "Änderungen",
    # browse, resource and ontology pages
    "municipalities": "Kommunen", "partnerships": "Partnerschaften", "projects": "Projekte",
    "programmes": "Förderprogramme", "posts": "Koordinationsstellen", "sdgs": "SDGs",
    "ontology": "Ontologie", "types": "Typ", "source": "Quelle",
    "harvested": "abgerufen", "licence": "Lizenz", "source_doc": "Quelldokument", "publisher": "Herausgeber",
    "incoming": "Verweise auf diese Seite", "formats": "Formate", "query": "Die Abfrage hinter dieser Seite",
    "derived": "abgeleitet", "derived_how": "abgeleitet nach", "stated": "laut Quelle",
    "map": "Karte", "map_desc": "Orte und Partnerschaften (Punkte: Kommunen, Linien: Partnerschaften)",
    "page": "Seite", "next": "weiter", "prev": "zurück", "not_found": "Nicht gefunden",
    "not_found_text": "Zu dieser Adresse kennen wir nichts. Suchen Sie nach einem Namen:",
    "results": "Treffer", "no_results": "Keine Treffer.", "items": "Einträge", "all": "alle",
    "filter": "Filtern", "state": "Land", "country": "Partnerland", "sdg": "SDG", "programme": "Programm",
    "year": "Jahr", "count": "Anzahl", "by_country": "Partnerschaften nach Partnerland",
    "by_sdg": "Dinge nach SDG", "all_map": "Karte aller Partnerschaften", "linked": "verknüpft",
    "classes": "Klassen", "properties": "Eigenschaften", "domain": "Domäne", "range": "Wertebereich",
    "examples": "Beispiele", "truncated": "Die Beschreibung ist gekürzt; alle Aussagen im RDF-Export.",
    "snapshot": "Datenstand", "views": "Übersichten", "goal": "Ziel", "concepts": "Begriffe",
    # home page
    "home_lead": "Offene, verknüpfte Daten zur kommunalen Entwicklungspolitik in Deutschland: "
                 "Städtepartnerschaften mit Kommunen im Globalen Süden und in der Ukraine, Fairtrade-Towns, "
                 "faire Beschaffung, Agenda-2030-Engagement, Koordinationsstellen und Förderprogramme von BMZ "
                 "und SKEW. Jede Aussage ist auf ihre Quelle zurückführbar.",
    "access": "Zugang", "sparql_endpoint": "SPARQL-Endpunkt", "base_uri": "Basis-URI der Dinge",
    "downloads_desc": "Dumps (N-Quads, Turtle, JSON-LD) und CSV-Exporte",
    "changes_desc": "was sich bei jeder Veröffentlichung geändert hat",
    "what_described": "Was der Datensatz beschreibt", "class_counts": "Anzahl der Dinge je Klasse",
    "class": "Klasse", "no_data": "Noch keine Daten veröffentlicht.", "sources": "Quellen",
    "graph_per_source": "Ein benannter Graph je Quelle", "title": "Titel", "modified": "Stand",
    "statements": "Aussagen",
    # SPARQL page (and sparql.js through data attributes)
    "sparql_heading": "SPARQL-Abfrage",
    "sparql_lead": "Abfragen über alle Daten (Standardgraph = Vereinigung aller Quellgraphen). Nur lesend; "
                   "höchstens {rows} Zeilen bzw. {triples} Tripel je Antwort. Für Massendaten bitte die Dumps "
                   "nutzen.",
    "query_label": "Abfrage", "output": "Ausgabe", "table_html": "Tabelle (HTML)", "run_query": "Abfrage ausführen",
    "result": "Ergebnis", "truncated_label": "Gekürzt:",
    "truncated_rows": "Das Ergebnis wurde nach {n} Zeilen abgeschnitten (Grenze: {by}). Bitte die Abfrage "
                      "eingrenzen (LIMIT/OFFSET) oder die Dumps verwenden.",
    "truncated_triples": "Das Ergebnis wurde nach {n} Tripeln abgeschnitten (Grenze: {by}). Bitte die Abfrage "
                         "eingrenzen (LIMIT/OFFSET) oder die Dumps verwenden.",
    "truncated_js": "Gekürzt: Das Ergebnis wurde an der Grenze ({by}) abgeschnitten. Bitte die Abfrage "
                    "eingrenzen oder die Dumps verwenden.",
    "rows_caption": "{n} Zeile(n), {s} s", "rows_js": "{n} Zeile(n)", "answer": "Antwort",
    "yes_true": "ja (true)", "no_false": "nein (false)", "download": "Herunterladen",
    "share": "Link zu dieser Abfrage", "running": "läuft …", "example_queries": "Beispielabfragen",
    "for_programs": "Für Programme",
    "sparql_about_html": "SPARQL 1.1 Protocol: <code>GET /sparql?query=…</code>, <code>POST</code> als Formular "
                         "oder <code>application/sparql-query</code>. Formate per <code>Accept</code> oder "
                         "<code>format=</code> (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, trig, "
                         "nquads). Ohne Abfrage liefert <code>/sparql</code> die Service Description (Turtle). "
                         "Gekürzte Antworten tragen den Header <code>X-KEP-Truncated: true</code>.",
    # downloads page
    "dumps_intro_html": "Snapshot <code>{sid}</code>, erzeugt {generated}: {triples} Tripel, {entities} Dinge. "
                        "Beschrieben im <a href=\"/catalog\">DCAT-AP.de-Katalog</a> und in der "
                        "<a href=\"/.well-known/void\">VoID-Beschreibung</a>; der "
                        "<a href=\"/sparql\">SPARQL-Endpunkt</a> liefert dieselben Daten.",
    "dump_nquads_html": "<strong>N-Quads</strong> (<code>.nq.gz</code>): jede Aussage mit ihrem benannten Graphen "
                        "(ein Graph je Quelle) — verlustfrei.",
    "dump_turtle_html": "<strong>Turtle</strong> (<code>.ttl.gz</code>): nur die Aussagen; <em>die benannten "
                        "Graphen gehen verloren</em> (Vereinigung aller Graphen).",
    "dump_jsonld_html": "<strong>JSON-LD</strong> (<code>.jsonld.gz</code>): ein Objekt oberster Ebene je "
                        "benanntem Graphen (<code>{\"@id\": graph, \"@graph\": [...]}</code>), der "
                        "<a href=\"/dumps/context.jsonld\">Kontext</a> eingebettet.",
    "files": "Dateien", "file": "Datei", "contents": "Inhalt", "format": "Format", "size": "Größe",
    "file_modified": "geändert", "whole_dataset": "gesamter Datensatz",
    "csv_export": "CSV-Export (Spalten: docs/exports.md)", "source_named": "Quelle {slug}",
    # changes page
    "changes_intro_html": "Was sich bei jeder Veröffentlichung in jeder Quelle geändert hat, neueste zuerst. "
                          "Auch als <a href=\"/changes.atom\">Atom-Feed</a> und "
                          "<a href=\"/changes.ttl\">RDF (PROV-O)</a>.",
    "no_changes": "Noch keine Änderungen verzeichnet.", "data": "Daten",
    "change_meta_html": "Snapshot <code>{sid}</code>, {n} Tripel.", "source_docs": "Quelldokumente",
    # error pages
    "error": "Fehler", "err_400": "Ungültige Anfrage", "err_404": "Nicht gefunden",
    "err_405": "Methode nicht erlaubt", "err_406": "Format nicht verfügbar", "err_413": "Anfrage zu groß",
    "err_415": "Medientyp nicht unterstützt", "err_429": "Zu viele Anfragen", "err_500": "Interner Fehler",
    "err_503": "Vorübergehend nicht verfügbar",
    "help_4xx": "Bitte prüfen Sie die Adresse oder die Anfrage; die Meldung oben nennt den Grund.",
    "help_429": "Bitte warten Sie einen Moment und versuchen Sie es dann erneut.",
    "help_5xx": "Das liegt an uns, nicht an Ihnen. Bitte versuchen Sie es später noch einmal.",
    "back_home": "Zur Startseite",
}

_EN: dict[str, str] = {
    "skip": "Skip to content", "main_nav": "Main navigation", "home": "Home", "search": "Search",
    "search_label": "Search term", "language": "Language",
    "footer_about": "kep-lod — Linked Open Data on German municipal development policy.",
    "footer_snapshot": "Data version (snapshot)", "downloads": "Downloads", "changes": "Changes",
    "municipalities": "Municipalities", "partnerships": "Partnerships", "projects": "Projects",
    "programmes": "Funding programmes", "posts": "Coordinator posts", "sdgs": "SDGs",
    "ontology": "Ontology", "types": "Type", "source": "Source",
    "harvested": "harvested", "licence": "Licence", "source_doc": "Source document", "publisher": "Publisher",
    "incoming": "Links to this page", "formats": "Formats", "query": "The query behind this page",
    "derived": "derived", "derived_how": "derived by", "stated": "stated by the source",
    "map": "Map", "map_desc": "Places and partnerships (points: local authorities, lines: partnerships)",
    "page": "Page", "next": "next", "prev": "previous", "not_found": "Not found",
    "not_found_text": "We know nothing about this address. Search for a name:",
    "results": "results", "no_results": "No results.", "items": "items", "all": "all",
    "filter": "Filter", "state": "State", "country": "Partner country", "sdg": "SDG",
    "programme": "Programme", "year": "Year", "count": "Count", "by_country": "Partnerships by partner country",
    "by_sdg": "Things by SDG", "all_map": "Map of all partnerships", "linked": "linked",
    "classes": "Classes", "properties": "Properties", "domain": "Domain", "range": "Range",
    "examples": "Examples", "truncated": "This description is truncated; all statements are in the RDF.",
    "snapshot": "Data version", "views": "Views", "goal": "Goal", "concepts": "Concepts",
    "home_lead": "Linked Open Data on German municipal development policy: town twinnings with municipalities "
                 "in the Global South and in Ukraine, Fairtrade Towns, fair procurement, Agenda 2030 "
                 "commitments, coordinator posts and the funding programmes of BMZ and SKEW. Every statement "
                 "can be traced back to its source.",
    "access": "Access", "sparql_endpoint": "SPARQL endpoint", "base_uri": "Base URI of things",
    "downloads_desc": "dumps (N-Quads, Turtle, JSON-LD) and CSV exports",
    "changes_desc": "what changed at each publish",
    "what_described": "What the dataset describes", "class_counts": "Number of things per class",
    "class": "Class", "no_data": "No data published yet.", "sources": "Sources",
    "graph_per_source": "One named graph per source", "title": "Title", "modified": "Updated",
    "statements": "Statements",
    "sparql_heading": "SPARQL query",
    "sparql_lead": "Queries over all data (default graph = union of all source graphs). Read-only; at most "
                   "{rows} rows or {triples} triples per answer. For bulk data please use the dumps.",
    "query_label": "Query", "output": "Output", "table_html": "Table (HTML)", "run_query": "Run query",
    "result": "Result", "truncated_label": "Truncated:",
    "truncated_rows": "The result was cut off after {n} rows (limit: {by}). Please narrow the query "
                      "(LIMIT/OFFSET) or use the dumps.",
    "truncated_triples": "The result was cut off after {n} triples (limit: {by}). Please narrow the query "
                         "(LIMIT/OFFSET) or use the dumps.",
    "truncated_js": "Truncated: the result was cut off at the limit ({by}). Please narrow the query or use "
                    "the dumps.",
    "rows_caption": "{n} row(s), {s} s", "rows_js": "{n} row(s)", "answer": "Answer",
    "yes_true": "yes (true)", "no_false": "no (false)", "download": "Download",
    "share": "Link to this query", "running": "running …", "example_queries": "Example queries",
    "for_programs": "For programs",
    "sparql_about_html": "SPARQL 1.1 Protocol: <code>GET /sparql?query=…</code>, <code>POST</code> as a form "
                         "or <code>application/sparql-query</code>. Formats by <code>Accept</code> or "
                         "<code>format=</code> (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, trig, "
                         "nquads). Without a query, <code>/sparql</code> returns the service description "
                         "(Turtle). Truncated answers carry the header <code>X-KEP-Truncated: true</code>.",
    "dumps_intro_html": "Snapshot <code>{sid}</code>, generated {generated}: {triples} triples, {entities} "
                        "things. Described in the <a href=\"/catalog\">DCAT-AP.de catalog</a> and the "
                        "<a href=\"/.well-known/void\">VoID description</a>; the "
                        "<a href=\"/sparql\">SPARQL endpoint</a> serves the same data.",
    "dump_nquads_html": "<strong>N-Quads</strong> (<code>.nq.gz</code>): every statement with its named graph "
                        "(one graph per source) — lossless.",
    "dump_turtle_html": "<strong>Turtle</strong> (<code>.ttl.gz</code>): the statements only; <em>named graphs "
                        "are lost</em> (union of all graphs).",
    "dump_jsonld_html": "<strong>JSON-LD</strong> (<code>.jsonld.gz</code>): one top-level object per named "
                        "graph (<code>{\"@id\": graph, \"@graph\": [...]}</code>), the "
                        "<a href=\"/dumps/context.jsonld\">context</a> inlined.",
    "files": "Files", "file": "file", "contents": "contents", "format": "format", "size": "size",
    "file_modified": "modified", "whole_dataset": "whole dataset",
    "csv_export": "CSV export (columns: docs/exports.md)", "source_named": "source {slug}",
    "changes_intro_html": "What changed in each source at each publish, newest first. Also as "
                          "<a href=\"/changes.atom\">Atom feed</a> and <a href=\"/changes.ttl\">RDF (PROV-O)</a>.",
    "no_changes": "No changes recorded yet.", "data": "data",
    "change_meta_html": "Snapshot <code>{sid}</code>, {n} triples.", "source_docs": "Source documents",
    "error": "Error", "err_400": "Bad request", "err_404": "Not found",
    "err_405": "Method not allowed", "err_406": "Format not available", "err_413": "Request too large",
    "err_415": "Unsupported media type", "err_429": "Too many requests", "err_500": "Internal error",
    "err_503": "Temporarily unavailable",
    "help_4xx": "Please check the address or the request; the message above gives the reason.",
    "help_429": "Please wait a moment, then try again.",
    "help_5xx": "This is our fault, not yours. Please try again later.",
    "back_home": "Back to the home page",
}

MESSAGES: dict[str, dict[str, str]] = {"de": _DE, "en": _EN}
LANGUAGES = tuple(MESSAGES)


def ui_lang() -> str:
    """``?lang`` → Accept-Language (de/en) → German; German outside a request."""
    if not has_request_context():
        return DEFAULT
    if "ui_lang" in g:
        return g.ui_lang  # type: ignore[no-any-return]
    lang = request.args.get("lang", "")
    if lang not in MESSAGES:
        lang = request.accept_languages.best_match(list(MESSAGES)) or DEFAULT
    g.ui_lang = lang
    return lang


def t(key: str, **values: Any) -> str:
    """The message ``key`` in the page language (the key itself if unknown), ``{name}``s filled from ``values``
    (only when values are given: the JavaScript fills the placeholders of its own messages).

    ``*_html`` messages come back as :class:`Markup` (values escaped), others as plain text (escaped by Jinja).
    """
    text = MESSAGES[ui_lang()].get(key, key)
    if key.endswith("_html"):
        return Markup(text).format(**values) if values else Markup(text)  # noqa: S704 - our catalog, values escaped
    return text.format(**values) if values else text


def lang_url(lang: str) -> str:
    """The current path and query with ``lang`` set."""
    args = request.args.to_dict()
    args["lang"] = lang
    return request.path + "?" + urlencode(args)


def with_lang(path: str) -> str:
    """``path`` with ``?lang=…`` when the visitor chose the language explicitly (else the plain path)."""
    if request.args.get("lang") in MESSAGES:
        return path + ("&" if "?" in path else "?") + "lang=" + ui_lang()
    return path


def error_keys(status: int) -> tuple[str, str]:
    """(title key, help key) of the error page for ``status``."""
    title = f"err_{status}" if f"err_{status}" in _DE else ("err_500" if status >= 500 else "error")
    help_key = "not_found_text" if status == 404 else "help_429" if status == 429 else \
        "help_5xx" if status >= 500 else "help_4xx"
    return title, help_key


def _context() -> dict[str, Any]:
    return {"t": t, "lang": ui_lang(), "lang_url": lang_url, "with_lang": with_lang, "number": number}


def number(value: object) -> str:
    """An integer with the page language's digit grouping: 11.004 (de), 11,004 (en); other values unchanged.

    The language is read from the request; outside one, German.
    """
    try:
        n = int(str(value))
    except ValueError:
        return str(value)
    try:
        lang = ui_lang()
    except RuntimeError:
        lang = "de"
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text


def _vary(resp: Response) -> Response:
    """HTML pages depend on Accept-Language: say so to caches."""
    if resp.mimetype == "text/html":
        vary = [v.strip() for v in resp.headers.get("Vary", "").split(",") if v.strip()]
        if "accept-language" not in {v.lower() for v in vary}:
            resp.headers["Vary"] = ", ".join([*vary, "Accept-Language"])
    return resp


def register(app: Flask) -> None:
    """Give every template ``t``, ``lang``, ``lang_url`` and ``with_lang``; mark HTML as language-varying."""
    app.context_processor(_context)
    app.after_request(_vary)
