"""Keyed hashing and sealing of high-entropy secrets under the instance folder's token key.

Cluster credentials, API tokens, invitation links and session tokens are 256-bit random
values: a slow password hash (argon2) adds nothing against guessing them and costs every
request (and every failed attempt) tens of milliseconds. They are stored as HMAC-SHA256 under
a key that lives only in the instance folder (``token_key``), so a copy of the metadata
database alone does not even allow checking a guess. Passwords keep argon2id.

Two stored forms:

* lookup digests (tokens, invitations, sessions): 64 hex characters, found by equality;
  rows written before this key existed hold a plain SHA-256 (:meth:`legacy_digest`), which
  callers try second and upgrade on use. The database compares digests, not secrets: without
  the key, how long a comparison takes tells nothing about which secret would match;
* credential hashes (one per cluster): ``hmac-sha256$<hex>``, checked with a constant-time
  compare; an older ``$argon2…`` hash is recognised by its prefix and checked the old way.

:class:`InstanceSecrets` also seals short secrets (AES-256-GCM, a sub-key derived from the
same key) for the time they must wait, server-side, for a person to save them.

This module imports nothing of ours, so ``data`` and ``services`` may both use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CREDENTIAL_PREFIX = "hmac-sha256$"
ARGON2_PREFIX = "$argon2"
_NONCE_BYTES = 12
Row = TypeVar("Row")


class SealError(ValueError):
    """A sealed secret could not be opened: another key, another context, or tampered with."""


class InstanceSecrets:
    """HMAC-SHA256 digests and AES-GCM sealing under one instance key."""

    def __init__(self, key: str | bytes) -> None:
        raw = key.encode() if isinstance(key, str) else bytes(key)
        if len(raw) < 32:
            raise ValueError("The token key must be at least 32 bytes long.")
        self._mac_key = hmac.new(raw, b"lyceum token digest v1", hashlib.sha256).digest()
        self._seal_key = hmac.new(raw, b"lyceum secret sealing v1", hashlib.sha256).digest()
        self._dummy = self._mac(b"lyceum-timing-equaliser")

    def _mac(self, data: bytes) -> str:
        return hmac.new(self._mac_key, data, hashlib.sha256).hexdigest()

    def digest(self, raw: str) -> str:
        """The keyed lookup digest of a token (64 hex characters)."""
        return self._mac(raw.encode())

    @staticmethod
    def legacy_digest(raw: str) -> str:
        """The plain SHA-256 digest tokens were stored as before the token key existed."""
        return hashlib.sha256(raw.encode()).hexdigest()

    def lookup_digests(self, raw: str) -> tuple[str, str]:
        """The digests to look ``raw`` up by, current form first."""
        return self.digest(raw), self.legacy_digest(raw)

    def find(self, raw: str, lookup: Callable[[str], Row | None], *,
             upgrade: Callable[[Row, str], None]) -> Row | None:
        """The row ``lookup`` finds for token ``raw``: by its keyed digest, else by its legacy
        digest, in which case ``upgrade(row, digest)`` stores the keyed digest instead."""
        current, legacy = self.lookup_digests(raw)
        row = lookup(current)
        if row is None:
            row = lookup(legacy)
            if row is not None:
                upgrade(row, current)
        return row

    def hash_credential(self, secret: str) -> str:
        """The stored form of a cluster credential: ``hmac-sha256$<hex>``."""
        return CREDENTIAL_PREFIX + self._mac(secret.encode())

    def verify_credential(self, stored: str | None, secret: str, *,
                          legacy: Callable[[str, str], bool] | None = None) -> bool:
        """True if ``secret`` matches the stored credential hash.

        A current hash is compared in constant time; an ``$argon2…`` hash (written before the
        token key existed) is checked with ``legacy`` (the password verifier); a missing or
        unknown hash costs one HMAC and fails.
        """
        if stored and stored.startswith(ARGON2_PREFIX):
            return legacy is not None and legacy(stored, secret)
        expected = stored if stored and stored.startswith(CREDENTIAL_PREFIX) else None
        computed = self.hash_credential(secret)
        same = hmac.compare_digest((expected or CREDENTIAL_PREFIX + self._dummy).encode(),
                                   computed.encode())
        return same and expected is not None

    @staticmethod
    def needs_upgrade(stored: str | None) -> bool:
        """True if a credential hash is of an older form (argon2) and should be rewritten."""
        return bool(stored) and not str(stored).startswith(CREDENTIAL_PREFIX)

    def seal(self, plaintext: str, *, context: str) -> str:
        """``plaintext`` encrypted and authenticated, bound to ``context`` (base64 text)."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self._seal_key).encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, blob: str, *, context: str) -> str:
        """The plaintext of :meth:`seal`; :class:`SealError` if it was not sealed for
        ``context`` under this key, or was changed."""
        try:
            raw = base64.urlsafe_b64decode(blob.encode())
            nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
            return AESGCM(self._seal_key).decrypt(nonce, sealed, context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealError("The sealed secret cannot be opened with this instance's key.") \
                from exc
