"""HTTP routes of the read-only statistics (government, through the gateway)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.principal import CurrentPrincipal
from services.enrolment.deps import SettingsDep
from services.enrolment.fields import UnitCode
from services.enrolment.stats import service, units, watch
from services.enrolment.stats.schemas import (
    InstitutionOutcomeList,
    OpenOrderList,
    UnitFiguresList,
    WatchSignals,
)

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("/institutions", response_model=InstitutionOutcomeList)
async def institution_outcomes(
    principal: CurrentPrincipal, session: SessionDep, institution_id: int | None = None
) -> InstitutionOutcomeList:
    """Order and claim outcomes per institution (the inputs of the performance rating)."""
    return await service.institution_outcomes(session, principal, institution_id)


@router.get("/institutions/{institution_id}/open-orders", response_model=OpenOrderList)
async def open_orders(
    institution_id: int, principal: CurrentPrincipal, session: SessionDep
) -> OpenOrderList:
    """An institution's orders still waiting on it (selected or accepted)."""
    return await service.open_orders(session, principal, institution_id)


@router.get("/units", response_model=UnitFiguresList)
async def unit_figures(
    principal: CurrentPrincipal,
    session: SessionDep,
    from_on: dt.date,
    to_on: dt.date,
    unit_code: UnitCode | None = None,
) -> UnitFiguresList:
    """Per unit: requests, orders by step, group and trade, subsidies paid, in a period. A
    step counts under the worker's target group when it was taken."""
    return await units.unit_figures(session, principal, from_on, to_on, unit_code)


@router.get("/watch", response_model=WatchSignals)
async def watch_signals(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> WatchSignals:
    """Signals for the watch list: all-pass institutions, shared devices, open learning
    flags, claims due soon."""
    return await watch.watch_signals(session, principal, settings)
