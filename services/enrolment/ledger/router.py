"""HTTP routes of the special account."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal, require_role
from services.enrolment.deps import SettingsDep
from services.enrolment.fields import FundingSource
from services.enrolment.ledger import service
from services.enrolment.ledger.reconcile import reconcile
from services.enrolment.ledger.schemas import (
    BalancePublic,
    BreakPublic,
    DepositCreate,
    DepositPublic,
    LedgerEntryPublic,
    ReconciliationPublic,
)

router = APIRouter(prefix="/v1/funds", tags=["funds"])


@router.get("/balance", response_model=BalancePublic)
async def get_balance(principal: CurrentPrincipal, session: SessionDep) -> BalancePublic:
    """The special account's balance, per funding source."""
    return await service.get_balance(session, principal)


@router.post("/deposits", status_code=201, response_model=DepositPublic)
async def deposit_funds(
    body: DepositCreate, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> DepositPublic:
    """Pay money from a pooled fund into the special account."""
    return await service.deposit_funds(session, principal, body, settings.audit_key)


@router.get("/ledger", response_model=Page[LedgerEntryPublic])
async def list_ledger(
    principal: CurrentPrincipal, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> Page[LedgerEntryPublic]:
    """The ledger's entries, newest first."""
    return await service.list_ledger(session, principal, limit, offset)


@router.get("/reconciliation", response_model=ReconciliationPublic)
async def reconciliation(principal: CurrentPrincipal, session: SessionDep) -> ReconciliationPublic:
    """Orders ↔ claims ↔ holds ↔ ledger ↔ balances: every break."""
    require_role(principal, "finance", "government", "admin")
    breaks = await reconcile(session)
    return ReconciliationPublic(
        consistent=not breaks, breaks=[BreakPublic(**b.__dict__) for b in breaks]
    )


@router.get("/ledger/period", response_model=list[LedgerEntryPublic])
async def ledger_period(
    principal: CurrentPrincipal,
    session: SessionDep,
    from_on: dt.date,
    to_on: dt.date,
    source: FundingSource | None = None,
) -> list[LedgerEntryPublic]:
    """The entries of one source (or all) booked from `from_on` to `to_on` (inclusive,
    Asia/Shanghai dates), oldest first: what finance exports."""
    return await service.ledger_period(session, principal, source, from_on, to_on)
