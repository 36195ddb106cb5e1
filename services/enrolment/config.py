"""Enrolment service settings (JINENG_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from plumbing.settings import DEFAULT_DATA_KEY, DEFAULT_HASH_KEY, CommonSettings


class Settings(CommonSettings):
    # Personal data at rest: the first key encrypts, all decrypt (rotation). JSON list in
    # JINENG_DATA_KEYS; the keyed hash of ID numbers uses JINENG_HASH_KEY.
    data_keys: list[str] = Field(default_factory=lambda: [DEFAULT_DATA_KEY], min_length=1)
    hash_key: str = DEFAULT_HASH_KEY
    # Share of an offering's hours a worker must attend to complete (JINENG_COMPLETION_RATIO).
    completion_ratio: float = Field(default=0.8, gt=0, le=1)

    def default_secrets(self) -> dict[str, bool]:
        return {
            "JINENG_DATA_KEYS": DEFAULT_DATA_KEY in self.data_keys,
            "JINENG_HASH_KEY": self.hash_key == DEFAULT_HASH_KEY,
        }
