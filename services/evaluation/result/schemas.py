"""Request and response models for evaluation results."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.evaluation.fields import UtcDatetime

OCCUPATION_CODE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$"


class ResultCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    order_id: int = Field(gt=0)
    worker_id: int = Field(gt=0)
    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    level: int = Field(ge=1, le=5)
    passed: bool
    score: float = Field(ge=0, le=100, allow_inf_nan=False)
    holder_name_masked: str = Field(min_length=1, max_length=64)

    @field_validator("holder_name_masked")
    @classmethod
    def _masked(cls, value: str) -> str:
        # Verification is public: a full name must never be stored here by mistake.
        if len(value) > 1 and "*" not in value:
            raise ValueError("must be masked (e.g. 张**), never the full name")
        return value


class ResultPublic(BaseModel):
    id: int
    order_id: int
    body_id: int
    evaluator_id: int
    worker_id: int
    occupation_code: str
    level: int
    passed: bool
    score: float
    certificate_number: str | None
    recorded_at: UtcDatetime
