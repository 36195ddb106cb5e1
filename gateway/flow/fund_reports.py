"""Finance's reports on the special account (issue 6, item 7): reconciliation, and exports of
the ledger per funding source and period as CSV (UTF-8 with BOM, for Excel) or XLSX."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from gateway.clients import Services
from gateway.deps import Finance, roles
from gateway.flow.report_files import XLSX, Section, attachment, csv_bytes, to_xlsx
from gateway.problems import doc, problems
from plumbing.clock import SHANGHAI
from plumbing.principal import Principal

router = APIRouter(prefix="/api/v1")
BooksReader = Annotated[Principal, Depends(roles("finance", "government", "admin"))]
Source = Literal[
    "employment_subsidy",
    "entrepreneurship",
    "special_training",
    "employee_education",
    "unemployment_insurance",
]
COLUMNS = (
    "entry_id",
    "booked_at",
    "txn_id",
    "source",
    "account",
    "kind",
    "amount_fen",
    "amount_yuan",
    "claim_id",
    "deposit_id",
)


class ReconciliationBreak(BaseModel):
    kind: str
    ref: str
    detail: str


class Reconciliation(BaseModel):
    consistent: bool
    breaks: list[ReconciliationBreak]


@router.get("/funds/reconciliation", tags=["funds"], **doc(Reconciliation))
async def reconciliation(user: BooksReader, request: Request, svc: Services) -> Any:
    """Orders ↔ claims ↔ holds ↔ ledger ↔ balances: every break, none when consistent."""
    return await svc.enrolment.call(request, "GET", "/v1/funds/reconciliation", user)


def _rows(entries: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for e in entries:
        booked = dt.datetime.fromisoformat(str(e["created_at"]).replace("Z", "+00:00"))
        rows.append(
            [
                e["id"],
                booked.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                e["txn_id"],
                e["source"],
                e["account"],
                e["kind"],
                e["amount_fen"],
                f"{e['amount_fen'] / 100:.2f}",
                e["claim_id"],
                e["deposit_id"],
            ]
        )
    return rows


@router.get(
    "/funds/ledger/export",
    tags=["funds"],
    response_class=Response,
    responses={
        200: {"description": "The file", "content": {"text/csv": {}, XLSX: {}}},
        **problems("validation_failed"),
    },
)
async def export_ledger(
    user: Finance,
    request: Request,
    svc: Services,
    from_on: dt.date,
    to_on: dt.date,
    source: Source | None = None,
    format: Literal["csv", "xlsx"] = Query("csv"),
) -> Response:
    """The ledger's entries of one funding source (or all) for a period, Asia/Shanghai dates
    inclusive, as CSV (UTF-8 with BOM) or XLSX."""
    params = {"from_on": from_on.isoformat(), "to_on": to_on.isoformat(), "source": source}
    entries = await svc.enrolment.call(
        request, "GET", "/v1/funds/ledger/period", user, params=params
    )
    rows = _rows(entries)
    name = f"ledger-{source or 'all'}-{from_on.isoformat()}-{to_on.isoformat()}"
    if format == "xlsx":
        sheet: Section = (source or "all", list(COLUMNS), rows, {})
        content, media = await asyncio.to_thread(to_xlsx, [sheet]), XLSX
    else:
        content, media = csv_bytes([COLUMNS, *rows]), "text/csv; charset=utf-8"
    disposition = attachment(f"{name}.{format}", f"{name}.{format}")
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})
