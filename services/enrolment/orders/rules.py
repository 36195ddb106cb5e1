"""The subsidy rules of the plan, in one place: used by the eligibility pre-check and by
selection (which also enforces the counting rules in the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from plumbing.clock import SHANGHAI

ORDER_STATUSES = (
    "selected",
    "accepted",
    "completed",
    "certified",
    "claimed",
    "paid",
    "cancelled",
    "rejected",
    "dropped",
    "failed",
)
# DESIGN "Rules": cancelled, rejected and failed orders free the yearly slot and the
# occupation+level; cancelled and rejected ones (never trained) also free the seat.
SLOT_FREEING = ("cancelled", "rejected", "failed")
SEAT_FREEING = ("cancelled", "rejected")

# PLAN §二.(二).11: at most 3 subsidised trainings per person per year.
YEARLY_CAP = 3
# Labour Law art. 15: nobody under 16 may be employed, so nobody under 16 is trained for a job.
MINIMUM_AGE = 16

# PLAN §二.(二).9: learning from the classroom and from three ends (PC, app, WeChat).
CHANNELS = ("classroom", "pc", "app", "wechat")
WORKER_CHANNELS = ("pc", "app", "wechat")
MAX_HOURS_PER_RECORD = 12


class ProfileFacts(Protocol):
    birth_on: dt.date
    receives_pension: bool


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


def subsidy_year(at: dt.datetime) -> int:
    """The calendar year in Asia/Shanghai an order counts against (DESIGN "Rules")."""
    return at.astimezone(SHANGHAI).year


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def sex_from_id_number(number: str) -> str:
    """GB 11643: the 17th character is odd for men and even for women."""
    return "male" if int(number[16]) % 2 == 1 else "female"


def profile_reasons(profile: ProfileFacts | None, today: dt.date) -> list[Reason]:
    """Who may be trained at all, from the profile alone."""
    if profile is None:
        return [Reason("profile_required", "complete the real-name profile first")]
    reasons = []
    # PLAN §二.(二).11: only people who do not draw a monthly basic pension are eligible.
    if profile.receives_pension:
        reasons.append(Reason("not_eligible", "people drawing a basic pension are not eligible"))
    if age_on(profile.birth_on, today) < MINIMUM_AGE:
        reasons.append(Reason("not_eligible", f"the minimum age is {MINIMUM_AGE}"))
    return reasons


def cap_reason(held_this_year: int) -> Reason | None:
    # PLAN §二.(二).11: at most 3 subsidised trainings per person per year.
    if held_this_year >= YEARLY_CAP:
        return Reason(
            "yearly_cap_reached", f"already {held_this_year} subsidised trainings this year"
        )
    return None


def occupation_level_reason(already_held: bool) -> Reason | None:
    # PLAN §二.(二).11: the same occupation at the same level is never subsidised twice.
    if already_held:
        return Reason(
            "occupation_level_already_subsidised",
            "this occupation and level has already been subsidised",
        )
    return None


def eligibility_reasons(
    profile: ProfileFacts | None,
    today: dt.date,
    held_this_year: int,
    holds_occupation_level: bool,
) -> list[Reason]:
    """Every reason the worker could not select a subsidised offering now (empty: eligible)."""
    reasons = profile_reasons(profile, today)
    if profile is None:
        return reasons
    for extra in (cap_reason(held_this_year), occupation_level_reason(holds_occupation_level)):
        if extra is not None:
            reasons.append(extra)
    return reasons


def required_hours(hours: int, ratio: float) -> float:
    """Completion (结业, PLAN §二.(三).14) needs this many attended hours."""
    return hours * ratio


def attended_enough(attended: float, hours: int, ratio: float) -> bool:
    # A small tolerance: attended hours are sums of fractional records.
    return attended + 1e-9 >= required_hours(hours, ratio)
