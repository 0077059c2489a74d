"""Keyed hashes of high-entropy secrets: fast, keyed, constant-time, old forms still verify."""

from __future__ import annotations

import hashlib
import hmac
import statistics
import time
from pathlib import Path

import pytest

from lyceum import instance_secrets
from lyceum.errors import ConfigError
from lyceum.instance_secrets import CREDENTIAL_PREFIX, InstanceSecrets, SealError
from lyceum.settings import load_settings
from services.core.passwords import Passwords

KEY = "k" * 64
SECRET = "q7Jx0F3r2u7V0hY6oU6G2kqWk0cX2dV3yX9j4s1oQnE"


@pytest.fixture
def keys() -> InstanceSecrets:
    return InstanceSecrets(KEY)


def test_first_start_creates_a_private_token_key(instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path)})
    key_file = instance_path / "token_key"
    assert key_file.read_text().strip() == settings.token_key
    assert len(settings.token_key) >= 32 and settings.token_key != settings.secret_key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert load_settings({"LYCEUM_INSTANCE": str(instance_path)}).token_key == settings.token_key


@pytest.mark.parametrize("key", ["", "changeme", "too-short-for-a-key"])
def test_a_missing_or_short_token_key_refuses_to_start(instance_path: Path, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LYCEUM_INSTANCE": str(instance_path), "LYCEUM_TOKEN_KEY": key})
    assert caught.value.user_message == ("The token key is missing or shorter than 32 "
                                         "characters; refusing to start.")
    assert not (instance_path / "token_key").exists()


def test_digests_are_keyed(keys: InstanceSecrets) -> None:
    other = InstanceSecrets("o" * 64)
    assert len(keys.digest(SECRET)) == 64
    assert keys.digest(SECRET) == keys.digest(SECRET) != other.digest(SECRET)
    assert keys.digest(SECRET) != hashlib.sha256(SECRET.encode()).hexdigest()
    assert keys.legacy_digest(SECRET) == hashlib.sha256(SECRET.encode()).hexdigest()
    with pytest.raises(ValueError, match="at least 32"):
        InstanceSecrets("short")


def test_a_credential_verifies_in_under_a_millisecond(keys: InstanceSecrets) -> None:
    stored = keys.hash_credential(SECRET)
    assert stored.startswith(CREDENTIAL_PREFIX) and SECRET not in stored
    # The thread's CPU time, not the wall clock: on a loaded machine one call in 150 was
    # put off the CPU for 16 ms, which says nothing of the hash (argon2 would take tens of
    # ms of CPU every call).
    timings = []
    for _ in range(200):
        began = time.thread_time()
        assert keys.verify_credential(stored, SECRET)
        timings.append(time.thread_time() - began)
    assert statistics.median(timings) < 0.001
    assert max(timings[50:]) < 0.005


def test_wrong_secrets_fail_through_a_constant_time_compare(
        keys: InstanceSecrets, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(instance_secrets.hmac, "compare_digest", compare)
    stored = keys.hash_credential(SECRET)
    for wrong in (SECRET + "x", SECRET[:-1], "", SECRET.upper()):
        assert not keys.verify_credential(stored, wrong)
    assert not keys.verify_credential(None, SECRET)  # no credential: still one compare
    assert not keys.verify_credential("garbage", SECRET)
    assert not InstanceSecrets("o" * 64).verify_credential(stored, SECRET)
    assert len(compared) == 7
    assert all(len(a) == len(b) for a, b in compared)


def test_an_argon2_credential_of_before_still_verifies_the_old_way(
        keys: InstanceSecrets) -> None:
    passwords = Passwords(time_cost=1, memory_kib=8192, parallelism=1)
    stored = passwords.hash(SECRET)
    assert stored.startswith("$argon2id$") and keys.needs_upgrade(stored)
    assert keys.verify_credential(stored, SECRET, legacy=passwords.verify)
    assert not keys.verify_credential(stored, SECRET + "x", legacy=passwords.verify)
    assert not keys.verify_credential(stored, SECRET)  # no verifier given: refused
    assert not keys.needs_upgrade(keys.hash_credential(SECRET))


def test_find_upgrades_a_legacy_digest_on_use(keys: InstanceSecrets) -> None:
    rows = {keys.legacy_digest(SECRET): {"name": "old"}}
    upgraded: list[str] = []

    def upgrade(row: dict[str, str], digest: str) -> None:
        upgraded.append(digest)

    assert keys.find(SECRET, rows.get, upgrade=upgrade) == {"name": "old"}
    assert upgraded == [keys.digest(SECRET)]
    assert keys.find(SECRET + "x", rows.get, upgrade=upgrade) is None
    assert upgraded == [keys.digest(SECRET)]


def test_sealed_secrets_open_only_with_the_key_and_context(keys: InstanceSecrets) -> None:
    blob = keys.seal(SECRET, context="cluster:1")
    assert SECRET not in blob and keys.seal(SECRET, context="cluster:1") != blob
    assert keys.unseal(blob, context="cluster:1") == SECRET
    for opener, context in ((keys, "cluster:2"), (InstanceSecrets("o" * 64), "cluster:1")):
        with pytest.raises(SealError):
            opener.unseal(blob, context=context)
    tampered = blob[:-4] + ("AAAA" if not blob.endswith("AAAA") else "BBBB")
    with pytest.raises(SealError):
        keys.unseal(tampered, context="cluster:1")
