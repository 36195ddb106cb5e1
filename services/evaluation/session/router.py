"""HTTP routes of sessions and candidates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from plumbing.crypto import PersonalDataCipher
from plumbing.db import SessionDep
from plumbing.pagination import Limit, Offset, Page
from plumbing.principal import CurrentPrincipal
from services.evaluation.session import service
from services.evaluation.session.schemas import (
    OCCUPATION_CODE,
    CandidateCreate,
    CandidatePublic,
    SessionCreate,
    SessionPublic,
)

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


async def get_cipher(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


CipherDep = Annotated[PersonalDataCipher, Depends(get_cipher)]


@router.post("", status_code=201, response_model=SessionPublic)
async def schedule_session(
    body: SessionCreate, principal: CurrentPrincipal, session: SessionDep
) -> SessionPublic:
    """Schedule a session for the evaluator's body (trade, level, date, place, capacity)."""
    return SessionPublic.model_validate(await service.schedule_session(session, principal, body))


@router.get("", response_model=Page[SessionPublic])
async def list_sessions(
    principal: CurrentPrincipal,
    session: SessionDep,
    body_id: int | None = None,
    occupation_code: str | None = Query(None, pattern=OCCUPATION_CODE),
    level: int | None = Query(None, ge=1, le=5),
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SessionPublic]:
    """Scheduled sessions, by date."""
    rows, total = await service.list_sessions(
        session,
        body_id=body_id,
        occupation_code=occupation_code,
        level=level,
        limit=limit,
        offset=offset,
    )
    items = [SessionPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{session_id}", response_model=SessionPublic)
async def get_session(
    session_id: int, principal: CurrentPrincipal, session: SessionDep
) -> SessionPublic:
    """One session with its seats left."""
    return SessionPublic.model_validate(await service.get_session(session, session_id))


@router.post("/{session_id}/candidates", status_code=201, response_model=CandidatePublic)
async def register_candidate(
    session_id: int,
    body: CandidateCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    cipher: CipherDep,
) -> CandidatePublic:
    """Register a candidate from a completed order or directly; 409 `session_full` past capacity."""
    candidate = await service.register_candidate(session, cipher, principal, session_id, body)
    return CandidatePublic.model_validate(candidate)


@router.get("/{session_id}/candidates", response_model=Page[CandidatePublic])
async def list_candidates(
    session_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CandidatePublic]:
    """The candidates of a session, names and ID numbers masked."""
    rows, total = await service.list_candidates(
        session, principal, session_id, limit=limit, offset=offset
    )
    items = [CandidatePublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
