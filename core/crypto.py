"""Field-level encryption of personal data, and keyed hashes to find it again.

Document numbers are personal data (Law 91/2025/QH15): a database dump must not show
them. ``PersonalDataCipher`` encrypts each value with AES-256-GCM under a key derived
from ``DATA_ENCRYPTION_KEY``, and gives a keyed hash (HMAC-SHA256 under a second derived
key) so a number can be looked up and duplicates found without decrypting anything.

A stored value starts with a one-byte key version, so keys can be rotated later by
adding a version rather than re-encrypting everything at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

KEY_VERSION = 1
_NONCE_BYTES = 12


class CipherError(ValueError):
    """A key that is not usable, or a stored value that does not decrypt."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class PersonalDataCipher:
    """Encrypts, decrypts and hashes personal fields with one master key."""

    def __init__(self, master_key_b64: str) -> None:
        try:
            master = base64.urlsafe_b64decode(master_key_b64.encode())
        except (binascii.Error, ValueError) as exc:
            raise CipherError("DATA_ENCRYPTION_KEY is not base64") from exc
        if len(master) != 32:
            raise CipherError("DATA_ENCRYPTION_KEY must be 32 bytes, base64-encoded")
        self._aead = AESGCM(_derive(master, b"portal personal data v1"))
        self._hash_key = _derive(master, b"portal personal data lookup v1")

    def encrypt(self, value: str, *, context: str) -> bytes:
        """``value`` sealed; ``context`` (e.g. the column) must match to decrypt it."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode(), context.encode())
        return bytes([KEY_VERSION]) + nonce + sealed

    def decrypt(self, stored: bytes, *, context: str) -> str:
        if not stored or stored[0] != KEY_VERSION:
            raise CipherError("unknown key version")
        nonce, sealed = stored[1 : 1 + _NONCE_BYTES], stored[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, context.encode()).decode()
        except Exception as exc:  # cryptography raises InvalidTag; any failure is the same
            raise CipherError("value does not decrypt with this key") from exc

    def lookup_hash(self, value: str, *, context: str) -> str:
        """A keyed hash: equal values give equal hashes, and nothing else can be learnt."""
        message = f"{context}\x00{value}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()


def init_app(app: Flask, master_key_b64: str) -> None:
    app.extensions["personal_data_cipher"] = PersonalDataCipher(master_key_b64)


def cipher() -> PersonalDataCipher:
    """The application's cipher, for views and commands to hand to services."""
    found: PersonalDataCipher = current_app.extensions["personal_data_cipher"]
    return found
