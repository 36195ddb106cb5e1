"""HTTP routes of the special account."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.enrolment.deps import SettingsDep
from services.enrolment.ledger import service
from services.enrolment.ledger.schemas import (
    BalancePublic,
    DepositCreate,
    DepositPublic,
    LedgerEntryPublic,
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
