"""The supervision alerts (issue 7, item 5), beside issue 3's rating watch list: unusual pass
rates, devices and phones shared by many workers, open learning anomalies, claims near their
deadline and units behind their quota pace; each row links to the orders or institution
behind it."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gateway.clients import Services
from gateway.deps import Government
from gateway.flow.quota_progress import quota_progress
from gateway.problems import doc
from plumbing.clock import shanghai_today

router = APIRouter(prefix="/api/v1", tags=["supervision"])
AlertKind = Literal[
    "all_passed", "shared_device", "shared_phone", "learning_anomaly", "claim_due", "behind_pace"
]


class Alert(BaseModel):
    kind: AlertKind
    unit_code: str | None
    institution_id: int | None
    detail: str
    # Gateway paths of the institution or orders behind the row.
    links: list[str]


class AlertList(BaseModel):
    items: list[Alert]
    total: int


def order_links(order_ids: list[int]) -> list[str]:
    return [f"/api/v1/orders/{i}" for i in order_ids]


@router.get("/supervision/alerts", **doc(AlertList))
async def alerts(user: Government, request: Request, svc: Services) -> AlertList:
    """Rows for a closer look (a unit officer sees their unit's): proposals, not verdicts."""
    signals, progress = await asyncio.gather(
        svc.enrolment.call(request, "GET", "/v1/stats/watch", user),
        quota_progress(request, svc, user, shanghai_today().year),
    )
    items: list[Alert] = []
    for p in signals["pass_rates"]:
        items.append(
            Alert(
                kind="all_passed",
                unit_code=None,
                institution_id=p["institution_id"],
                detail=f"all {p['candidates']} candidates passed the evaluation",
                links=[f"/api/v1/institutions/{p['institution_id']}"],
            )
        )
    for d in signals["shared_devices"]:
        items.append(
            Alert(
                kind="shared_device",
                unit_code=None,
                institution_id=None,
                detail=f"device {d['device_id']} was used by {d['workers']} workers",
                links=order_links(d["order_ids"]),
            )
        )
    for ph in signals.get("shared_phones", []):
        items.append(
            Alert(
                kind="shared_phone",
                unit_code=None,
                institution_id=None,
                detail=(
                    f"phone {ph['phone_masked']} is on {ph['workers']} worker profiles "
                    f"(workers {', '.join(str(w) for w in ph['worker_ids'])})"
                ),
                links=order_links(ph["order_ids"]),
            )
        )
    for f in signals["learning_flags"]:
        items.append(
            Alert(
                kind="learning_anomaly",
                unit_code=f["unit_code"],
                institution_id=None,
                detail=f"{f['kind']}: {f['detail']}",
                links=[*order_links([f["order_id"]]), f"/api/v1/flags?order_id={f['order_id']}"],
            )
        )
    for c in signals["claims_due"]:
        items.append(
            Alert(
                kind="claim_due",
                unit_code=c["unit_code"],
                institution_id=c["institution_id"],
                detail=f"the claim on order {c['order_id']} is due in {c['days_left']} day(s)",
                links=order_links([c["order_id"]]),
            )
        )
    for row in progress.items:
        if row.behind_pace:
            items.append(
                Alert(
                    kind="behind_pace",
                    unit_code=row.unit_code,
                    institution_id=None,
                    detail=(
                        f"{row.steps.completed} of {row.quota} person-times completed "
                        f"({row.progress_pct}%), {row.expected_pct}% expected by now"
                    ),
                    links=[f"/api/v1/reports/quota-progress?year={progress.year}"],
                )
            )
    return AlertList(items=items, total=len(items))
