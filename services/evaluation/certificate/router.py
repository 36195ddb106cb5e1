"""HTTP routes for certificates."""

from __future__ import annotations

from fastapi import APIRouter

from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.certificate import service
from services.evaluation.certificate.schemas import (
    CertificatePublic,
    CertificateVerification,
    RevokeIn,
    Status,
)

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])


@router.get("/{number}", response_model=CertificateVerification)
async def verify_certificate(number: str, session: SessionDep) -> CertificateVerification:
    """Verify a certificate by its number; no principal needed. The holder's name is masked."""
    certificate = await service.verify_certificate(session, number)
    return CertificateVerification.model_validate(certificate)


@router.get("", response_model=Page[CertificatePublic])
async def list_certificates(
    principal: CurrentPrincipal,
    session: SessionDep,
    worker_id: int | None = None,
    status: Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CertificatePublic]:
    """A worker's certificates (staff, or the worker itself)."""
    rows, total = await service.list_certificates(
        session, principal, worker_id=worker_id, status=status, limit=limit, offset=offset
    )
    return Page(
        items=[CertificatePublic.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post("/{number}/revoke", response_model=CertificatePublic)
async def revoke_certificate(
    number: str, body: RevokeIn, principal: CurrentPrincipal, session: SessionDep
) -> CertificatePublic:
    """Revoke a certificate: valid → revoked (government or admin)."""
    revoked = await service.revoke_certificate(session, principal, number, body.reason)
    return CertificatePublic.model_validate(revoked)
