from __future__ import annotations

from pathlib import Path

import pytest

from lod.errors import ConfigError
from lod.settings import SETTINGS, load_settings, settings_table_markdown

DATA = Path(__file__).parent / "data" / "settings"
ROOT = Path(__file__).parent.parent


def test_defaults_cover_every_setting() -> None:
    s = load_settings(env={})
    assert s.server.port == 8080 and s.server.host == "127.0.0.1"
    assert s.publish.keep_snapshots == 3
    assert set(s.values) == {x.name for x in SETTINGS}


def test_file_overrides_defaults() -> None:
    s = load_settings(DATA / "good.yaml", env={})
    assert s.base_uri == "https://data.example.de/"
    assert s.server.port == 9001 and s.publish.keep_snapshots == 4
    assert s.server.workers == 2  # untouched default


def test_unknown_key_names_file_line_and_key() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(DATA / "unknown-key.yaml", env={})
    assert "unknown-key.yaml:4:" in err.value.message
    assert "server.wrokers" in err.value.message
    assert err.value.exit_code == 2


def test_wrong_type_names_key_and_expected_type() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(DATA / "wrong-type.yaml", env={})
    assert "wrong-type.yaml:2:" in err.value.message
    assert "server.port" in err.value.message and "expects int" in err.value.message


def test_broken_yaml_names_line() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(DATA / "broken.yaml", env={})
    assert "broken.yaml:" in err.value.message and "not valid YAML" in err.value.message


def test_environment_overrides_file() -> None:
    s = load_settings(DATA / "good.yaml", env={"LOD_SERVER_PORT": "9100", "LOD_HARVEST_OFFLINE": "false"})
    assert s.server.port == 9100 and s.harvest.offline is False


def test_unknown_environment_setting_is_an_error() -> None:
    with pytest.raises(ConfigError, match="LOD_SERVER_PROT"):
        load_settings(env={"LOD_SERVER_PROT": "1"})


@pytest.mark.parametrize("env,needle", [
    ({"LOD_BASE_URI": "https://x.example/no-slash"}, "base_uri"),
    ({"LOD_PUBLISH_KEEP_SNAPSHOTS": "1"}, "keep_snapshots"),
    ({"LOD_SERVER_WORKERS": "0"}, "server.workers"),
])
def test_bad_values_are_rejected(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_settings(env=env)


def test_every_setting_is_documented_in_table_and_readme() -> None:
    table = settings_table_markdown()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`{s.name}`" in table and s.help
        assert f"`{s.name}`" in readme, f"README does not document setting {s.name} (run: lod settings)"
