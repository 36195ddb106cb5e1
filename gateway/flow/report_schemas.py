"""Public models of quota progress and the monthly reports (issue 7)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from gateway.strict import RequestModel
from plumbing.ids import check_unit_code

Month = Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", examples=["2019-07"])]
Year = Annotated[int, Field(ge=2019, le=2100)]

# PLAN "Goals": the three-year total and the per-group yearly goals (§二.(一)); poor labour
# has no number ("train all who should be trained").
TARGET_TOTAL_2019_2021 = 250_000
GROUP_GOALS: dict[str, int | None] = {
    "enterprise_employee": 30_000,
    "college_student": 20_000,
    "migrant_worker": 20_000,
    "farmer": 2_000,
    "rural_leader": 5_000,
    "veteran": 1_000,
    "disabled": 500,
    "prisoner_rehab": 2_000,
    "poor_labour": None,
    "unemployed": None,
    "special_plan": None,
}


class Steps(BaseModel):
    """Transactions in the period: requests filed, orders selected, and orders reaching each
    step; `paid` counts training claims paid."""

    requests: int = 0
    selected: int = 0
    accepted: int = 0
    completed: int = 0
    certified: int = 0
    failed: int = 0
    dropped: int = 0
    paid: int = 0


class Amount(BaseModel):
    source: str
    amount_fen: int


class Money(BaseModel):
    """Subsidies paid in the period (finance only; null for everyone else)."""

    subsidy_paid_fen: int
    by_source: list[Amount]
    by_kind: list[Amount]


class QuotaRow(BaseModel):
    unit_code: str
    name_zh: str
    # None: no quota entered for that year yet.
    quota: int | None
    steps: Steps
    # Person-times counted against the quota: orders completed (training delivered).
    progress_pct: float | None
    # Where the unit should be by now at an even pace through the year.
    expected_pct: float
    behind_pace: bool
    money: Money | None = None


class GroupRow(BaseModel):
    group: str
    goal: int | None
    selected: int
    completed: int
    certified: int
    progress_pct: float | None


class ThreeYear(BaseModel):
    target: int = TARGET_TOTAL_2019_2021
    completed: int
    progress_pct: float


class QuotaProgress(BaseModel):
    year: int
    as_of: dt.date
    items: list[QuotaRow]
    city: QuotaRow | None = Field(description="The whole city (city officers and finance)")
    by_group: list[GroupRow]
    three_year: ThreeYear | None


class GroupCount(BaseModel):
    group: str
    selected: int
    accepted: int
    completed: int
    certified: int
    failed: int
    dropped: int


class TradeCount(GroupCount):
    occupation_code: str
    occupation_name: str
    level: int
    group: str = ""


class TypeCount(BaseModel):
    training_type: str
    selected: int
    accepted: int
    completed: int
    certified: int
    failed: int
    dropped: int


class Institutions(BaseModel):
    active: int
    suspended: int
    revoked: int


class MonthlyFigures(BaseModel):
    """The snapshot stored with a report revision: what the transactions said when it was
    generated. The training type is the offering's (chosen at listing); snapshots stored
    before it was recorded have no breakdown by training type."""

    unit_code: str
    unit_name: str
    month: str
    from_on: dt.date
    to_on: dt.date
    steps: Steps
    by_group: list[GroupCount]
    by_trade: list[TradeCount]
    by_training_type: list[TypeCount] = []
    money: Money | None
    institutions: Institutions


class MonthlyReportCreate(RequestModel):
    unit_code: Annotated[str, AfterValidator(check_unit_code)]
    month: Month


class NarrativeIn(RequestModel):
    narrative: str = Field(min_length=1, max_length=5000)


class MonthlyReport(BaseModel):
    id: int
    unit_code: str
    month: str
    revision: int
    status: Literal["draft", "locked"]
    figures: MonthlyFigures
    narrative: str | None
    generated_by: int
    generated_at: dt.datetime
    signed_off_by: int | None
    signed_off_at: dt.datetime | None


class MonthlyReportList(BaseModel):
    items: list[MonthlyReport]
    total: int


class UnitDeadline(BaseModel):
    unit_code: str
    name_zh: str
    state: Literal["on_time", "late", "missing", "pending"]
    report_id: int | None
    signed_off_at: dt.datetime | None


class Deadlines(BaseModel):
    month: str
    deadline_on: dt.date
    items: list[UnitDeadline]
    late: list[str]
    missing: list[str]


class CityReport(BaseModel):
    """The units' latest signed-off revisions of a month, added up."""

    month: str
    units_reported: list[str]
    units_missing: list[str]
    report_ids: list[int]
    steps: Steps
    by_group: list[GroupCount]
    by_training_type: list[TypeCount]
    money: Money | None
    institutions: Institutions


class QuotaIn(RequestModel):
    quota: int = Field(ge=0, le=1_000_000, description="person-times of subsidised training")


class QuotaView(BaseModel):
    unit_code: str
    name_zh: str
    year: int
    quota: int | None
    source: Literal["plan_csv", "entered", "missing"]


class QuotaList(BaseModel):
    year: int
    items: list[QuotaView]
    total: int
