"""The one base of every gateway request body: unknown fields are refused (a typo or a field
the client hopes to smuggle in — `status`, `paid_at`, `worker_id` — is a 422, never silently
dropped), and no string is longer than `MAX_STRING` unless the field says less.

`tests/gateway/test_limits.py` walks the routes and fails on a body model that is not one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

MAX_STRING = 4000


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=MAX_STRING)
