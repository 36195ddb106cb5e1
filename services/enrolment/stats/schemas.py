"""Response models of the read-only statistics."""

from __future__ import annotations

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
