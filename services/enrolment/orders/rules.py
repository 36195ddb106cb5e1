"""Order states and the counting rules selection enforces in the database; who may select
at all is in services/enrolment/eligibility/rules.py."""

from __future__ import annotations

import datetime as dt

from plumbing.clock import SHANGHAI
from services.enrolment.eligibility.rules import YEARLY_CAP

__all__ = ["YEARLY_CAP"]

ORDER_STATUSES = (
    "selected",
    "accepted",
    "in_training",
    "completed",
    "certified",
    "claimed",
    "paid",
    "cancelled",
    "rejected",
    "dropped",
    "failed",
    "expired",
)
# DESIGN "Rules": cancelled, rejected and failed orders free the yearly slot and the
# occupation+level; so does an order that expired unaccepted. Those that never trained
# (cancelled, rejected, expired) also free the seat.
SLOT_FREEING = ("cancelled", "rejected", "failed", "expired")
SEAT_FREEING = ("cancelled", "rejected", "expired")
# Training has started or may start: what the institution can drop (with a reason).
DROPPABLE = ("accepted", "in_training")
# Delivery is confirmed by the worker once the training is over (DESIGN "delivery confirmed").
CONFIRMABLE = ("completed", "certified", "failed")
DELIVERY = ("confirmed", "disputed")


# PLAN §二.(二).9: learning from the classroom and from three ends (PC, app, WeChat).
CHANNELS = ("classroom", "pc", "app", "wechat")
WORKER_CHANNELS = ("pc", "app", "wechat")
MAX_HOURS_PER_RECORD = 12


def subsidy_year(at: dt.datetime) -> int:
    """The calendar year in Asia/Shanghai an order counts against (DESIGN "Rules")."""
    return at.astimezone(SHANGHAI).year


def sex_from_id_number(number: str) -> str:
    """GB 11643: the 17th character is odd for men and even for women."""
    return "male" if int(number[16]) % 2 == 1 else "female"


def required_hours(hours: int, ratio: float) -> float:
    """Completion (结业, PLAN §二.(三).14) needs this many attended hours."""
    return hours * ratio


def attended_enough(attended: float, hours: int, ratio: float) -> bool:
    # A small tolerance: attended hours are sums of fractional records.
    return attended + 1e-9 >= required_hours(hours, ratio)
