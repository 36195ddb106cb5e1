"""What happened in a period, per unit: the figures of quota progress and monthly reports.

Every count is of transactions inside the period (Asia/Shanghai calendar dates, inclusive):
requests filed, orders selected, and orders reaching accepted / completed / certified /
failed / dropped per their recorded events, so a figure for a past month does not move when
an order later moves on; money is the claims paid in the period, by funding source.

Selections and steps are read from the counts kept with each event (stats/counts.py): a
step's target group is the worker's group when the step was taken, so a past month does not
move when a profile changes either."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from plumbing.clock import SHANGHAI
from plumbing.errors import DomainError, Forbidden
from plumbing.principal import Principal, require_role
from services.enrolment.claims.models import Claim
from services.enrolment.demand.models import TrainingRequest
from services.enrolment.stats.counts import STEPS, periods
from services.enrolment.stats.models import UnitStepCount
from services.enrolment.stats.schemas import (
    GroupFigures,
    SourceAmount,
    TradeFigures,
    TypeFigures,
    UnitFigures,
    UnitFiguresList,
)

PAID = ("paid", "clawed_back")


def _bounds(from_on: dt.date, to_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(from_on, dt.time(), SHANGHAI).astimezone(dt.UTC)
    end = dt.datetime.combine(to_on + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return start, end.astimezone(dt.UTC)


async def unit_figures(
    session: AsyncSession,
    principal: Principal,
    from_on: dt.date,
    to_on: dt.date,
    unit_code: str | None,
) -> UnitFiguresList:
    """Per unit: requests, orders by step, by target group and by trade and level, and the
    subsidies paid by source and kind, all inside [from_on, to_on]."""
    require_role(principal, "government", "admin", "finance")
    if principal.role == "government" and principal.unit_code is not None:
        if unit_code not in (None, principal.unit_code):
            raise Forbidden("a unit officer sees only their own unit")
        unit_code = principal.unit_code
    if to_on < from_on:
        raise DomainError("validation_failed", "to_on is before from_on")
    start, end = _bounds(from_on, to_on)

    units: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "requests": 0,
            "selected": 0,
            **dict.fromkeys(STEPS, 0),
            "paid": 0,
            "groups": defaultdict(lambda: defaultdict(int)),
            "trades": {},
            "types": defaultdict(lambda: defaultdict(int)),
            "sources": defaultdict(int),
            "kinds": defaultdict(int),
        }
    )

    def scoped(query: Any, column: Any) -> Any:
        return query if unit_code is None else query.where(column == unit_code)

    requests = sa_select(col(TrainingRequest.unit_code), func.count()).where(
        col(TrainingRequest.created_at) >= start, col(TrainingRequest.created_at) < end
    )
    for code, n in await session.execute(
        scoped(requests, col(TrainingRequest.unit_code)).group_by(col(TrainingRequest.unit_code))
    ):
        units[code]["requests"] = int(n)

    # Selections and steps come counted (stats/counts.py): whole months by their month rows,
    # the other days by their day rows, each range a range of the counts' primary key.
    t = UnitStepCount
    dims = (
        col(t.unit_code),
        col(t.dimension),
        col(t.step),
        col(t.target_group),
        col(t.occupation_code),
        col(t.occupation_name),
        col(t.level),
        col(t.training_type),
    )
    ranges = [
        and_(col(t.period) == period, col(t.starts_on) >= first, col(t.starts_on) <= last)
        for period, first, last in periods(from_on, to_on)
    ]
    counted = sa_select(*dims, func.sum(col(t.n))).where(or_(*ranges))
    for code, dimension, step, grp, occ, name, level, ttype, total in await session.execute(
        scoped(counted, col(t.unit_code)).group_by(*dims)
    ):
        n = int(total)
        unit = units[code]
        if dimension == "group":
            unit["groups"][grp][step] += n
            continue
        # Every counted step has one trade row per period: the totals are theirs.
        unit[step] += n
        unit["types"][ttype][step] += n
        key = (occ, level)
        unit["trades"].setdefault(key, {"name": name, "counts": defaultdict(int)})
        unit["trades"][key]["counts"][step] += n

    paid = sa_select(
        col(Claim.unit_code),
        col(Claim.kind),
        col(Claim.funding_source),
        func.count(),
        func.sum(col(Claim.amount_fen)),
    ).where(col(Claim.status).in_(PAID), col(Claim.paid_at) >= start, col(Claim.paid_at) < end)
    for code, kind, source, n, amount in await session.execute(
        scoped(paid, col(Claim.unit_code)).group_by(
            col(Claim.unit_code), col(Claim.kind), col(Claim.funding_source)
        )
    ):
        unit = units[code]
        if kind == "training":
            unit["paid"] += int(n)
        unit["sources"][source] += int(amount or 0)
        unit["kinds"][kind] += int(amount or 0)

    if unit_code is not None:
        units[unit_code]
    items = [_figures(code, units[code]) for code in sorted(units)]
    return UnitFiguresList(from_on=from_on, to_on=to_on, items=items, total=len(items))


def _counts(source: dict[str, int]) -> dict[str, int]:
    return {"selected": source.get("selected", 0), **{s: source.get(s, 0) for s in STEPS}}


def _figures(code: str, unit: dict[str, Any]) -> UnitFigures:
    return UnitFigures(
        unit_code=code,
        requests=unit["requests"],
        selected=unit["selected"],
        **{s: unit[s] for s in STEPS},
        paid=unit["paid"],
        subsidy_paid_fen=sum(unit["sources"].values()),
        paid_by_source=[
            SourceAmount(source=s, amount_fen=a) for s, a in sorted(unit["sources"].items())
        ],
        paid_by_kind=[
            SourceAmount(source=k, amount_fen=a) for k, a in sorted(unit["kinds"].items())
        ],
        by_group=[GroupFigures(group=g, **_counts(c)) for g, c in sorted(unit["groups"].items())],
        by_trade=[
            TradeFigures(
                occupation_code=occ, occupation_name=t["name"], level=level, **_counts(t["counts"])
            )
            for (occ, level), t in sorted(unit["trades"].items())
        ],
        by_training_type=[
            TypeFigures(training_type=t, **_counts(c)) for t, c in sorted(unit["types"].items())
        ],
    )
