"""The training catalogues: browsing them as of any date, and government publishing new
versions (as JSON, or a CSV/XLSX upload), and exporting any version."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from gateway.clients import Services
from gateway.deps import CurrentUser, Government
from gateway.flow.schemas import CatalogueItem
from gateway.flow.supervision_schemas import CatalogueVersion, VersionIn
from gateway.problems import doc
from gateway.strict import MAX_ID, Id
from plumbing.errors import DomainError
from plumbing.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["catalogue"])
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@router.get("/catalogue/items", **doc(Page[CatalogueItem], "not_in_catalogue"))
async def catalogue_items(
    user: CurrentUser,
    request: Request,
    svc: Services,
    catalogue: str | None = Query(None, pattern="^(key_industry|general)$"),
    occupation_code: str | None = Query(None, max_length=32),
    level: int | None = Query(None, ge=1, le=5),
    as_of: dt.date | None = Query(None, description="the items in force on this date (today)"),
    version: int | None = Query(
        None, ge=1, le=MAX_ID, description="the items of one version instead"
    ),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """The key-industry and general training catalogues in force on a date, with subsidy
    standards in fen."""
    params = {
        "catalogue": catalogue,
        "occupation_code": occupation_code,
        "level": level,
        "as_of": as_of.isoformat() if as_of else None,
        "version": version,
        "limit": limit,
        "offset": offset,
    }
    return await svc.institutions.call(request, "GET", "/v1/catalogue/items", user, params=params)


@router.get("/catalogue/versions", **doc(Page[CatalogueVersion]))
async def catalogue_versions(
    user: CurrentUser,
    request: Request,
    svc: Services,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    """The published catalogue versions, newest first, with their effective dates."""
    params = {"limit": limit, "offset": offset}
    return await svc.institutions.call(
        request, "GET", "/v1/catalogue/versions", user, params=params
    )


@router.post(
    "/catalogue/versions",
    **doc(
        CatalogueVersion,
        "version_out_of_order",
        "empty_version",
        "not_in_catalogue",
        "conflict",
        status=201,
    ),
)
async def publish_version(
    body: VersionIn, user: Government, request: Request, svc: Services
) -> Any:
    """Publish a new catalogue version (city-wide officers): items added, changed or retired,
    effective on a date no earlier than today and the latest version's."""
    return await svc.institutions.call(
        request, "POST", "/v1/catalogue/versions", user, json=body.model_dump(mode="json")
    )


@router.post(
    "/catalogue/versions/import",
    **doc(
        CatalogueVersion,
        "catalogue_import_invalid",
        "version_out_of_order",
        "empty_version",
        "conflict",
        status=201,
    ),
)
async def import_version(
    user: Government,
    request: Request,
    svc: Services,
    file: Annotated[UploadFile, File(description="the whole catalogue, CSV (UTF-8) or XLSX")],
    effective_on: Annotated[dt.date, Form()],
    note: Annotated[str | None, Form(max_length=500)] = None,
) -> Any:
    """Publish a whole catalogue from a CSV or XLSX file. Every row is checked; one bad row
    and nothing changes, and the answer lists each bad row with its number and reason."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError("validation_failed", "the file is larger than 5 MB")
    payload = {
        "effective_on": effective_on.isoformat(),
        "note": note or None,
        "filename": file.filename or "catalogue",
        "content_base64": base64.b64encode(content).decode(),
    }
    return await svc.institutions.call(
        request, "POST", "/v1/catalogue/versions/import", user, json=payload
    )


@router.get("/catalogue/versions/{number}", **doc(CatalogueVersion, "not_found"))
async def catalogue_version(number: Id, user: CurrentUser, request: Request, svc: Services) -> Any:
    """One published version."""
    return await svc.institutions.call(request, "GET", f"/v1/catalogue/versions/{number}", user)


@router.get(
    "/catalogue/versions/{number}/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "description": "the version's items",
        },
        **doc(None, "not_found")["responses"],
    },
)
async def export_version(
    number: Id,
    user: CurrentUser,
    request: Request,
    svc: Services,
    format: str = Query("csv", pattern="^(csv|xlsx)$"),
) -> Response:
    """Download a version as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    exported = await svc.institutions.call(
        request,
        "GET",
        f"/v1/catalogue/versions/{number}/export",
        user,
        params={"format": format},
    )
    filename = exported["filename"]
    return Response(
        base64.b64decode(exported["content_base64"]),
        media_type=exported["media_type"],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
