"""Password hashing (Argon2id) and the rules a new password must meet."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Common in Vietnam and missing from the international list.
_VIETNAMESE_COMMON = frozenset(
    {"matkhau", "matkhau123", "anhyeuem", "emyeuanh", "anhyeuem123", "yeuem123", "vietnam123"}
)


@cache
def _common_passwords() -> frozenset[str]:
    data = resources.files("core.auth").joinpath("data/common-passwords.txt.gz")
    lines = gzip.decompress(data.read_bytes()).decode().splitlines()
    return frozenset(line.strip() for line in lines) | _VIETNAMESE_COMMON


def is_common(password: str) -> bool:
    return password.lower() in _common_passwords()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# A real hash to verify against when the account does not exist, so a login
# for an unknown e-mail takes as long as one with a wrong password.
DUMMY_HASH = _hasher.hash("not-a-password-anyone-uses")
