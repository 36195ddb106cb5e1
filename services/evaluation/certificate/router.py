"""HTTP routes for certificates."""

from __future__ import annotations

from fastapi import APIRouter, Request

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.certificate import service
from services.evaluation.certificate.models import Certificate
from services.evaluation.certificate.schemas import (
    CertificatePublic,
    CertificateVerification,
    RevokeIn,
    Status,
)

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])


def verify_url(request: Request, number: str) -> str:
    base: str = request.app.state.settings.certificate_verify_base
    return f"{base.rstrip('/')}/{number}"


def to_public(
    request: Request, certificate: Certificate, body_name: str | None = None
) -> CertificatePublic:
    public = CertificatePublic.model_validate(certificate)
    public.verify_url = verify_url(request, certificate.number)
    public.body_name = body_name
    return public


@router.get("/{number}", response_model=CertificateVerification)
async def verify_certificate(
    number: str, request: Request, session: SessionDep
) -> CertificateVerification:
    """Verify a certificate by its number; no principal needed. The holder's name is masked."""
    certificate, body_name = await service.verify_certificate(session, number)
    public = CertificateVerification.model_validate(certificate)
    public.body_name = body_name
    public.verify_url = verify_url(request, certificate.number)
    return public


@router.get("", response_model=Page[CertificatePublic])
async def list_certificates(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    worker_id: int | None = None,
    order_id: int | None = None,
    status: Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CertificatePublic]:
    """Certificates by worker or order (staff, or the worker itself)."""
    rows, total = await service.list_certificates(
        session,
        principal,
        worker_id=worker_id,
        order_id=order_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    items = [to_public(request, r, name) for r, name in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/{number}/revoke", response_model=CertificatePublic)
async def revoke_certificate(
    number: str, body: RevokeIn, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> CertificatePublic:
    """Revoke a certificate: valid → revoked (government or admin)."""
    revoked = await service.revoke_certificate(session, principal, number, body.reason)
    return to_public(request, revoked)
