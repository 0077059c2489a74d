"""The handles one app process owns: opened from the settings without creating anything,
keyed hashes from the instance's token key, the audit anchor in the instance folder, and a
close that stops taking work."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.analytics.clickhouse import ClickHouse
from data.metadata.audit_anchor import ANCHOR_FILE
from lyceum.settings import Settings, load_settings
from services.access.accounts import create_user
from services.core.runtime import Runtime
from tests.conftest import engine_env


def _settings(root: Path, ch: ClickHouse, **env: str) -> Settings:
    instance = root / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return load_settings({"LYCEUM_INSTANCE": str(instance), "LYCEUM_DEMO": "off",
                          "LYCEUM_ARGON2_TIME_COST": "1", **engine_env(ch), **env})


def test_open_connects_to_what_the_settings_name_and_creates_nothing(
        tmp_path: Path, ch: ClickHouse) -> None:
    settings = _settings(tmp_path, ch, LYCEUM_DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    runtime = Runtime.open(settings)
    try:
        assert runtime.ch.bundled == settings.bundled_engine and runtime.ch.ping()
        assert not (tmp_path / "m.db").exists() or (tmp_path / "m.db").stat().st_size == 0
        assert runtime.db.audit_anchor is not None
        assert runtime.db.audit_anchor.path == settings.instance_path / ANCHOR_FILE
    finally:
        runtime.close()
    with pytest.raises(RuntimeError):
        runtime.pools.submit("exports", lambda: None, cluster_id=None)


def test_keyed_hashes_follow_the_instance_token_key(tmp_path: Path, ch: ClickHouse,
                                                    runtime: Runtime) -> None:
    same = Runtime(settings=runtime.settings, db=runtime.db, ch=ch, passwords=runtime.passwords)
    assert same.keys.digest("token") == runtime.keys.digest("token")
    other_settings = _settings(tmp_path / "other", ch)
    assert other_settings.token_key != runtime.settings.token_key
    other = Runtime(settings=other_settings, db=runtime.db, ch=ch, passwords=runtime.passwords)
    assert other.keys.digest("token") != runtime.keys.digest("token")
    assert same.caches is not runtime.caches


def test_the_audit_chain_is_anchored_in_the_instance_folder(runtime: Runtime) -> None:
    anchor = runtime.settings.instance_path / ANCHOR_FILE
    create_user(runtime.db, runtime.passwords, email="ada@example.com",
                password="long enough password")
    assert anchor.exists() and anchor.read_text(encoding="utf-8").strip()
