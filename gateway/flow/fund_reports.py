"""Finance's reports on the special account (issue 6, item 7): reconciliation, and exports of
the ledger per funding source and period as CSV (UTF-8 with BOM, for Excel) or XLSX."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from openpyxl import Workbook
from pydantic import BaseModel

from gateway.clients import Services
from gateway.deps import Finance, roles
from gateway.problems import doc, problems
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
SHANGHAI = ZoneInfo("Asia/Shanghai")
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
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    # The BOM lets Excel read the UTF-8 (Chinese) text correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list[list[Any]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
        content = await asyncio.to_thread(_xlsx, rows, source or "all")
        media = XLSX
    else:
        content, media = _csv(rows), "text/csv; charset=utf-8"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )
