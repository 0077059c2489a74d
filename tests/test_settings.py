"""Settings refuse missing and default secrets and generate one on first run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from lyceum.errors import ConfigError
from lyceum.settings import (
    MIN_FREE_THREADS,
    HostCeilings,
    PoolSizes,
    load_settings,
    machine_memory_bytes,
)


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
    assert settings.clickhouse_dsn == "" and settings.bundled_engine
    key = (instance_path / "engine_key").read_text().strip()
    assert settings.clickhouse_url == f"http://lyceum_app:{key}@127.0.0.1:8123"
    assert settings.clickhouse_root == instance_path / "clickhouse"
    assert (settings.host, settings.port) == ("127.0.0.1", 8050)
    assert settings.engine_managed


def test_a_server_dsn_replaces_the_bundled_engine(instance_path: Path) -> None:
    dsn = "https://reader:pw@ch.example.com:8443"
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path),
                              "LYCEUM_CLICKHOUSE_DSN": f" {dsn} ", "LYCEUM_ENGINE_MANAGED": "off"})
    assert settings.clickhouse_url == dsn and not settings.bundled_engine
    assert not settings.engine_managed
    with pytest.raises(ConfigError, match="LYCEUM_ENGINE_MANAGED"):
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_ENGINE_MANAGED": "maybe"})


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


def test_server_threads_pools_and_ceilings_have_machine_defaults(instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path)})
    assert settings.threads == 20
    assert settings.pools == PoolSizes()
    assert settings.threads >= settings.pools.waiting_requests() + MIN_FREE_THREADS
    assert settings.ceilings == HostCeilings(
        max_execution_time=300, max_threads=os.cpu_count() or 1,
        max_memory_usage=max(1024**3, machine_memory_bytes() // 4 // 1024**3 * 1024**3),
        query_nice=10)
    assert settings.ceilings.max_memory_usage % 1024**3 == 0  # what the console's field shows
    assert settings.max_decompressed_bytes == 2048 * 1024**2


def test_threads_pools_and_ceilings_come_from_the_environment(instance_path: Path) -> None:
    settings = load_settings({
        "LYCEUM_INSTANCE": str(instance_path), "LYCEUM_THREADS": "40",
        "LYCEUM_POOL_GATEWAY": "8", "LYCEUM_POOL_QUEUE": "3", "LYCEUM_CLUSTER_CONCURRENCY": "1",
        "LYCEUM_HOST_MAX_EXECUTION_S": "45", "LYCEUM_HOST_MAX_MEMORY_GB": "3",
        "LYCEUM_HOST_MAX_THREADS": "2", "LYCEUM_MAX_DECOMPRESSED_MB": "64"})
    assert settings.threads == 40
    assert (settings.pools.gateway, settings.pools.queue, settings.pools.per_cluster) == (8, 3, 1)
    assert settings.ceilings.as_settings() == {"max_execution_time": 45,
                                               "max_memory_usage": 3 * 1024**3,
                                               "max_threads": 2}
    assert settings.max_decompressed_bytes == 64 * 1024**2


def test_too_few_threads_for_the_pools_refuse_to_start(instance_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_THREADS": "8"})
    assert caught.value.user_message == (
        "LYCEUM_THREADS is 8, but the work pools can keep 16 requests waiting; use at least "
        "20 threads so 4 always serve pages (or make the pools smaller).")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("LYCEUM_THREADS", "many", "LYCEUM_THREADS must be a whole number; got 'many'."),
    ("LYCEUM_POOL_GATEWAY", "0", "LYCEUM_POOL_GATEWAY must be at least 1; got 0."),
    ("LYCEUM_HOST_MAX_MEMORY_GB", "-2", "LYCEUM_HOST_MAX_MEMORY_GB must be at least 1; got -2."),
    ("LYCEUM_QUERY_NICE", "20", "LYCEUM_QUERY_NICE must be a whole number from 0 to 19; got '20'."),
    ("LYCEUM_QUERY_NICE", "-5", "LYCEUM_QUERY_NICE must be a whole number from 0 to 19; got '-5'."),
])
def test_bad_pool_and_ceiling_values_are_named(instance_path: Path, name: str, value: str,
                                               message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LYCEUM_INSTANCE": str(instance_path), name: value})
    assert caught.value.user_message == message


@pytest.mark.parametrize(("name", "value", "message"), [
    ("LYCEUM_PORT", "http", "LYCEUM_PORT must be a whole number from 1 to 65535; got 'http'."),
    ("LYCEUM_PORT", "70000", "LYCEUM_PORT must be a whole number from 1 to 65535; got '70000'."),
    ("LYCEUM_PORT", "0", "LYCEUM_PORT must be a whole number from 1 to 65535; got '0'."),
    ("LYCEUM_SMTP_PORT", "25.5",
     "LYCEUM_SMTP_PORT must be a whole number from 1 to 65535; got '25.5'."),
    ("LYCEUM_ARGON2_TIME_COST", "three",
     "LYCEUM_ARGON2_TIME_COST must be a whole number; got 'three'."),
    ("LYCEUM_ARGON2_TIME_COST", "0", "LYCEUM_ARGON2_TIME_COST must be at least 1; got 0."),
    ("LYCEUM_ARGON2_MEMORY_KIB", "64k",
     "LYCEUM_ARGON2_MEMORY_KIB must be a whole number; got '64k'."),
    ("LYCEUM_ARGON2_MEMORY_KIB", "8", "LYCEUM_ARGON2_MEMORY_KIB must be at least 16; got 8."),
    ("LYCEUM_DASHBOARD_REFRESH_S", "30s",
     "LYCEUM_DASHBOARD_REFRESH_S must be a whole number; got '30s'."),
    ("LYCEUM_DASHBOARD_REFRESH_S", "0", "LYCEUM_DASHBOARD_REFRESH_S must be at least 1; got 0."),
    ("LYCEUM_MAX_DECOMPRESSED_MB", "2G",
     "LYCEUM_MAX_DECOMPRESSED_MB must be a whole number; got '2G'."),
])
def test_bad_numbers_are_named_with_their_value(instance_path: Path, name: str, value: str,
                                                message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LYCEUM_INSTANCE": str(instance_path), name: value})
    assert caught.value.user_message == message


@pytest.mark.parametrize("name", ["LYCEUM_SECURE_COOKIES", "LYCEUM_SMTP_STARTTLS",
                                  "LYCEUM_EXPLORER_PARTIALS"])
@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_bad_switches_are_named_with_their_value(instance_path: Path, name: str,
                                                 value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LYCEUM_INSTANCE": str(instance_path), name: value})
    assert caught.value.user_message == (
        f"{name} must be one of 1, true, yes, on (on) or 0, false, no, off (off); "
        f"got {value!r}.")


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), ("TRUE", True), (" yes ", True), ("On", True),
    ("0", False), ("false", False), ("No", False), ("OFF", False), ("", None),
])
def test_switches_read_every_spelling_and_default_when_blank(instance_path: Path, value: str,
                                                             expected: bool | None) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path),
                              "LYCEUM_SECURE_COOKIES": value, "LYCEUM_SMTP_STARTTLS": value,
                              "LYCEUM_EXPLORER_PARTIALS": value})
    assert settings.secure_cookies is (False if expected is None else expected)
    assert settings.smtp_starttls is (True if expected is None else expected)
    assert settings.explorer_partials is (True if expected is None else expected)


def test_numbers_come_from_the_environment_and_default_when_blank(instance_path: Path) -> None:
    settings = load_settings({
        "LYCEUM_INSTANCE": str(instance_path), "LYCEUM_PORT": " 9000 ",
        "LYCEUM_SMTP_PORT": "2525", "LYCEUM_ARGON2_TIME_COST": "1",
        "LYCEUM_ARGON2_MEMORY_KIB": "8192", "LYCEUM_DASHBOARD_REFRESH_S": "5",
        "LYCEUM_QUERY_NICE": "0"})
    assert (settings.port, settings.smtp_port) == (9000, 2525)
    assert (settings.argon2_time_cost, settings.argon2_memory_kib) == (1, 8192)
    assert (settings.dashboard_refresh_s, settings.ceilings.query_nice) == (5, 0)
    blank = load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_PORT": "",
                           "LYCEUM_SMTP_PORT": "", "LYCEUM_DASHBOARD_REFRESH_S": ""})
    assert (blank.port, blank.smtp_port, blank.dashboard_refresh_s) == (8050, 587, 30)


def test_engine_and_worker_settings_have_defaults_and_refuse_bad_values(tmp_path: Path) -> None:
    env = {"LYCEUM_INSTANCE": str(tmp_path)}
    settings = load_settings(env)
    assert (settings.engine_host, settings.engine_port) == ("127.0.0.1", 8123)
    assert settings.engine_public_url == "http://127.0.0.1:8123"
    assert settings.workers == (os.cpu_count() or 1)
    custom = load_settings({**env, "LYCEUM_ENGINE_PORT": "9000", "LYCEUM_WORKERS": "4",
                            "LYCEUM_ENGINE_PUBLIC_URL": "https://ch.example.com:8443/"})
    assert (custom.engine_port, custom.workers) == (9000, 4)
    assert custom.engine_public_url == "https://ch.example.com:8443"
    for name, value in (("LYCEUM_ENGINE_PORT", "70000"), ("LYCEUM_WORKERS", "0"),
                        ("LYCEUM_WORKERS", "many")):
        with pytest.raises(ConfigError, match=name):
            load_settings({**env, name: value})


def test_the_engine_key_is_generated_private_or_read_from_the_environment(
        instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path)})
    key_file = instance_path / "engine_key"
    assert key_file.read_text().strip() == settings.engine_key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert settings.engine_key not in (settings.token_key, settings.secret_key)
    given = "e" * 40
    assert load_settings({"LYCEUM_INSTANCE": str(instance_path),
                          "LYCEUM_ENGINE_KEY": given}).engine_key == given
    with pytest.raises(ConfigError, match="engine key is missing or shorter"):
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_ENGINE_KEY": "short"})


def test_engine_bounds_come_from_the_environment(instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path),
                              "LYCEUM_ENGINE_THREADS": "8",
                              "LYCEUM_ENGINE_CLUSTER_QUERIES": "2"})
    assert (settings.engine_threads, settings.engine_cluster_queries) == (8, 2)
    with pytest.raises(ConfigError, match="LYCEUM_ENGINE_THREADS"):
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_ENGINE_THREADS": "0"})


def test_shift_starts_default_and_parse() -> None:
    from lyceum.settings import shift_starts

    assert shift_starts({}) == (360, 840, 1320)
    assert shift_starts({"LYCEUM_SHIFT_STARTS": "05:30, 17:30"}) == (330, 1050)


@pytest.mark.parametrize("value", ["6", "25:00", "06:00,06:00", "14:00,06:00", "06:5"])
def test_bad_shift_starts_refuse_to_start(value: str) -> None:
    from lyceum.settings import ConfigError, shift_starts

    with pytest.raises(ConfigError, match="LYCEUM_SHIFT_STARTS"):
        shift_starts({"LYCEUM_SHIFT_STARTS": value})
