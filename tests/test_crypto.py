"""Personal data at rest: encryption with key rotation and keyed-hash look-ups."""

from __future__ import annotations

import pytest

from plumbing.crypto import PersonalDataCipher

ID = "370811199001011236"


def test_encryption_hides_the_value_and_round_trips() -> None:
    cipher = PersonalDataCipher(["key-one"], "hash-key")
    token = cipher.encrypt(ID)
    assert ID not in token
    assert cipher.encrypt(ID) != token  # randomised: equal inputs do not give equal ciphertexts
    assert cipher.decrypt(token) == ID


def test_key_rotation_reads_old_data_and_rewrites_it_under_the_new_key() -> None:
    old = PersonalDataCipher(["key-one"], "hash-key")
    token = old.encrypt(ID)
    both = PersonalDataCipher(["key-two", "key-one"], "hash-key")  # new key first
    assert both.decrypt(token) == ID
    rotated = both.rotate(token)
    new_only = PersonalDataCipher(["key-two"], "hash-key")
    assert new_only.decrypt(rotated) == ID
    with pytest.raises(ValueError, match="could not be decrypted"):
        new_only.decrypt(token)  # once rotated, the old key can be dropped


def test_keyed_hash_finds_equal_values_and_depends_on_the_key() -> None:
    one = PersonalDataCipher(["k"], "hash-key")
    assert one.keyed_hash(ID) == one.keyed_hash(ID)
    assert one.keyed_hash(ID) != one.keyed_hash("370811199001011244")
    assert one.keyed_hash(ID) != PersonalDataCipher(["k"], "other-hash-key").keyed_hash(ID)
    assert ID not in one.keyed_hash(ID)
