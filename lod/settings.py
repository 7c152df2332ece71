"""Settings: one declared table → defaults, strict YAML validation, ``LOD_*`` environment overrides, docs.

Precedence: defaults ← YAML file (``--settings FILE`` or ``$LOD_SETTINGS``) ← environment ``LOD_<KEY>``
(dots become underscores, e.g. ``LOD_SERVER_PORT=9000``). The result is one frozen ``Settings``.

>>> s = load_settings(env={})
>>> s.server.port, s.base_uri
(8080, 'https://kep.example.org/')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lod.errors import ConfigError

__all__ = ["Setting", "SETTINGS", "Settings", "load_settings", "settings_table_markdown"]


@dataclass(frozen=True)
class Setting:
    name: str          # dotted: "server.port"
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "LOD_" + self.name.replace(".", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("base_uri", str, "https://kep.example.org/",
            "Base of every instance IRI (things under id/, graphs under graph/); must end with '/'. "
            "Changing it needs a new harvest."),
    Setting("title", str, "KEP Linked Open Data",
            "Name of the dataset, shown on the home page and in the catalog."),
    Setting("sources_dir", str, "sources", "Folder with one sub-folder per source (source.yaml + snapshots/)."),
    Setting("ontology_dir", str, "ontology", "Folder with the ontology, shapes and concept schemes."),
    Setting("sparql_dir", str, "sparql", "Folder with the named SPARQL queries (*.rq)."),
    Setting("var_dir", str, "var", "Folder for everything generated: store, snapshots, staging, cache, logs."),
    Setting("server.host", str, "127.0.0.1", "Address the production server listens on."),
    Setting("server.port", int, 8080, "Port the production server listens on."),
    Setting("server.workers", int, 2, "Web worker processes (gunicorn)."),
    Setting("server.timeout", int, 30, "Seconds before gunicorn restarts a stuck web worker."),
    Setting("server.behind_proxy", bool, False,
            "Trust X-Forwarded-Proto/Host (only when a reverse proxy sets them)."),
    Setting("server.snapshot_check_interval", float, 1.0,
            "Seconds between checks whether a newer snapshot was published (switch without restart)."),
    Setting("publish.keep_snapshots", int, 3, "Published snapshots kept for rollback (at least 2)."),
    Setting("publish.lock_timeout", float, 60.0,
            "Seconds a second publisher waits for the store lock before failing."),
    Setting("publish.bulk_sources", int, 25,
            "Publish batches of at least this many sources with the bulk loader (~20× faster at nationwide "
            "scale; atomic per run, since the server only reads snapshots cut afterwards)."),
    Setting("publish.max_shrink", float, 0.5,
            "Refuse to publish a source whose triple count drops by more than this fraction (0..1); "
            "0 disables the check."),
    Setting("harvest.offline", bool, True,
            "Read sources from their stored snapshots instead of the network (the default dataset)."),
    Setting("harvest.delay", float, 2.0, "Seconds between two requests to the same host (or its Crawl-delay)."),
    Setting("harvest.jitter", float, 1.0, "Up to this many random seconds added to the delay."),
    Setting("harvest.allow_private", bool, False,
            "Allow fetching from loopback/private addresses (intranet sources, tests); off guards against SSRF."),
    Setting("harvest.connect_timeout", float, 10.0, "Seconds to establish a connection."),
    Setting("harvest.read_timeout", float, 20.0, "Seconds to wait for the next bytes of a response."),
    Setting("harvest.deadline", float, 60.0, "Total seconds for one document, however the bytes trickle in."),
    Setting("harvest.max_bytes", int, 10_000_000, "Largest decoded document accepted, in bytes."),
    Setting("harvest.retries", int, 3, "Retries on connection errors, 429 and 5xx (with backoff)."),
    Setting("harvest.concurrency", int, 4,
            "Sources harvested at the same time (requests to one host still go one at a time)."),
    Setting("harvest.max_pages", int, 200, "Most pages a listing harvester follows per source."),
    Setting("sparql.timeout", float, 15.0, "Wall-clock seconds for a public SPARQL query."),
    Setting("sparql.page_timeout", float, 5.0, "Wall-clock seconds for the queries behind pages."),
    Setting("sparql.max_query_bytes", int, 65_536, "Largest query text accepted, in bytes."),
    Setting("sparql.max_depth", int, 64, "Deepest bracket nesting accepted in a query."),
    Setting("sparql.max_rows", int, 10_000, "Most rows a SELECT returns (more is truncated, visibly)."),
    Setting("sparql.max_triples", int, 50_000, "Most triples a CONSTRUCT/DESCRIBE returns."),
    Setting("sparql.max_bytes", int, 50_000_000, "Largest result body, in bytes."),
    Setting("sparql.workers", int, 2, "Query worker processes per web worker."),
    Setting("sparql.worker_memory_mb", int, 2048, "Address-space cap per query worker (MiB)."),
    Setting("sparql.queue_wait", float, 5.0, "Seconds a query waits for a free worker before 503."),
    Setting("sparql.per_client_concurrency", int, 2, "Queries in flight per client before 429."),
    Setting("sparql.per_client_budget", float, 30.0, "Worker seconds per client per minute before 429."),
    Setting("catalog.publisher_name", str, "KEP Linked Open Data",
            "Name of the body publishing the catalog and the whole dataset (DCAT dct:publisher, foaf:name)."),
    Setting("catalog.publisher_uri", str, "",
            "IRI of the publishing body; empty: {base_uri}catalog#publisher."),
    Setting("catalog.contact_name", str, "",
            "Name of the contact office (vcard:fn; an office, not a person); empty: the publisher name."),
    Setting("catalog.contact_email", str, "opendata@kep.example.org",
            "E-mail address of the contact office (vcard:hasEmail)."),
    Setting("catalog.contact_url", str, "", "Web page of the contact office (vcard:hasURL); empty: the home page."),
    Setting("catalog.licence", str, "http://dcat-ap.de/def/licenses/cc-by/4.0",
            "Licence IRI of the whole dataset, its dumps, CSV exports and the catalog (per-source files keep "
            "the source's licence)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Section:
    """A settings section; attribute access for its keys."""

    values: Mapping[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass(frozen=True)
class Settings:
    """The validated, frozen settings. Paths are absolute."""

    values: Mapping[str, Any]
    root: Path
    file: Path | None = None
    _sections: dict[str, Section] = field(default_factory=dict, compare=False, repr=False)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        if key in self.values:
            return self.values[key]
        prefix = key + "."
        sub = {k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)}
        if sub:
            return Section(sub)
        raise AttributeError(key)

    def path(self, key: str) -> Path:
        """Absolute path of a ``*_dir`` setting (relative ones are relative to ``root``)."""
        p = Path(self.values[key])
        return p if p.is_absolute() else (self.root / p)

    @property
    def var(self) -> Path:
        return self.path("var_dir")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (dotted names as ``server__port``); values are validated."""
        values = dict(self.values)
        for key, value in changes.items():
            name = key.replace("__", ".")
            values[name] = _coerce(_BY_NAME[name], value, where=f"override {name}")
        _check_values(values, where="override")
        return Settings(values, self.root, self.file)


def _coerce(setting: Setting, value: Any, *, where: str, line: int | None = None) -> Any:
    t = setting.type
    if isinstance(value, str) and t is not str:
        text = value.strip()
        try:
            if t is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError(text)
            return t(text)
        except ValueError:
            raise ConfigError(f"setting '{setting.name}' expects {t.__name__}, got {value!r}",
                              path=where, line=line, key=setting.name) from None
    if t is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, t) or (t is int and isinstance(value, bool)):
        raise ConfigError(f"setting '{setting.name}' expects {t.__name__}, got {type(value).__name__} {value!r}",
                          path=where, line=line, key=setting.name)
    return value


def _check_values(values: Mapping[str, Any], *, where: str) -> None:
    if not str(values["base_uri"]).startswith(("http://", "https://")) or not values["base_uri"].endswith("/"):
        raise ConfigError("setting 'base_uri' must be an http(s) URI ending with '/'", path=where, key="base_uri")
    positive = [s.name for s in SETTINGS if s.type in (int, float) and s.name != "publish.max_shrink"]
    for name in positive:
        if values[name] < 0 or (values[name] == 0 and name not in ("harvest.delay", "harvest.jitter",
                                                                   "harvest.retries")):
            raise ConfigError(f"setting '{name}' must be positive, got {values[name]!r}", path=where, key=name)
    if not 0 <= values["publish.max_shrink"] <= 1:
        raise ConfigError("setting 'publish.max_shrink' must be between 0 and 1", path=where,
                          key="publish.max_shrink")
    if values["publish.keep_snapshots"] < 2:
        raise ConfigError("setting 'publish.keep_snapshots' must be at least 2 (rollback needs one)",
                          path=where, key="publish.keep_snapshots")


def _read_yaml(path: Path) -> dict[str, tuple[Any, int]]:
    """Flatten a settings YAML file to {dotted name: (value, line)}; raises ConfigError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read settings file: {exc.strerror}", path=str(path)) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    if root is None:
        return {}
    out: dict[str, tuple[Any, int]] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise ConfigError(f"'{prefix or 'top level'}' must be a mapping of settings", path=str(path),
                              line=node.start_mark.line + 1, key=prefix or None)
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            line = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode) and key not in _BY_NAME:
                if not any(name.startswith(key + ".") for name in _BY_NAME):
                    raise ConfigError(f"unknown setting '{key}' (see 'lod settings')", path=str(path),
                                      line=line, key=key)
                walk(value_node, key)
                continue
            if key not in _BY_NAME:
                raise ConfigError(f"unknown setting '{key}' (see 'lod settings')", path=str(path), line=line, key=key)
            value = yaml.safe_load(yaml.serialize(value_node))
            out[key] = (value, line)

    walk(root, "")
    return out


def load_settings(file: str | Path | None = None, *, env: Mapping[str, str] | None = None,
                  root: Path | None = None) -> Settings:
    """Build the settings from defaults, an optional YAML file and the environment.

    :param file: settings YAML; ``None`` uses ``$LOD_SETTINGS`` if set.
    :param env: environment to read ``LOD_*`` from (default ``os.environ``).
    :param root: folder relative paths are resolved against (default: the current directory).
    :raises ConfigError: unknown key, wrong type or bad value, naming the file, line and key.
    """
    env = os.environ if env is None else env
    if file is None and env.get("LOD_SETTINGS"):
        file = env["LOD_SETTINGS"]
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    path = Path(file).resolve() if file else None
    if path is not None:
        for name, (value, line) in _read_yaml(path).items():
            values[name] = _coerce(_BY_NAME[name], value, where=str(path), line=line)
        _check_values(values, where=str(path))
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.name] = _coerce(setting, env[setting.env], where=f"environment {setting.env}")
    unknown = sorted(k for k in env if k.startswith("LOD_") and k != "LOD_SETTINGS"
                     and k not in {s.env for s in SETTINGS})
    if unknown:
        raise ConfigError(f"unknown setting in environment: {', '.join(unknown)} (see 'lod settings')",
                          path="environment", key=unknown[0])
    _check_values(values, where=str(path) if path else "settings")
    return Settings(values, (root or Path.cwd()).resolve(), path)


def settings_table_markdown() -> str:
    """The settings documentation as a Markdown table (used by ``lod settings`` and the README)."""
    rows = ["| setting | environment | type | default | meaning |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{s.env}` | {s.type.__name__} | `{s.default!r}` | {s.help} |")
    return "\n".join(rows)
