"""Password and client-secret hashing with argon2 (off the event loop: hashing is deliberately slow)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A hash to verify against when the account does not exist, so timing does not reveal usernames.
_DUMMY = _hasher.hash("wenping-timing-equaliser")


def configure(memory_cost_kib: int, time_cost: int) -> None:
    global _hasher, _DUMMY
    _hasher = PasswordHasher(memory_cost=memory_cost_kib, time_cost=time_cost)
    _DUMMY = _hasher.hash("wenping-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    return await asyncio.to_thread(_verify, stored, password)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)
