"""Settings refuse missing and default secrets and generate one on first run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lyceum.errors import ConfigError
from lyceum.settings import load_settings


def test_first_run_generates_a_private_secret(instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path)})
    secret_file = instance_path / "secret_key"
    assert secret_file.read_text().strip() == settings.secret_key
    assert len(settings.secret_key) >= 32
    assert secret_file.stat().st_mode & 0o777 == 0o600
    again = load_settings({"LYCEUM_INSTANCE": str(instance_path)})
    assert again.secret_key == settings.secret_key


@pytest.mark.parametrize("secret", ["", "changeme", "dev", "secret", "short-but-not-default"])
def test_missing_default_or_short_secret_refuses_to_start(instance_path: Path,
                                                           secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_SECRET_KEY": secret})
    assert "refusing to start" in caught.value.user_message


def test_missing_secret_without_generation_refuses(instance_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings({"LYCEUM_INSTANCE": str(instance_path)}, generate_secret=False)


def test_defaults_live_in_the_instance_folder(instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path)})
    assert settings.database_url == f"sqlite:///{instance_path / 'lyceum.db'}"
    assert settings.clickhouse_dsn == f"chdb://{instance_path / 'clickhouse' / 'data'}"
    assert settings.embedded_clickhouse
    assert (settings.host, settings.port) == ("127.0.0.1", 8050)


def test_bad_demo_size_is_named(instance_path: Path) -> None:
    with pytest.raises(ConfigError, match="LYCEUM_DEMO"):
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_DEMO": "huge"})


def test_trusted_proxies_default_to_none_and_parse_hops_or_addresses(tmp_path: Path) -> None:
    base = {"LYCEUM_INSTANCE": str(tmp_path), "LYCEUM_SECRET_KEY": "k" * 40}
    assert not load_settings(base).trusted_proxies.configured
    assert not load_settings({**base, "LYCEUM_TRUSTED_PROXIES": "0"}).trusted_proxies.configured
    assert load_settings({**base, "LYCEUM_TRUSTED_PROXIES": "2"}).trusted_proxies.hops == 2
    listed = load_settings({**base, "LYCEUM_TRUSTED_PROXIES": "10.0.0.5, fd00::/8"})
    assert [str(n) for n in listed.trusted_proxies.networks] == ["10.0.0.5/32", "fd00::/8"]


@pytest.mark.parametrize(("value", "message"), [
    ("11", "LYCEUM_TRUSTED_PROXIES is a hop count of 0 to 10"),
    ("proxy.example", "'proxy.example' is neither an address nor a network"),
    ("10.0.0.1, ", "'' is neither an address nor a network"),
])
def test_bad_trusted_proxies_refuse_to_start(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings({"LYCEUM_INSTANCE": str(tmp_path), "LYCEUM_SECRET_KEY": "k" * 40,
                       "LYCEUM_TRUSTED_PROXIES": value})
