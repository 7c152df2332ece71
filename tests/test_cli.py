"""The CLI: every stage has a --help with an example; exit codes separate success, failure and user error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.settings import Settings
from tests.conftest import lod_env

COMMANDS = ["harvest", "validate", "publish", "build", "serve", "query", "status", "rollback", "settings"]


def run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=lod_env(settings), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, result.output


def test_pipeline_through_the_cli(mini_settings: Settings) -> None:
    code, out = run(mini_settings, "harvest")
    assert code == 0 and "alpha" in out and "harvested" in out
    code, out = run(mini_settings, "validate")
    assert code == 0 and "valid" in out
    code, out = run(mini_settings, "publish")
    assert code == 0 and "snapshot:" in out
    code, out = run(mini_settings, "status", "--json")
    data = json.loads(out)
    assert code == 0 and data["current_snapshot"]
    assert {r["source"]: r["triples"] > 0 for r in data["sources"]} == {"alpha": True, "beta": True}


def test_query_formats(mini_settings: Settings) -> None:
    run(mini_settings, "build")
    q = ("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
         'FILTER(STRSTARTS(STR(?s), "https://kep.example.org/id/thing/")) } ORDER BY ?l')
    code, out = run(mini_settings, "query", q)
    assert code == 0 and "Alpha eins" in out and "rows)" in out
    code, out = run(mini_settings, "query", q, "--format", "json")
    assert code == 0 and json.loads(out)["results"]["bindings"][0]["l"]["value"] == "Alpha eins"
    code, out = run(mini_settings, "query", q, "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "l"
    code, out = run(mini_settings, "query", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2", "--format", "ntriples")
    assert code == 0 and out.count(" .\n") == 2


def test_query_syntax_error_is_user_error(mini_settings: Settings) -> None:
    run(mini_settings, "build")
    code, out = run(mini_settings, "query", "SELEKT * WHERE {}")
    assert code == 2 and "syntax error" in out


def test_failed_source_exits_1_and_names_it(mini_settings: Settings, mini_sources: Path) -> None:
    (mini_sources / "alpha" / "snapshots" / "data.ttl").write_text("not turtle at all <<<")
    code, out = run(mini_settings, "build")
    assert code == 1 and "alpha" in out and "failed" in out


def test_broken_source_file_exits_2_naming_file_and_line(mini_settings: Settings, mini_sources: Path) -> None:
    path = mini_sources / "beta" / "source.yaml"
    path.write_text(path.read_text().replace("kind: rdf", "kind: rdf\nkinde: oops"))
    code, out = run(mini_settings, "harvest")
    assert code == 2
    assert f"{path}:3: unknown key 'kinde'" in out


def test_broken_settings_file_exits_2(mini_settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("server:\n  prot: 1\n")
    result = CliRunner().invoke(cli, ["--settings", str(bad), "status"], env=lod_env(mini_settings))
    assert result.exit_code == 2
    assert f"{bad}:2: unknown setting 'server.prot'" in result.output


def test_rollback_without_history_is_an_error(mini_settings: Settings) -> None:
    run(mini_settings, "build")
    code, out = run(mini_settings, "rollback")
    assert code == 1 and "no earlier snapshot" in out
