"""Writing events (inside the caller's transaction; never commits)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.principal import Principal
from services.evaluation.event.models import Event


def add_event(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: int,
    from_status: str | None,
    to_status: str,
    actor: Principal | None,
    reason: str | None = None,
) -> Event:
    event = Event(
        entity=entity,
        entity_id=entity_id,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        reason=reason,
    )
    session.add(event)
    return event
