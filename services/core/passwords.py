"""Password hashing with argon2id; parameters come from settings so they can rise over time."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: A valid hash of a random password, verified against when the user does not exist so that
#: "unknown user" and "wrong password" take the same time.
_DUMMY_PASSWORD = "lyceum-timing-equaliser"


class Passwords:
    """Hash and verify passwords with argon2id."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536,
                 parallelism: int = 2) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                      parallelism=parallelism, type=Type.ID)
        self._dummy = self._hasher.hash(_DUMMY_PASSWORD)

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True if ``password`` matches; a missing hash costs the same time and fails."""
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and bool(stored_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True if the hash was made with weaker parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored_hash)
