"""Enrolment service settings (JINENG_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from plumbing.settings import DEFAULT_DATA_KEY, DEFAULT_HASH_KEY, CommonSettings

DEFAULT_AUDIT_KEY = "dev-audit-key-change-me"


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
    # Watch list: a phone on this many worker profiles or more is shown
    # (JINENG_SHARED_PHONE_MIN_WORKERS).
    shared_phone_min_workers: int = Field(default=3, ge=2, le=100)

    # Order 5 (issue 6). Public notice (公示) of a reviewed claim, in working days
    # (JINENG_PUBLIC_NOTICE_DAYS); 0 skips the notice.
    public_notice_days: int = Field(default=5, ge=0, le=60)
    # Claims above this amount need a second finance officer before payment (fen).
    countersign_above_fen: int = Field(default=5_000_000, ge=0)
    # A claim must be filed within this many days of the order's completion.
    claim_deadline_days: int = Field(default=180, ge=1)
    # Living-cost subsidy: the groups that receive it and the standard per attended day.
    living_cost_groups: list[str] = Field(
        default_factory=lambda: ["poor_labour", "unemployed", "disabled", "special_plan"]
    )
    living_cost_daily_fen: int = Field(default=3_000, ge=0)
    # Programmes that pay the training subsidy to the worker instead of the institution.
    worker_paid_sources: list[str] = Field(default_factory=list)
    # Key of the tamper-evident audit chain (JINENG_AUDIT_KEY); never stored in the database.
    audit_key: str = DEFAULT_AUDIT_KEY
    # Test only: pause between the claims of a payment batch, to kill a process mid-batch.
    payment_batch_delay_ms: int = Field(default=0, ge=0)

    def default_secrets(self) -> dict[str, bool]:
        return {
            "JINENG_DATA_KEYS": DEFAULT_DATA_KEY in self.data_keys,
            "JINENG_HASH_KEY": self.hash_key == DEFAULT_HASH_KEY,
            "JINENG_AUDIT_KEY": self.audit_key == DEFAULT_AUDIT_KEY,
        }
