"""Response and request models for certificates."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.evaluation.fields import UtcDatetime

Status = Literal["valid", "revoked"]


class CertificateVerification(BaseModel):
    """What anyone may see about a certificate: no worker id, the holder's name masked."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    occupation_code: str
    occupation_name: str | None = None
    level: int
    holder_name_masked: str
    body_id: int | None = None
    body_name: str | None = None
    issued_on: dt.date
    status: Status
    # Where anyone (a QR code on the paper certificate) can check it: base + number.
    verify_url: str = ""


class CertificatePublic(CertificateVerification):
    """What staff and the holder see."""

    id: int
    result_id: int
    order_id: int | None
    candidate_id: int | None
    worker_id: int | None
    revoked_reason: str | None
    revoked_at: UtcDatetime | None


class RevokeIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
