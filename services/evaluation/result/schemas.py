"""Request and response models for evaluation results."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.evaluation.fields import UtcDatetime

OCCUPATION_CODE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$"


class Scores(BaseModel):
    """An overall `score`, or `theory_score` and `practical_score` (or all three); `passed`
    may be given, and must then agree with the trade's rule."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    passed: bool | None = None
    score: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    theory_score: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    practical_score: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)

    @model_validator(mode="after")
    def _complete(self) -> Scores:
        if (self.theory_score is None) != (self.practical_score is None):
            raise ValueError("give theory_score and practical_score together")
        if self.score is None and self.theory_score is None:
            raise ValueError("give score, or theory_score and practical_score")
        return self


class ResultCreate(Scores):
    """An order's result; the gateway fills in the order's facts."""

    order_id: int = Field(gt=0)
    worker_id: int = Field(gt=0)
    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    level: int = Field(ge=1, le=5)
    holder_name_masked: str = Field(min_length=1, max_length=64)

    @field_validator("holder_name_masked")
    @classmethod
    def _masked(cls, value: str) -> str:
        # Verification is public: a full name must never be stored here by mistake.
        if len(value) > 1 and "*" not in value:
            raise ValueError("must be masked (e.g. 张**), never the full name")
        return value


class CorrectionCreate(Scores):
    reason: str = Field(min_length=1, max_length=500)


class ResultPublic(BaseModel):
    id: int
    order_id: int | None
    candidate_id: int | None
    session_id: int | None
    revision: int
    corrects_id: int | None
    correction_reason: str | None
    body_id: int
    evaluator_id: int
    worker_id: int | None
    occupation_code: str
    level: int
    passed: bool
    score: float
    theory_score: float | None
    practical_score: float | None
    theory_pass_mark: int | None
    practical_pass_mark: int | None
    evaluated_on: dt.date
    certificate_number: str | None
    recorded_at: UtcDatetime


class ResultRecorded(ResultPublic):
    """The answer to recording a result: the result, and for a pass the address to print as
    the certificate's QR code (the same as certificate verification gives), so the gateway
    does not read the certificate back just for it."""

    verify_url: str | None = None
