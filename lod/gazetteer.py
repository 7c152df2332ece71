"""Resolve place names found on pages to KEP keys: German municipalities (AGS), Berlin districts and foreign
partner municipalities (Wikidata QID or ``cc-slug``), with their country.

Built from the reference sources under ``sources_dir``: the source of kind ``register`` (the Destatis CSV)
and the source of kind ``places`` (curated ``places.csv`` + ``countries.csv``). Matching ignores case,
accents and umlaut spelling ("Köln" = "Koeln" = "Koln"), punctuation and leading words such as "Stadt",
"Bezirksamt", "Landeshauptstadt"; a country in brackets or after a comma ("Douala (Kamerun)",
"Cajamarca, Peru") narrows the search. Several German municipalities share names: the curated places come
first, then the register by population (largest first); :meth:`Gazetteer.candidates` lists them all.

>>> g = Gazetteer.load(Path("sources"))                       # doctest: +SKIP
>>> g.resolve("Kapstadt").key, g.resolve("Berlin Mitte").key   # doctest: +SKIP
('Q5465', '11000000-01')
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from pyoxigraph import NamedNode

from lod.errors import ConfigError
from lod.namespaces import EU_COUNTRY, Iris

__all__ = ["Place", "Gazetteer", "normalize"]

_LEADING = ("freie und hansestadt", "freie hansestadt", "landeshauptstadt", "hansestadt", "bezirksamt",
            "bezirk", "stadtbezirk", "stadtgemeinde", "stadt", "gemeinde", "kommune", "partnerstadt",
            "partnerkommune", "city of", "municipality of", "the city of", "ba")
_lock = threading.Lock()
_cache: dict[str, "Gazetteer"] = {}


def normalize(name: str, *, umlaut: str = "ae") -> str:
    """Lower-case ASCII form for matching; ``umlaut="ae"`` writes ä as ae, ``umlaut="a"`` drops the dots.

    >>> normalize("Treptow-Köpenick"), normalize("Treptow-Köpenick", umlaut="a")
    ('treptow koepenick', 'treptow kopenick')
    """
    text = name.casefold()
    if umlaut == "ae":
        for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
            text = text.replace(src, dst)
    text = text.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _variants(name: str) -> set[str]:
    out = {normalize(name), normalize(name, umlaut="a")}
    for v in list(out):
        for lead in _LEADING:
            if v.startswith(lead + " ") and len(v) > len(lead) + 1:
                out.add(v[len(lead) + 1:])
    return {v for v in out if v}


@dataclass(frozen=True)
class Place:
    """A resolved place. ``kind``/``key`` give the IRI (``iris.thing(kind, key)``)."""

    kind: str                   # "municipality" (AGS, Berlin districts AGS-nn) | "foreign-municipality"
    key: str                    # "05334002", "11000000-01", "Q5465", "et-lideta"
    label: str                  # "Aachen", "Mitte", "Kapstadt"
    country: str                # ISO 3166-1 alpha-3, e.g. "DEU", "ZAF"
    qid: str | None = None      # Wikidata QID if known
    population: int | None = None
    curated: bool = False       # from places.csv (preferred over same-named register entries)

    def iri(self, iris: Iris) -> NamedNode:
        return iris.thing(self.kind, self.key)

    @property
    def country_iri(self) -> NamedNode:
        return EU_COUNTRY[self.country]

    @property
    def is_german(self) -> bool:
        return self.country == "DEU"


class Gazetteer:
    """Name index over the reference places. Build with :meth:`load` (cached per folder)."""

    def __init__(self) -> None:
        self._index: dict[str, list[Place]] = {}
        self._by_key: dict[str, Place] = {}
        self._countries: dict[str, str] = {}      # normalised name/code -> alpha-3

    # ------------------------------------------------------------------ building
    @classmethod
    def load(cls, sources_dir: Path | str) -> "Gazetteer":
        """The gazetteer for ``sources_dir`` (parsed once, then cached).

        :raises ConfigError: no source of kind ``register`` or ``places``, or a snapshot file cannot be read.
        """
        folder = Path(sources_dir).resolve()
        with _lock:
            if str(folder) not in _cache:
                g = cls()
                files = _snapshots_by_kind(folder)
                for path in files.get("places", []):
                    if path.name.startswith("countries"):
                        g._read_countries(path)
                for path in files.get("register", []):
                    g._read_register(path)
                for path in files.get("places", []):
                    if not path.name.startswith("countries"):
                        g._read_places(path)
                _cache[str(folder)] = g
            return _cache[str(folder)]

    @classmethod
    def load_optional(cls, sources_dir: Path | str) -> "Gazetteer | None":
        """Like :meth:`load`, but None when ``sources_dir`` has no ``register`` or no ``places`` source (a
        test folder holding one source); harvesters then resolve only their own ``options.places``.

        :raises ConfigError: the reference sources exist but a snapshot file cannot be read.
        """
        try:
            _snapshots_by_kind(Path(sources_dir).resolve())
        except ConfigError:
            return None
        return cls.load(sources_dir)

    def _add(self, place: Place, names: list[str]) -> None:
        k = f"{place.kind}/{place.key}"
        old = self._by_key.get(k)
        if old is not None:   # a curated row adds QID/labels to a register entry
            place = replace(old, qid=place.qid or old.qid, curated=old.curated or place.curated)
            for bucket in self._index.values():
                bucket[:] = [place if f"{p.kind}/{p.key}" == k else p for p in bucket]
        self._by_key[k] = place
        for name in names:
            for v in _variants(name):
                bucket = self._index.setdefault(v, [])
                if all(f"{p.kind}/{p.key}" != k for p in bucket):
                    bucket.append(place)

    def _read_register(self, path: Path) -> None:
        for row in _read_csv(path, ("ags", "name")):
            full = row["name"].strip()
            short = full.split(",")[0].strip()
            pop = int(row["population"]) if (row.get("population") or "").strip().isdigit() else None
            self._add(Place("municipality", row["ags"].strip(), short, "DEU", population=pop), [short, full])

    def _read_places(self, path: Path) -> None:
        for row in _read_csv(path, ("kind", "key", "qid", "name_de", "name_en", "alt_names", "country")):
            kind = "municipality" if row["kind"].startswith("german") else "foreign-municipality"
            names = [row["name_de"], row["name_en"], *row["alt_names"].split("|")]
            names = [n.strip() for n in names if n and n.strip()]
            self._add(Place(kind, row["key"].strip(), row["name_de"].strip(), row["country"].strip(),
                            qid=row["qid"].strip() or None, curated=True), names)

    def _read_countries(self, path: Path) -> None:
        for row in _read_csv(path, ("alpha3", "alpha2", "name_de", "name_en")):
            code = row["alpha3"].strip()
            for name in (row["alpha3"], row["alpha2"], row["name_de"], row["name_en"],
                         *(row.get("alt_names") or "").split("|")):
                for v in _variants(name) if name and name.strip() else ():
                    self._countries[v] = code

    # ------------------------------------------------------------------ lookup
    def country(self, name_or_code: str) -> str | None:
        """ISO alpha-3 for a country name or code known to the places source ("Kamerun", "CM", "ZAF")."""
        for v in _variants(name_or_code):
            if v in self._countries:
                return self._countries[v]
        return None

    def by_key(self, key: str, kind: str | None = None) -> Place | None:
        """The place with this IRI key ("05334002", "11000000-01", "Q5465")."""
        kinds = [kind] if kind else ["municipality", "foreign-municipality"]
        return next((self._by_key[f"{k}/{key}"] for k in kinds if f"{k}/{key}" in self._by_key), None)

    def candidates(self, name: str, *, country: str | None = None) -> list[Place]:
        """All places matching ``name``: curated first, then by population (largest first).

        ``country`` (a name or code) restricts the result; so does a country in brackets or after a comma.
        """
        name = name.strip()
        hint = self.country(country) if country else None
        bracket = re.search(r"\(([^)]*)\)\s*$", name)
        if bracket and self.country(bracket.group(1)):
            hint = hint or self.country(bracket.group(1))
            name = name[:bracket.start()].strip()
        found: list[Place] = []
        attempts = [name]
        if "," in name:
            head, _, tail = name.partition(",")
            if self.country(tail):
                hint = hint or self.country(tail)
                attempts = [head.strip()]
            else:
                attempts.append(head.strip())
        for attempt in attempts:
            for v in _variants(attempt):
                for p in self._index.get(v, []):
                    if p not in found:
                        found.append(p)
            if found:
                break
        if hint:
            found = [p for p in found if p.country == hint]
        return sorted(found, key=lambda p: (not p.curated, -(p.population or 0), p.key))

    def resolve(self, name: str, *, country: str | None = None) -> Place | None:
        """The best match for ``name`` (see :meth:`candidates`), or None if nothing matches."""
        found = self.candidates(name, country=country)
        return found[0] if found else None


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"missing column(s) {', '.join(missing)}", path=str(path))
            return list(reader)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read gazetteer file: {exc}", path=str(path)) from None


def _snapshots_by_kind(folder: Path) -> dict[str, list[Path]]:
    """Snapshot files of the ``register`` and ``places`` sources, found through their source.yaml.

    :raises ConfigError: one of the two kinds has no source (or its source.yaml is unreadable).
    """
    out: dict[str, list[Path]] = {}
    for yaml_path in sorted(folder.glob("*/source.yaml")):
        try:
            data = yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind in ("register", "places"):
            for doc in data.get("documents") or []:
                if isinstance(doc, dict) and doc.get("snapshot"):
                    out.setdefault(kind, []).append((yaml_path.parent / str(doc["snapshot"])).resolve())
    for kind in ("register", "places"):
        if not out.get(kind):
            raise ConfigError(f"no source of kind '{kind}' with a snapshot found (the gazetteer needs it)",
                              path=str(folder))
    return out
