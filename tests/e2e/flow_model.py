"""The state machine's own picture of the five-order flow (tests/e2e/test_stateful.py): what
it created, the state it expects each thing to be in, and the answer it expects from each
step — written from DESIGN.md and the plan's rules, not read back from the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.client import ELDERLY_CARE, ELECTRICIAN, Api

# Four trades of both catalogues (training and evaluation), two of them one occupation at two
# levels, so "occupation+level once" and "a certificate at this level or above" both bite,
# and four is one more than the yearly cap.
TRADES: tuple[tuple[str, int], ...] = (
    (ELDERLY_CARE, 5),
    (ELDERLY_CARE, 4),
    ("4-10-01-06", 5),
    (ELECTRICIAN, 5),
)
YEARLY_CAP = 3
COMPLETION_RATIO = 0.8  # JINENG_COMPLETION_RATIO's default
LIVING_COST_DAILY_FEN = 3_000  # JINENG_LIVING_COST_DAILY_FEN's default
SLOT_FREEING = ("cancelled", "rejected", "failed", "expired")
SEAT_FREEING = ("cancelled", "rejected", "expired")
CONFIRMABLE = ("completed", "certified", "failed")
COMPLETED = ("completed", "certified", "claimed", "paid")
CERTIFIED = ("certified", "claimed", "paid")
BEFORE_PAYMENT = ("submitted", "reviewed", "approved")
OFFERING_DAYS = 30  # tests.e2e.client.list_offering lists offerings for 30 days from today


def outcome(response: httpx.Response) -> str:
    """ "ok" for a success, else the problem's code; a server error is never an outcome."""
    assert response.status_code < 500, f"{response.request.url}: {response.text}"
    if response.status_code < 400:
        return "ok"
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["code"])


class Compact:
    """Shown by its short repr in hypothesis's steps too (not field by field)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(eq=False)
class Worker(Compact):
    api: Api
    id: int
    day: int = 0  # the next day (from today) this worker has no attendance on
    certificates: set[tuple[str, int]] = field(default_factory=set)
    orders: list[Order] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Worker({self.id})"

    def live_orders(self) -> list[Order]:
        return [o for o in self.orders if o.status not in SLOT_FREEING]

    def refusal(self, trade: tuple[str, int]) -> str | None:
        """The eligibility code selecting `trade` answers, in the rules' order; None: none."""
        if len(self.live_orders()) >= YEARLY_CAP:
            return "yearly_cap_reached"
        if any(o.offering.trade == trade for o in self.live_orders()):
            return "occupation_level_already_subsidised"
        # A certificate at this level or a higher one (a smaller number) proves the skill.
        if any(code == trade[0] and level <= trade[1] for code, level in self.certificates):
            return "not_eligible"
        return None


@dataclass(eq=False)
class Institution(Compact):
    id: int
    clerk: Api

    def __repr__(self) -> str:
        return f"Institution({self.id})"


@dataclass(eq=False)
class Offering(Compact):
    id: int
    institution: Institution
    trade: tuple[str, int]
    capacity: int
    hours: int
    starts_on: dt.date
    subsidy_fen: int
    funding_source: str
    status: str = "listed"
    plan_approved: bool = False
    orders: list[Order] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Offering({self.id}, {self.trade}, capacity {self.capacity})"

    @property
    def seats_taken(self) -> int:
        return sum(o.status not in SEAT_FREEING for o in self.orders)

    def seat_refusal(self) -> str | None:
        if self.status != "listed":
            return "invalid_state"
        if self.seats_taken >= self.capacity:
            return "offering_full"
        return None


@dataclass(eq=False)
class Order(Compact):
    id: int
    worker: Worker
    offering: Offering
    status: str = "selected"
    attended: float = 0.0
    days: int = 0  # distinct days with attendance (the living-cost subsidy counts them)
    delivery: str | None = None
    claims: dict[str, Claim] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Order({self.id}, {self.status})"

    @property
    def attended_enough(self) -> bool:
        return self.attended + 1e-9 >= self.offering.hours * COMPLETION_RATIO

    def move(self, status: str) -> None:
        """Apply a transition; freeing the slot reopens the requests it fulfilled."""
        self.status = status
        if status in SLOT_FREEING:
            for request in self.worker.requests:
                if request.order is self:
                    request.order = None


@dataclass(eq=False)
class Request(Compact):
    id: int
    worker: Worker
    trade: tuple[str, int]
    order: Order | None = None  # the order that fulfilled it, while that order holds its slot

    def __repr__(self) -> str:
        return f"Request({self.id}, {self.trade})"

    @property
    def live(self) -> bool:
        return self.order is None


@dataclass(eq=False)
class Claim(Compact):
    id: int
    order: Order
    kind: str
    amount_fen: int
    source: str
    status: str = "submitted"
    # Idempotency-Key -> the outcome the first call with it answered.
    keys: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Claim({self.id}, {self.kind}, {self.status})"


def training_claim_refusal(order: Order) -> str | None:
    if order.status != "certified":
        return "invalid_state"
    if order.delivery != "confirmed":
        return "delivery_not_confirmed"
    return None


def evaluation_claim_refusals(order: Order) -> set[str]:
    """Empty: the claim goes through. Without a pass there is no entitlement to claim; a
    second claim finds the first (or its entitlement used)."""
    if order.status not in CERTIFIED:
        return {"not_entitled"}
    if "evaluation" in order.claims:
        return {"already_claimed", "not_entitled"}
    if order.delivery != "confirmed":
        return {"delivery_not_confirmed"}
    return set()


def living_cost_refusal(order: Order, year_claims: list[Claim]) -> str | None:
    """Order completed; one living-cost subsidy per order, and per worker and year."""
    if order.status not in COMPLETED:
        return "invalid_state"
    if "living_cost" in order.claims or any(c.status != "rejected" for c in year_claims):
        return "already_claimed"
    return None


def delivery_refusal(order: Order, outcome_: str) -> str | None:
    if order.status not in CONFIRMABLE:
        return "invalid_state"
    allowed = (None, "disputed") if outcome_ == "confirmed" else (None,)
    if order.delivery not in allowed:
        return "delivery_already_recorded"
    return None
