"""Worker profiles: real-name data, encrypted at rest, with a keyed hash for uniqueness."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Text, text
from sqlmodel import Field

from services.enrolment.db import Base
from services.enrolment.fields import GROUPS, sql_in


class WorkerProfile(Base, table=True):
    __tablename__ = "worker_profiles"
    __table_args__ = (
        CheckConstraint(f"target_group IN {sql_in(GROUPS)}", name="group_known"),
        CheckConstraint("sex IN ('male','female')", name="sex_known"),
        CheckConstraint(
            "unemployment_insurance_months BETWEEN 0 AND 1200", name="insurance_months_range"
        ),
    )

    # The gateway account id of the worker: one profile per account.
    worker_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    id_number_cipher: str = Field(sa_type=Text)
    # HMAC of the ID number: one account per person, without storing the number in clear.
    id_number_hash: str = Field(max_length=64, unique=True)
    id_number_masked: str = Field(max_length=32)
    name_cipher: str = Field(sa_type=Text)
    phone_cipher: str = Field(sa_type=Text)
    phone_masked: str = Field(max_length=16)
    # HMAC of the normalised phone, for the "many workers sharing a phone" watch signal.
    # NULL on profiles saved before enrolment_0004 until they are saved again (the migration
    # has no key to compute it).
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    unit_code: str = Field(max_length=32)
    target_group: str = Field(max_length=32)
    receives_pension: bool
    birth_on: dt.date
    sex: str = Field(max_length=8)
    # Group-specific facts the eligibility rules read (PLAN "Who is trained").
    employer_credit_code: str | None = Field(default=None, max_length=18)
    unemployment_insurance_months: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    discharged_on: dt.date | None = None
    registered_poor: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
