"""Evaluation service settings (JINENG_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from plumbing.settings import DEFAULT_DATA_KEY, DEFAULT_HASH_KEY, CommonSettings


class Settings(CommonSettings):
    """`demo` (JINENG_DEMO) seeds the demo evaluation body and its scope."""

    # Personal data of evaluation-only candidates, as enrolment keeps workers' (same keys).
    data_keys: list[str] = Field(default_factory=lambda: [DEFAULT_DATA_KEY], min_length=1)
    hash_key: str = DEFAULT_HASH_KEY
    # Public verification address printed as a QR code: `<base>/<number>`
    # (JINENG_CERTIFICATE_VERIFY_BASE); the gateway's public route by default.
    certificate_verify_base: str = Field(
        default="http://127.0.0.1:8000/api/v1/certificates", min_length=1
    )

    def default_secrets(self) -> dict[str, bool]:
        return {
            "JINENG_DATA_KEYS": DEFAULT_DATA_KEY in self.data_keys,
            "JINENG_HASH_KEY": self.hash_key == DEFAULT_HASH_KEY,
        }
