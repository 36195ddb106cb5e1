"""Response models of entitlements."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from services.evaluation.fields import UtcDatetime

Status = Literal["open", "cancelled"]


class EntitlementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Literal["evaluation"] = "evaluation"
    result_id: int
    order_id: int | None
    candidate_id: int | None
    worker_id: int | None
    body_id: int
    occupation_code: str
    level: int
    evaluated_on: dt.date
    catalogue_version_id: int
    amount_fen: int
    status: Status
    cancelled_reason: str | None
    created_at: UtcDatetime
