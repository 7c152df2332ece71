"""``lod bench harvest``: the real harvest pipeline over many curated sources on many simulated hosts.

One curated source per real municipality (AGS from the register ``gemeinden_ags.csv``), each a small record
in the template of ``sources/TEMPLATE.md``: 1–3 partnerships with real foreign places (Wikidata QIDs of the
twin-town data, else a fixed list), a project, every third one a coordinator post. A child process serves the
records from ``hosts`` HTTP servers, each on its own loopback address (127.0.x.y: distinct origins, so the
shared Fetcher keeps one politeness queue per host), and ``source.yaml`` files point at those URLs.
The client runs :func:`lod.pipeline.harvest` (``offline=False``, ``harvest.allow_private=true``, the given
delay, no jitter, robots.txt on, ``harvest.concurrency`` sources at a time) into a fresh ``var/``.

Reported: wall time, the politeness bound (documents per host × delay), client CPU seconds (process CPU over
all threads, :func:`time.process_time`), CPU/wall, sources/s, errors; optionally the time of
:func:`lod.pipeline.validate` and :func:`lod.pipeline.publish` over the staged sources, and a cProfile of a
sequential run (``profile``).
"""

from __future__ import annotations

import cProfile
import io
import multiprocessing as mp
import pstats
import shutil
import statistics
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lod.bench.report import table

__all__ = ["run", "render", "make_records", "write_sources"]

ROOT = Path(__file__).resolve().parents[2]

# Used when the twin-town data (shared/data/twinning) is not there: real places with their Wikidata QIDs.
_FALLBACK_PARTNERS = [("Q3935", "Windhoek", "NAM"), ("Q5465", "Durban", "ZAF"), ("Q90", "Paris", "FRA"),
                      ("Q270", "Warschau", "POL"), ("Q3940", "Moshi", "TZA"), ("Q3894", "Kumasi", "GHA"),
                      ("Q2844", "Quito", "ECU"), ("Q2887", "Santiago de Chile", "CHL"), ("Q1156", "Mumbai", "IND"),
                      ("Q3616", "Teheran", "IRN"), ("Q1489", "Mexiko-Stadt", "MEX"), ("Q1960", "Iaşi", "ROU")]
_KINDS = ["town-twinning", "municipal-partnership", "climate-partnership", "friendship", "project-partnership"]
_FIELDS = ["fair-trade", "climate", "municipal-partnerships", "education-for-sustainable-development",
           "sustainable-urban-development", "civil-society-engagement"]


def _yq(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_records(count: int) -> list[tuple[str, str]]:
    """``count`` curated records, one per municipality of the register (in AGS order): [(ags, YAML text)]."""
    from lod.bench.generate import load_municipalities, load_real_pairs, register_path

    munis = load_municipalities(register_path())[:count]
    real, _ = load_real_pairs(munis)
    pool = sorted({p for ps in real.values() for p in ps if p[2] != "DEU"}) or _FALLBACK_PARTNERS
    out = []
    for i, m in enumerate(munis):
        h = zlib.crc32(m.ags.encode())
        partners = [p for p in real.get(m.ags, []) if p[2] != "DEU"][:3]
        while len(partners) < 1 + h % 3:
            p = pool[(h + 7919 * len(partners)) % len(pool)]
            if p in partners:
                break
            partners.append(p)
        name = m.name.split(",")[0].strip()
        lines = ["# synthetic benchmark record (lod bench harvest), in the template of sources/TEMPLATE.md",
                 "municipality:", f'  ags: "{m.ags}"', f"  name: {_yq(name)}"]
        if i % 3 == 0:
            lines += ["coordination:", "  office: Koordinierungsstelle Kommunale Entwicklungspolitik", "  post:",
                      "    title: Koordination kommunale Entwicklungspolitik", f"    start: {2018 + h % 7}-04",
                      "    funding: kepol", "  sdgs: [17]", f"  fields: [{_FIELDS[h % len(_FIELDS)]}]"]
        lines.append("partnerships:")
        for j, (qid, pname, country) in enumerate(partners):
            lines += [f"  - partner: {{name: {_yq(pname)}, qid: {qid}, country: {country}}}",
                      f"    kind: {_KINDS[(h + j) % len(_KINDS)]}", f"    start: {1960 + (h >> 3) % 60}",
                      "    status: active", f"    sdgs: [{1 + (h + j) % 17}, 17]"]
        qid, pname, _ = partners[0]
        lines += ["projects:", f"  - title: {_yq(f'Schulpartnerschaft {name} – {pname}')}", f"    partner: {qid}",
                  f"    start: {2015 + h % 9}", "    status: active", "    sdgs: [4]",
                  f"    fields: [{_FIELDS[(h >> 5) % len(_FIELDS)]}]"]
        out.append((m.ags, "\n".join(lines) + "\n"))
    return out


def write_sources(folder: Path, records: list[tuple[str, str]], origins: list[str]) -> dict[str, bytes]:
    """Write ``folder/bench-<ags>/source.yaml`` (record i served by origin i mod hosts) plus the register the
    curated kind checks AGS against. :returns: {URL path: body} for the server."""
    shutil.rmtree(folder, ignore_errors=True)
    register = folder / "municipalities" / "snapshots"
    register.mkdir(parents=True)
    from lod.bench.generate import register_path

    shutil.copy(register_path(), register / "gemeinden_ags.csv")   # no source.yaml: not a source itself
    bodies = {}
    for i, (ags, text) in enumerate(records):
        path = f"/kep/{ags}.yaml"
        bodies[path] = text.encode()
        d = folder / f"bench-{ags}"
        d.mkdir()
        (d / "source.yaml").write_text(
            f'title: "Kommunale Entwicklungspolitik – Gemeinde {ags} (synthetische Benchmark-Daten)"\n'
            f'kind: curated\npublisher: {{name: "Gemeinde {ags}", key: "{ags}"}}\n'
            "licence: http://dcat-ap.de/def/licenses/cc-zero\n"
            "description: \"synthetic benchmark data (lod bench harvest)\"\n"
            f"documents:\n  - url: {origins[i % len(origins)]}{path}\n    media_type: text/yaml\n",
            encoding="utf-8")
    return bodies


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            body, ctype, code = b"User-agent: *\nAllow: /\n", "text/plain", 200
        else:
            found = self.server.bodies.get(self.path)  # type: ignore[attr-defined]
            body, ctype, code = (found, "text/yaml; charset=utf-8", 200) if found else (b"not found", "text/plain", 404)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve(addresses: list[str], queue: Any, bodies_queue: Any, stop: Any) -> None:
    servers = []
    for addr in addresses:
        srv = ThreadingHTTPServer((addr, 0), _Handler)
        srv.daemon_threads = True
        srv.bodies = {}  # type: ignore[attr-defined]
        servers.append(srv)
    queue.put([f"http://{a}:{s.server_address[1]}" for a, s in zip(addresses, servers)])
    bodies = bodies_queue.get()
    for s in servers:
        s.bodies = bodies  # type: ignore[attr-defined]
        threading.Thread(target=s.serve_forever, daemon=True).start()
    queue.put("serving")
    stop.wait()
    for s in servers:
        s.shutdown()


def _settings(work: Path, delay: float, concurrency: int) -> Any:
    from lod.settings import load_settings

    var = work / "var"
    shutil.rmtree(var, ignore_errors=True)
    return load_settings(env={"LOD_VAR_DIR": str(var), "LOD_SOURCES_DIR": str(work / "sources"),
                              "LOD_HARVEST_ALLOW_PRIVATE": "true", "LOD_HARVEST_DELAY": str(delay),
                              "LOD_HARVEST_JITTER": "0", "LOD_HARVEST_RETRIES": "0",
                              "LOD_HARVEST_CONCURRENCY": str(concurrency),
                              "LOD_SPARQL_DIR": str(ROOT / "sparql"), "LOD_ONTOLOGY_DIR": str(ROOT / "ontology")},
                         root=ROOT)


def _harvest(work: Path, delay: float, concurrency: int) -> dict[str, Any]:
    from lod import pipeline

    settings = _settings(work, delay, concurrency)
    cpu0, t0 = time.process_time(), time.perf_counter()
    outcomes = pipeline.harvest(settings, offline=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    failed = [o for o in outcomes if not o.ok]
    return {"wall_s": wall, "client_cpu_s": cpu, "harvested": sum(o.status == "harvested" for o in outcomes),
            "triples": sum(o.triples for o in outcomes), "errors": len(failed),
            "first_error": failed[0].error if failed else None, "settings": settings}


def _publish(settings: Any) -> dict[str, Any]:
    from lod import pipeline

    t0 = time.perf_counter()
    verdicts = pipeline.validate(settings)
    t1 = time.perf_counter()
    outcomes, sid = pipeline.publish(settings)
    t2 = time.perf_counter()
    return {"validate_s": t1 - t0, "publish_s": t2 - t1, "invalid": sum(v.status == "invalid" for v in verdicts),
            "published": sum(o.status == "published" for o in outcomes), "snapshot": sid,
            "bulk": sum(o.status == "published" for o in outcomes) >= settings.publish.bulk_sources}


def _profile(work: Path, top: int = 25) -> str:
    """cProfile of a sequential harvest (concurrency 1, no delay) of the sources under ``work``."""
    from lod import pipeline

    settings = _settings(work, 0.0, 1)
    prof = cProfile.Profile()
    prof.enable()
    pipeline.harvest(settings, offline=False)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def run(*, sources: int = 11_000, hosts: int = 200, delay: float = 0.5, concurrency: int | None = None,
        runs: int = 3, warmup: int = 1, publish: bool = False, profile: int = 0,
        work: Path | None = None) -> dict[str, Any]:
    """Generate, serve and harvest ``sources`` curated sources. ``profile``: also profile a sequential harvest of
    that many sources (0: no). :returns: the measurements (see the module docstring)."""
    import tempfile

    concurrency = concurrency or hosts
    records = make_records(sources)
    sources = len(records)
    per_host = -(-sources // hosts)
    addresses = [f"127.0.{1 + h // 250}.{1 + h % 250}" for h in range(hosts)]
    own_tmp = work is None
    work = Path(tempfile.mkdtemp(prefix="lod-bench-harvest-")) if work is None else work
    ctx = mp.get_context("spawn")
    queue, bodies_q, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(addresses, queue, bodies_q, stop), daemon=True)
    proc.start()
    extra: dict[str, Any] = {}
    try:
        origins = queue.get(timeout=60)
        bodies = write_sources(work / "sources", records, origins)
        bodies_q.put(bodies)
        queue.get(timeout=60)
        if profile:
            write_sources(work / "profile-sources", records[:profile], origins)
            text = _profile_dir(work, "profile-sources")
            extra["profile"] = {"sources": min(profile, sources), "top": text}
        for _ in range(warmup):
            _harvest(work, 0.0, concurrency)
        samples = [_harvest(work, delay, concurrency) for _ in range(max(1, runs))]
        med = sorted(samples, key=lambda s: s["wall_s"])[len(samples) // 2]
        if publish:
            extra["publish"] = _publish(samples[-1]["settings"])
    finally:
        stop.set()
        proc.join(10)
        if proc.is_alive():
            proc.terminate()
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    walls = [s["wall_s"] for s in samples]
    bound = (per_host - 1) * delay * (-(-hosts // concurrency) if concurrency < hosts else 1)
    return {"sources": sources, "hosts": hosts, "documents_per_host": per_host, "delay_s": delay,
            "concurrency": concurrency, "mapping": "lod.pipeline.harvest, kind curated",
            "wall_s": {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "runs": len(walls)},
            "politeness_bound_s": bound, "client_cpu_s": med["client_cpu_s"],
            "cpu_share_of_wall": med["client_cpu_s"] / med["wall_s"], "sources_per_s": sources / med["wall_s"],
            "errors": med["errors"], "first_error": med["first_error"], "harvested": med["harvested"],
            "triples": med["triples"], **extra}


def _profile_dir(work: Path, name: str) -> str:
    sub = work / "profile"
    sub.mkdir(exist_ok=True)
    if (sub / "sources").exists() or (sub / "sources").is_symlink():
        (sub / "sources").unlink() if (sub / "sources").is_symlink() else shutil.rmtree(sub / "sources")
    (sub / "sources").symlink_to(work / name)
    return _profile(sub)


def render(res: dict[str, Any]) -> str:
    w = res["wall_s"]
    rows = [[res["sources"], res["hosts"], res["documents_per_host"], res["delay_s"], res["concurrency"], w["median"],
             f"{w['min']:.3g}–{w['max']:.3g}", res["politeness_bound_s"], res["client_cpu_s"],
             f"{res['cpu_share_of_wall']:.0%}", res["sources_per_s"], res["errors"]]]
    text = (f"harvest ({res['mapping']})\n"
            + table(["sources", "hosts", "docs/host", "delay s", "concurrency", "wall s", "min–max s",
                     "politeness bound s", "client CPU s", "CPU/wall", "sources/s", "errors"], rows))
    if res.get("first_error"):
        text += f"\nfirst error: {res['first_error']}\n"
    if "publish" in res:
        p = res["publish"]
        text += (f"\nvalidate {p['validate_s']:.1f} s, publish {p['publish_s']:.1f} s "
                 f"({p['published']} published{' via the bulk loader' if p['bulk'] else ''}, {p['invalid']} invalid)\n")
    if "profile" in res:
        text += f"\ncProfile of a sequential harvest of {res['profile']['sources']} sources:\n{res['profile']['top']}"
    return text
