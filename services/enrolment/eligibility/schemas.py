"""Response models of the eligibility pre-check, and certificates the gateway passes in."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.enrolment.fields import Level, OccupationCode


class HeldCertificate(BaseModel):
    """A valid certificate the worker holds (the gateway reads them from evaluation)."""

    occupation_code: OccupationCode
    level: Level


class ReasonPublic(BaseModel):
    code: str
    clause: str
    detail: str


class EligibilityPublic(BaseModel):
    eligible: bool
    rule_version: str
    reasons: list[ReasonPublic]
    facts: dict[str, Any]


class DecisionPublic(BaseModel):
    """An order's eligibility decision, replayed from its stored facts."""

    order_id: int
    rule_version: str
    current_rule_version: str
    facts: dict[str, Any]
    eligible: bool
    reasons: list[ReasonPublic]
