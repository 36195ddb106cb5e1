"""Encryption at rest and keyed hashes for personal data (ID numbers, phones)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


class PersonalDataCipher:
    """Fernet (AES-128-CBC + HMAC) with key rotation: the first key encrypts, all decrypt."""

    def __init__(self, data_keys: list[str], hash_key: str) -> None:
        if not data_keys:
            raise ValueError("at least one data key is needed")
        self._fernet = MultiFernet([Fernet(_fernet_key(k)) for k in data_keys])
        self._hash_key = hash_key.encode()

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "personal data could not be decrypted with the configured keys"
            ) from exc

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()

    def keyed_hash(self, plain: str) -> str:
        """HMAC-SHA256: equal inputs give equal hashes, for uniqueness and look-up."""
        return hmac.new(self._hash_key, plain.encode(), hashlib.sha256).hexdigest()
