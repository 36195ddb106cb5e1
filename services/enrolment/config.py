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
    # An order not accepted within this many days expires and frees its seat
    # (JINENG_ORDER_ACCEPT_DAYS); a request open this long expires (JINENG_REQUEST_OPEN_DAYS).
    order_accept_days: int = Field(default=7, ge=1, le=365)
    request_open_days: int = Field(default=90, ge=1, le=3650)
    # Anomaly thresholds: learning hours per worker and day across every channel
    # (JINENG_MAX_DAILY_LEARNING_HOURS), workers learning on one device (JINENG_DEVICE_MAX_WORKERS).
    max_daily_learning_hours: float = Field(default=8.0, gt=0, le=24)
    device_max_workers: int = Field(default=2, ge=1, le=100)

    def default_secrets(self) -> dict[str, bool]:
        return {
            "JINENG_DATA_KEYS": DEFAULT_DATA_KEY in self.data_keys,
            "JINENG_HASH_KEY": self.hash_key == DEFAULT_HASH_KEY,
        }
