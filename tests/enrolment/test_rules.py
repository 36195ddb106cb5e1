"""Unit tests of the plan's subsidy rules (services/enrolment/orders/rules.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from plumbing.ids import mask_phone
from services.enrolment.orders import rules
from tests.enrolment.helpers import id_number

TODAY = dt.date(2026, 6, 15)


@dataclass
class Facts:
    birth_on: dt.date
    receives_pension: bool = False


def codes(reasons: list[rules.Reason]) -> list[str]:
    return [r.code for r in reasons]


def test_no_profile_means_profile_required_only() -> None:
    assert codes(rules.eligibility_reasons(None, TODAY, 3, True)) == ["profile_required"]


def test_an_adult_without_pension_is_eligible() -> None:
    assert rules.eligibility_reasons(Facts(dt.date(1990, 1, 1)), TODAY, 0, False) == []


def test_pensioners_are_not_eligible() -> None:
    # PLAN §二.(二).11
    reasons = rules.eligibility_reasons(Facts(dt.date(1960, 1, 1), True), TODAY, 0, False)
    assert codes(reasons) == ["not_eligible"]
    assert "pension" in reasons[0].detail


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [(dt.date(2010, 6, 15), True), (dt.date(2010, 6, 16), False), (dt.date(2020, 1, 1), False)],
)
def test_minimum_age_is_sixteen(birth: dt.date, eligible: bool) -> None:
    assert (rules.profile_reasons(Facts(birth), TODAY) == []) is eligible


@pytest.mark.parametrize(("held", "capped"), [(0, False), (2, False), (3, True), (4, True)])
def test_yearly_cap_is_three(held: int, capped: bool) -> None:
    reasons = rules.eligibility_reasons(Facts(dt.date(1990, 1, 1)), TODAY, held, False)
    assert ("yearly_cap_reached" in codes(reasons)) is capped


def test_all_reasons_are_reported_together() -> None:
    reasons = rules.eligibility_reasons(Facts(dt.date(1950, 1, 1), True), TODAY, 3, True)
    assert codes(reasons) == [
        "not_eligible",
        "yearly_cap_reached",
        "occupation_level_already_subsidised",
    ]


def test_subsidy_year_is_the_shanghai_calendar_year() -> None:
    # 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Jining.
    assert rules.subsidy_year(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)) == 2027
    assert rules.subsidy_year(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC)) == 2026


def test_age_counts_birthdays() -> None:
    assert rules.age_on(dt.date(2000, 6, 15), TODAY) == 26
    assert rules.age_on(dt.date(2000, 6, 16), TODAY) == 25
    assert rules.age_on(dt.date(2000, 2, 29), dt.date(2026, 2, 28)) == 25


def test_sex_from_the_seventeenth_digit() -> None:
    assert rules.sex_from_id_number(id_number(121)) == "male"
    assert rules.sex_from_id_number(id_number(122)) == "female"


def test_completion_threshold() -> None:
    assert rules.required_hours(80, 0.8) == 64
    assert rules.attended_enough(64.0, 80, 0.8)
    assert rules.attended_enough(0.1 + 0.2 + 63.7, 80, 0.8)  # float sums round down a hair
    assert not rules.attended_enough(63.5, 80, 0.8)


def test_slot_freeing_statuses_are_known() -> None:
    assert set(rules.SLOT_FREEING) <= set(rules.ORDER_STATUSES)
    assert set(rules.SEAT_FREEING) <= set(rules.SLOT_FREEING)


def test_phone_mask() -> None:
    assert mask_phone("13812345678") == "138****5678"
