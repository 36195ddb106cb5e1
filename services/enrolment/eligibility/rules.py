"""The plan's eligibility rules as data and code: each rule has a code, the plan clause it
implements, a plain-language sentence in Chinese and English, and the rule-set version.

`evaluate(facts)` is pure: the facts a selection was decided on are stored with the order,
so an auditor can replay the decision with the same version of these rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# Bump when a rule's meaning changes; orders keep the version they were decided under.
RULE_VERSION = "2019-49.2"

PLAN = "济政办字〔2019〕49号"
# PLAN §二.(二).11: at most 3 subsidised trainings per person per year.
YEARLY_CAP = 3
# Labour Law art. 15: nobody under 16 may be employed, so nobody under 16 is trained for a job.
MINIMUM_AGE = 16
# PLAN §二.(一) "Spread Wings" (展翅行动): employees insured against unemployment ≥ 12 months.
SPREAD_WINGS_MONTHS = 12

# Offerings may belong to a programme with conditions on who may join (PLAN §二.(一)).
PROGRAMMES = ("spread_wings", "veteran", "poor_labour")


@dataclass(frozen=True)
class Rule:
    code: str
    clause: str
    zh: str
    en: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "profile_required",
            "DESIGN 实名登记",
            "请先完成实名登记。",
            "Complete the real-name profile first.",
        ),
        Rule(
            "pensioner",
            f"{PLAN} §二.(二).11",
            "领取基本养老金的人员不能享受职业培训补贴。",
            "People drawing a basic pension are not eligible for subsidised training.",
        ),
        Rule(
            "under_minimum_age",
            "《劳动法》第十五条",
            "年满{minimum_age}周岁才能参加补贴性职业培训（您现在{age}岁）。",
            "You must be at least {minimum_age} to enrol (you are {age}).",
        ),
        Rule(
            "yearly_cap_reached",
            f"{PLAN} §二.(二).11",
            "每人每年最多享受{cap}次职业培训补贴，您{year}年已有{held}次。",
            "At most {cap} subsidised trainings a year; you already have {held} in {year}.",
        ),
        Rule(
            "occupation_level_already_subsidised",
            f"{PLAN} §二.(二).11",
            "同一职业同一等级不能重复享受培训补贴，您已报名或完成过该职业该等级的补贴培训。",
            "The same occupation at the same level is subsidised once; you already have it.",
        ),
        Rule(
            "certificate_held",
            f"{PLAN} §二.(二).11",
            "您已持有该职业{held_level}级证书，不能再享受该等级或更低等级的培训补贴。",
            "You hold a level {held_level} certificate in this occupation, so this level and "
            "lower ones are not subsidised.",
        ),
        Rule(
            "spread_wings_insurance_short",
            f"{PLAN} §二.(一) 展翅行动",
            "“展翅行动”仅面向参加失业保险满{months}个月的企业职工（您为{actual}个月）。",
            "The Spread Wings upgrade is for enterprise employees insured against unemployment "
            "for at least {months} months (you have {actual}).",
        ),
        Rule(
            "veteran_only",
            f"{PLAN} §二.(一) 退役军人",
            "该培训班面向已登记退役日期的退役军人。",
            "This offering is for veterans with a registered discharge date.",
        ),
        Rule(
            "registered_poor_only",
            f"{PLAN} §二.(一) 贫困劳动力",
            "该培训班面向建档立卡贫困劳动力。",
            "This offering is for registered poor households (建档立卡).",
        ),
    )
}


@dataclass
class Facts:
    """Everything the rules look at, as plain JSON-able values."""

    today: str
    has_profile: bool
    age: int | None = None
    receives_pension: bool | None = None
    group: str | None = None
    unemployment_insurance_months: int | None = None
    registered_poor: bool | None = None
    discharged_on: str | None = None
    year: int | None = None
    held_this_year: int = 0
    occupation_code: str | None = None
    level: int | None = None
    holds_occupation_level: bool = False
    # Valid certificates the worker holds, from evaluation: [[occupation_code, level], ...].
    certificates: list[list[Any]] = field(default_factory=list)
    programme: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        return cls(**data)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    def sentence(self, english: bool) -> str:
        template = self.rule.en if english else self.rule.zh
        return template.format(**self.params)


def best_certificate_level(facts: Facts) -> int | None:
    """The highest level held in the facts' occupation (1 is the highest grade)."""
    levels = [int(lv) for occ, lv in facts.certificates if occ == facts.occupation_code]
    return min(levels) if levels else None


def evaluate(facts: Facts) -> list[Reason]:
    """Every reason the worker could not select (empty: eligible), in a stable order."""
    if not facts.has_profile:
        return [Reason("profile_required")]
    reasons: list[Reason] = []
    # PLAN §二.(二).11: only people who do not draw a monthly basic pension are eligible.
    if facts.receives_pension:
        reasons.append(Reason("pensioner"))
    if facts.age is not None and facts.age < MINIMUM_AGE:
        reasons.append(Reason("under_minimum_age", {"minimum_age": MINIMUM_AGE, "age": facts.age}))
    # PLAN §二.(二).11: at most 3 subsidised trainings per person per year.
    if facts.held_this_year >= YEARLY_CAP:
        reasons.append(
            Reason(
                "yearly_cap_reached",
                {"cap": YEARLY_CAP, "held": facts.held_this_year, "year": facts.year},
            )
        )
    if facts.occupation_code is not None and facts.level is not None:
        # PLAN §二.(二).11: the same occupation at the same level is never subsidised twice.
        if facts.holds_occupation_level:
            reasons.append(Reason("occupation_level_already_subsidised"))
        # A certificate at this level or a higher one (smaller number) already proves the
        # skill: subsidising this level or a lower one again would pay twice for it.
        held = best_certificate_level(facts)
        if held is not None and held <= facts.level:
            reasons.append(Reason("certificate_held", {"held_level": held}))
    reasons.extend(_programme_reasons(facts))
    return reasons


def _programme_reasons(facts: Facts) -> list[Reason]:
    if facts.programme == "spread_wings":
        months = facts.unemployment_insurance_months or 0
        if facts.group != "enterprise_employee" or months < SPREAD_WINGS_MONTHS:
            return [
                Reason(
                    "spread_wings_insurance_short",
                    {"months": SPREAD_WINGS_MONTHS, "actual": months},
                )
            ]
    if facts.programme == "veteran" and (facts.group != "veteran" or not facts.discharged_on):
        return [Reason("veteran_only")]
    if facts.programme == "poor_labour" and not facts.registered_poor:
        return [Reason("registered_poor_only")]
    return []


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
