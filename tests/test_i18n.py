"""One German/English interface: the message catalog is complete and every HTML page speaks the chosen language."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from lod import pipeline
from lod.settings import Settings
from lod.web import create_app
from lod.web.i18n import MESSAGES

TEMPLATES = Path(__file__).resolve().parent.parent / "lod" / "web" / "templates"

# route → (German, English) UI text the page must show in that language
ROUTES = {
    "/": ("Was der Datensatz beschreibt", "What the dataset describes"),
    "/sparql": ("Abfrage ausführen", "Run query"),
    "/search?q=x": ("Suchbegriff", "Search term"),
    "/browse/municipalities": ("Kommunen", "Municipalities"),
    "/doc/thing/alpha-1": ("Quelle", "Source"),
    "/def/kep": ("Klassen", "Classes"),
    "/dumps/": ("Dateien", "Files"),
    "/changes": ("Änderungen", "Changes"),
    "/no/such/page": ("Nicht gefunden", "Not found"),
}
# German interface words that must not appear in the English interface
GERMAN_UI = ["Start", "Startseite", "Zur Startseite", "Suche", "Suchbegriff", "Quelle", "Quellen", "Sprache",
             "Zugang", "Abfrage", "Abfrage ausführen", "Ausgabe", "Herunterladen", "Beispielabfragen",
             "Für Programme", "Kommunen", "Partnerschaften", "Übersichten", "Ontologie", "Datenstand", "Änderungen",
             "Dateien", "Inhalt", "Größe", "Klasse", "Klassen", "Eigenschaften", "Formate", "Nicht gefunden",
             "Treffer", "Einträge", "Zum Inhalt springen", "Hauptnavigation", "Aussagen", "Titel", "Lizenz"]
# elements whose text is interface (not data): the site frame and the page furniture
UI_ELEMENTS = {"header", "footer", "nav", "h2", "button", "label", "caption", "th", "title", "option"}


class _UiText(HTMLParser):
    """Text inside interface elements (and their aria-label/placeholder), skipping anything marked lang="de"
    that is not the page language (data values carry their own language tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        tagged = bool(a.get("lang")) and tag != "html"
        if tag in ("meta", "link", "input", "br", "img"):
            if tag == "input" and a.get("placeholder"):
                self.parts.append(a["placeholder"] or "")
            return
        self.stack.append((tag, tagged))
        if a.get("aria-label") and not self._data():
            self.parts.append(a["aria-label"] or "")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def _data(self) -> bool:
        return any(tagged for _, tagged in self.stack)

    def handle_data(self, data: str) -> None:
        if any(tag in UI_ELEMENTS for tag, _ in self.stack) and not self._data():
            self.parts.append(data)


def ui_text(html: str) -> str:
    p = _UiText()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def has_word(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


@pytest.fixture
def client(mini_settings: Settings) -> FlaskClient:
    pipeline.build(mini_settings)
    return create_app(mini_settings).test_client()


def _get(client: FlaskClient, route: str, lang: str | None = None, **headers: str) -> tuple[int, str]:
    url = route + (("&" if "?" in route else "?") + "lang=" + lang if lang else "")
    r = client.get(url, headers={"Accept": "text/html", **headers})
    return r.status_code, r.get_data(as_text=True)


def test_catalog_has_every_key_in_both_languages_with_the_same_placeholders() -> None:
    assert set(MESSAGES) == {"de", "en"}
    assert set(MESSAGES["de"]) == set(MESSAGES["en"]), set(MESSAGES["de"]) ^ set(MESSAGES["en"])
    fields = string.Formatter()
    for key in MESSAGES["de"]:
        de, en = ({f for _, f, _, _ in fields.parse(MESSAGES[lang][key]) if f} for lang in ("de", "en"))
        assert de == en, key
        assert MESSAGES["de"][key].strip() and MESSAGES["en"][key].strip(), key


def test_every_key_the_templates_use_is_in_the_catalog() -> None:
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'", path.read_text("utf-8")))
    assert len(used) > 80
    assert used - set(MESSAGES["de"]) == set()


def test_english_pages_have_no_german_interface(client: FlaskClient) -> None:
    for route, (_, english) in ROUTES.items():
        status, html = _get(client, route, "en")
        assert status == (404 if route == "/no/such/page" else 200), route
        assert '<html lang="en">' in html, route
        text = ui_text(html)
        assert has_word(text, english) and '>Skip to content</a>' in html, (route, text)
        found = [w for w in GERMAN_UI if has_word(text, w)]
        assert found == [], (route, found, text)


def test_german_pages_have_the_german_interface(client: FlaskClient) -> None:
    for route, (german, english) in ROUTES.items():
        status, html = _get(client, route, "de")
        assert status == (404 if route == "/no/such/page" else 200), route
        assert '<html lang="de">' in html, route
        text = ui_text(html)
        assert has_word(text, german) and has_word(text, "Suche") and ">Zum Inhalt springen</a>" in html, route
        assert not has_word(text, "Skip to content") and not has_word(text, "Search term"), route


def test_language_from_accept_language_then_default_german(client: FlaskClient) -> None:
    _, html = _get(client, "/sparql", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in html and "Run query" in html
    _, html = _get(client, "/sparql", **{"Accept-Language": "fr"})
    assert '<html lang="de">' in html and "Abfrage ausführen" in html
    _, html = _get(client, "/sparql", "de", **{"Accept-Language": "en"})   # ?lang wins
    assert '<html lang="de">' in html
    r = client.get("/", headers={"Accept": "text/html"})
    assert "Accept-Language" in r.headers["Vary"]


def test_language_switch_keeps_url_and_query_and_links_keep_chosen_language(client: FlaskClient) -> None:
    _, html = _get(client, "/search?q=alpha", "de")
    assert 'href="/search?q=alpha&amp;lang=en" hreflang="en"' in html
    assert 'href="/search?q=alpha&amp;lang=de" hreflang="de"' in html
    _, html = _get(client, "/dumps/", "en")
    assert 'href="/sparql?lang=en"' in html and 'href="/changes?lang=en"' in html


def test_sparql_page_gives_its_script_the_texts_in_the_page_language(client: FlaskClient) -> None:
    _, en = _get(client, "/sparql", "en")
    assert 'data-running="running …"' in en and 'data-rows="{n} row(s)"' in en and 'data-download="Download"' in en
    _, de = _get(client, "/sparql", "de")
    assert 'data-running="läuft …"' in de and 'data-rows="{n} Zeile(n)"' in de
    script = (TEMPLATES.parent / "static" / "sparql.js").read_text("utf-8")
    assert not re.search(r"[äöüß]|Zeile|Antwort|Herunterladen|Gekürzt", script)
    q = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    r = client.get("/sparql", query_string={"query": q, "format": "html", "lang": "en"})
    assert '<caption>1 row(s)' in r.get_data(as_text=True)


def test_every_404_offers_the_search_box_and_errors_speak_the_page_language(client: FlaskClient) -> None:
    for route in ("/no/such/page", "/doc/thing/none", "/dumps/nope.nq.gz"):
        status, html = _get(client, route, "en")
        assert status == 404 and 'role="search"' in html and 'action="/search"' in html, route
        assert "We know nothing about this address" in html and 'name="lang" value="en"' in html, route
    _, html = _get(client, "/no/such/page", "de")
    assert "Zu dieser Adresse kennen wir nichts" in html and 'id="q404" name="q" type="search" value="page"' in html
    r = client.post("/", headers={"Accept": "text/html", "Accept-Language": "en"})
    html = r.get_data(as_text=True)
    assert r.status_code == 405 and "405 – Method not allowed" in html and "Please check the address" in html
    r = client.post("/?lang=de", headers={"Accept": "text/html"})
    assert "405 – Methode nicht erlaubt" in r.get_data(as_text=True) and "Zur Startseite" in r.get_data(as_text=True)
