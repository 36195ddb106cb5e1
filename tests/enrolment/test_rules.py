"""Unit tests of the plan's eligibility rules (services/enrolment/eligibility/rules.py) and
the order-level rules (services/enrolment/orders/rules.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from plumbing.ids import mask_phone
from services.enrolment.eligibility.rules import (
    RULES,
    Facts,
    age_on,
    evaluate,
)
from services.enrolment.orders import rules
from tests.enrolment.helpers import id_number

TODAY = dt.date(2026, 6, 15)


def facts(**kw: Any) -> Facts:
    base: dict[str, Any] = {
        "today": TODAY.isoformat(),
        "has_profile": True,
        "age": 36,
        "receives_pension": False,
        "group": "unemployed",
        "year": 2026,
        "occupation_code": "4-10-01-05",
        "level": 4,
    }
    return Facts(**(base | kw))


def codes(f: Facts) -> list[str]:
    return [r.code for r in evaluate(f)]


def test_no_profile_means_profile_required_only() -> None:
    assert codes(Facts(today="2026-06-15", has_profile=False, held_this_year=3)) == [
        "profile_required"
    ]


def test_an_adult_without_pension_is_eligible() -> None:
    assert codes(facts()) == []


def test_pensioners_are_not_eligible() -> None:
    assert codes(facts(receives_pension=True)) == ["pensioner"]


@pytest.mark.parametrize(("age", "eligible"), [(16, True), (15, False), (6, False)])
def test_minimum_age_is_sixteen(age: int, eligible: bool) -> None:
    assert (codes(facts(age=age)) == []) is eligible


@pytest.mark.parametrize(("held", "capped"), [(0, False), (2, False), (3, True), (4, True)])
def test_yearly_cap_is_three(held: int, capped: bool) -> None:
    assert ("yearly_cap_reached" in codes(facts(held_this_year=held))) is capped


@pytest.mark.parametrize(
    ("held_level", "excluded"),
    [(5, False), (4, True), (3, True), (1, True)],
)
def test_a_certificate_excludes_its_level_and_lower_ones(held_level: int, excluded: bool) -> None:
    # Level 4 wanted; a level 5 certificate (lower grade) does not exclude it, 4 and up do.
    f = facts(certificates=[["4-10-01-05", held_level]])
    assert ("certificate_held" in codes(f)) is excluded


def test_a_certificate_in_another_occupation_does_not_count() -> None:
    assert codes(facts(certificates=[["6-01-01-01", 1]])) == []


@pytest.mark.parametrize(
    ("group", "months", "ok"),
    [
        ("enterprise_employee", 12, True),
        ("enterprise_employee", 11, False),
        ("unemployed", 24, False),
    ],
)
def test_spread_wings_needs_twelve_months_of_insurance(group: str, months: int, ok: bool) -> None:
    f = facts(programme="spread_wings", group=group, unemployment_insurance_months=months)
    assert (codes(f) == []) is ok


def test_veteran_and_poor_labour_programmes() -> None:
    assert codes(facts(programme="veteran")) == ["veteran_only"]
    assert codes(facts(programme="veteran", group="veteran", discharged_on="2026-01-01")) == []
    assert codes(facts(programme="poor_labour")) == ["registered_poor_only"]
    assert codes(facts(programme="poor_labour", registered_poor=True)) == []


def test_all_reasons_are_reported_together_with_clause_and_sentences() -> None:
    reasons = evaluate(
        facts(
            receives_pension=True,
            held_this_year=3,
            holds_occupation_level=True,
            certificates=[["4-10-01-05", 3]],
        )
    )
    assert [r.code for r in reasons] == [
        "pensioner",
        "yearly_cap_reached",
        "occupation_level_already_subsidised",
        "certificate_held",
    ]
    cap = reasons[1]
    assert cap.rule.clause.endswith("§二.(二).11")
    assert cap.sentence(english=False) == "每人每年最多享受3次职业培训补贴，您2026年已有3次。"
    assert cap.sentence(english=True).startswith("At most 3 subsidised trainings a year")


def test_every_rule_has_a_clause_and_both_sentences() -> None:
    for rule in RULES.values():
        assert rule.clause
        assert rule.zh
        assert rule.en


def test_facts_round_trip_through_json() -> None:
    f = facts(certificates=[["4-10-01-05", 3]], programme="spread_wings")
    assert Facts.from_json(f.to_json()) == f


def test_subsidy_year_is_the_shanghai_calendar_year() -> None:
    # 2026-12-31 16:00 UTC is already 2027-01-01 00:00 in Jining.
    assert rules.subsidy_year(dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)) == 2027
    assert rules.subsidy_year(dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=dt.UTC)) == 2026


def test_age_counts_birthdays() -> None:
    assert age_on(dt.date(2000, 6, 15), TODAY) == 26
    assert age_on(dt.date(2000, 6, 16), TODAY) == 25
    assert age_on(dt.date(2000, 2, 29), dt.date(2026, 2, 28)) == 25


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
