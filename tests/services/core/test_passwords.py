"""argon2id password hashes: verify, refuse, missing hashes, and rehash on stronger settings."""

from __future__ import annotations

from services.core.passwords import Passwords

FAST = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}


def test_a_hash_is_argon2id_and_verifies_only_its_password() -> None:
    passwords = Passwords(**FAST)
    stored = passwords.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapler")
    assert passwords.hash("same") != passwords.hash("same")  # salted


def test_a_missing_or_broken_hash_fails_without_raising() -> None:
    passwords = Passwords(**FAST)
    assert not passwords.verify(None, "lyceum-timing-equaliser")
    assert not passwords.verify("", "anything")
    assert not passwords.verify("not-a-hash", "anything")
    assert not passwords.verify("$argon2id$v=19$m=8,t=1,p=1$broken", "anything")


def test_hashes_made_with_weaker_settings_need_a_rehash() -> None:
    weak, strong = Passwords(**FAST), Passwords(time_cost=2, memory_kib=16, parallelism=1)
    old = weak.hash("pw")
    assert strong.verify(old, "pw")
    assert strong.needs_rehash(old)
    assert not strong.needs_rehash(strong.hash("pw"))
