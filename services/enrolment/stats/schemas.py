"""Response models of the read-only statistics."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from services.enrolment.orders.schemas import OrderPublic


class InstitutionOutcome(BaseModel):
    """What happened to one institution's orders and claims, counted over all time."""

    institution_id: int
    orders_accepted: int
    orders_completed: int
    orders_certified: int
    orders_failed: int
    orders_dropped: int
    orders_open: int
    claims_total: int
    claims_rejected: int


class InstitutionOutcomeList(BaseModel):
    items: list[InstitutionOutcome]
    total: int


class OpenOrderList(BaseModel):
    items: list[OrderPublic]
    total: int


class StepCounts(BaseModel):
    selected: int
    accepted: int
    completed: int
    certified: int
    failed: int
    dropped: int


class GroupFigures(StepCounts):
    group: str


class TradeFigures(StepCounts):
    occupation_code: str
    occupation_name: str
    level: int


class TypeFigures(StepCounts):
    training_type: str


class SourceAmount(BaseModel):
    # A funding source (paid_by_source) or a claim kind (paid_by_kind).
    source: str
    amount_fen: int


class UnitFigures(StepCounts):
    unit_code: str
    requests: int
    # Training claims paid (person-times); the money covers every kind of claim.
    paid: int
    subsidy_paid_fen: int
    paid_by_source: list[SourceAmount]
    paid_by_kind: list[SourceAmount]
    by_group: list[GroupFigures]
    by_trade: list[TradeFigures]
    by_training_type: list[TypeFigures]


class UnitFiguresList(BaseModel):
    from_on: dt.date
    to_on: dt.date
    items: list[UnitFigures]
    total: int


class PassRateSignal(BaseModel):
    institution_id: int
    candidates: int
    passed: int


class SharedDevice(BaseModel):
    device_id: str
    workers: int
    order_ids: list[int]


class SharedPhone(BaseModel):
    # The masked phone only: neither the clear phone nor its keyed hash leaves the service.
    phone_masked: str
    workers: int
    worker_ids: list[int]
    order_ids: list[int]


class FlagSignal(BaseModel):
    flag_id: int
    order_id: int
    unit_code: str
    kind: str
    detail: str


class ClaimDue(BaseModel):
    order_id: int
    unit_code: str
    institution_id: int
    due_at: dt.datetime
    days_left: int


class WatchSignals(BaseModel):
    pass_rates: list[PassRateSignal]
    shared_devices: list[SharedDevice]
    shared_phones: list[SharedPhone]
    learning_flags: list[FlagSignal]
    claims_due: list[ClaimDue]
