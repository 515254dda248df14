"""Personal data sealed at rest, and found again by keyed hash."""

from __future__ import annotations

import base64

import pytest

from core.crypto import CipherError, PersonalDataCipher

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.urlsafe_b64encode(bytes(range(1, 33))).decode()


def test_sealed_value_round_trips_and_hides_the_number() -> None:
    cipher = PersonalDataCipher(KEY)
    sealed = cipher.encrypt("022090123456", context="doc")
    assert b"022090123456" not in sealed
    assert cipher.decrypt(sealed, context="doc") == "022090123456"


def test_same_value_seals_differently_each_time() -> None:
    cipher = PersonalDataCipher(KEY)
    assert cipher.encrypt("x", context="doc") != cipher.encrypt("x", context="doc")


def test_value_sealed_for_one_column_does_not_open_in_another() -> None:
    cipher = PersonalDataCipher(KEY)
    with pytest.raises(CipherError):
        cipher.decrypt(cipher.encrypt("x", context="doc"), context="visa")


def test_another_key_cannot_open_or_match() -> None:
    sealed = PersonalDataCipher(KEY).encrypt("x", context="doc")
    with pytest.raises(CipherError):
        PersonalDataCipher(OTHER_KEY).decrypt(sealed, context="doc")
    assert PersonalDataCipher(KEY).lookup_hash("x", context="doc") != PersonalDataCipher(
        OTHER_KEY
    ).lookup_hash("x", context="doc")


def test_lookup_hash_is_stable_for_equal_values() -> None:
    cipher = PersonalDataCipher(KEY)
    assert cipher.lookup_hash("a", context="doc") == cipher.lookup_hash("a", context="doc")
    assert cipher.lookup_hash("a", context="doc") != cipher.lookup_hash("b", context="doc")


@pytest.mark.parametrize("key", ["not base64!", base64.urlsafe_b64encode(b"short").decode()])
def test_unusable_keys_are_refused(key: str) -> None:
    with pytest.raises(CipherError):
        PersonalDataCipher(key)
