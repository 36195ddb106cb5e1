"""Public request and response models of evaluation: catalogue, bodies, sessions, results,
certificates and evaluation-subsidy entitlements."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.strict import Id, RequestModel

OCCUPATION_CODE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$"


# -- results -----------------------------------------------------------------------------
class ScoresIn(RequestModel):
    """An overall `score`, or `theory_score` and `practical_score`; `passed` is optional and,
    when given, must agree with the trade's pass rule."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"theory_score": 72, "practical_score": 85}]},
    )
    passed: bool | None = None
    score: float | None = Field(default=None, ge=0, le=100)
    theory_score: float | None = Field(default=None, ge=0, le=100)
    practical_score: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _complete(self) -> ScoresIn:
        if (self.theory_score is None) != (self.practical_score is None):
            raise ValueError("give theory_score and practical_score together")
        if self.score is None and self.theory_score is None:
            raise ValueError("give score, or theory_score and practical_score")
        return self


class ResultIn(ScoresIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"order_id": 1, "passed": True, "score": 86},
                {"order_id": 1, "theory_score": 72, "practical_score": 85},
            ]
        },
    )
    order_id: Id


class CorrectionIn(ScoresIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"theory_score": 72, "practical_score": 58, "reason": "复核实操评分"}]
        },
    )
    reason: str = Field(min_length=1, max_length=500)


class EvaluationOutcome(BaseModel):
    result_id: int
    order_id: int
    passed: bool
    score: float
    theory_score: float | None = None
    practical_score: float | None = None
    certificate_number: str | None
    verify_url: str | None = None
    order_status: str


class EvaluationResult(BaseModel):
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
    recorded_at: dt.datetime


# -- certificates ------------------------------------------------------------------------
class Certificate(BaseModel):
    """What anyone may see: the holder's name masked."""

    number: str
    occupation_code: str
    occupation_name: str | None = None
    level: int
    holder_name_masked: str
    body_id: int | None = None
    body_name: str | None = None
    issued_on: dt.date
    status: str
    verify_url: str


class CertificateDetail(Certificate):
    """What the holder and staff see."""

    id: int
    result_id: int
    order_id: int | None
    candidate_id: int | None
    worker_id: int | None
    revoked_reason: str | None
    revoked_at: dt.datetime | None


class RevokeIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "考评舞弊，证书作废"}]})
    reason: str = Field(min_length=1, max_length=500)


# -- catalogue ---------------------------------------------------------------------------
class CatalogueEntryIn(RequestModel):
    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    occupation_name: str = Field(min_length=1, max_length=100)
    level: int = Field(ge=1, le=5)
    theory_pass_mark: int = Field(default=60, ge=0, le=100)
    practical_pass_mark: int = Field(default=60, ge=0, le=100)
    subsidy_fen: int = Field(ge=0, le=10**8)


class CatalogueVersionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "effective_on": "2027-01-01",
                    "note": "2027 年评价补贴标准",
                    "entries": [
                        {
                            "occupation_code": "6-01-99-02",
                            "occupation_name": "金乡大蒜加工工",
                            "level": 5,
                            "theory_pass_mark": 50,
                            "practical_pass_mark": 70,
                            "subsidy_fen": 16000,
                        }
                    ],
                }
            ]
        }
    )
    effective_on: dt.date
    note: str | None = Field(default=None, max_length=500)
    entries: list[CatalogueEntryIn] = Field(min_length=1, max_length=2000)


class CatalogueEntry(CatalogueEntryIn):
    id: int
    version_id: int


class CatalogueVersion(BaseModel):
    id: int
    effective_on: dt.date
    note: str | None
    created_at: dt.datetime
    entries: int


class CatalogueVersions(BaseModel):
    items: list[CatalogueVersion]


class EvaluationCatalogue(BaseModel):
    as_of: dt.date
    version: CatalogueVersion
    items: list[CatalogueEntry]
    total: int
    limit: int
    offset: int


# -- bodies ------------------------------------------------------------------------------
class ScopeItem(RequestModel):
    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    level: int = Field(ge=1, le=5)


class BodyIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "汶上县纺织服装行业评价站",
                    "kind": "third_party",
                    "accredited_on": "2019-06-01",
                    "accredited_until": "2021-12-31",
                    "scope": [{"occupation_code": "6-05-99-01", "level": 4}],
                }
            ]
        }
    )
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["third_party", "employer"]
    credit_code: str | None = None
    accredited_on: dt.date | None = None
    accredited_until: dt.date | None = None
    scope: list[ScopeItem] = Field(default_factory=list, max_length=500)


class ScopeIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"scope": [{"occupation_code": "6-05-99-01", "level": 4}]}]}
    )
    scope: list[ScopeItem] = Field(max_length=500)


class Body(BaseModel):
    id: int
    name: str
    kind: str
    credit_code: str | None
    status: str
    status_reason: str | None
    accredited_on: dt.date
    accredited_until: dt.date | None
    scope: list[ScopeItem]
    created_at: dt.datetime
    updated_at: dt.datetime


class EvaluatorAccount(BaseModel):
    id: int
    username: str
    role: str
    evaluation_body_id: int


# -- sessions ----------------------------------------------------------------------------
class SessionIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "occupation_code": "4-10-01-05",
                    "level": 5,
                    "held_on": "2026-12-20",
                    "place": "济宁市任城区技能鉴定考场",
                    "capacity": 40,
                }
            ]
        }
    )
    occupation_code: str = Field(pattern=OCCUPATION_CODE)
    level: int = Field(ge=1, le=5)
    held_on: dt.date
    place: str = Field(min_length=1, max_length=200)
    capacity: int = Field(gt=0, le=10_000)


class Session(BaseModel):
    id: int
    body_id: int
    occupation_code: str
    level: int
    held_on: dt.date
    place: str
    capacity: int
    registered: int
    seats_left: int
    status: str
    created_at: dt.datetime


class CandidateIn(RequestModel):
    """`order_id` of a completed order, or `name` and `id_number` of an evaluation-only
    candidate."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"order_id": 1}, {"name": "李四", "id_number": "11010519491231002X"}]
        },
    )
    order_id: Id | None = None
    name: str | None = Field(default=None, min_length=1, max_length=50, repr=False)
    id_number: str | None = Field(default=None, max_length=64, repr=False)

    @model_validator(mode="after")
    def _one_kind(self) -> CandidateIn:
        direct = self.name is not None and self.id_number is not None
        if (self.order_id is not None) == direct or (
            self.order_id is None and (self.name is None) != (self.id_number is None)
        ):
            raise ValueError("give either order_id, or name and id_number")
        return self


class Candidate(BaseModel):
    id: int
    session_id: int
    order_id: int | None
    worker_id: int | None
    name_masked: str
    id_number_masked: str | None
    created_at: dt.datetime


# -- entitlements ------------------------------------------------------------------------
class Entitlement(BaseModel):
    id: int
    kind: str
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
    status: str
    cancelled_reason: str | None
    created_at: dt.datetime
