"""Reading orders, in the caller's scope, and the helpers every order use case shares."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plumbing.errors import Forbidden, InvalidState, NotFound
from plumbing.pagination import Page
from plumbing.principal import Principal
from services.enrolment.orders import repository
from services.enrolment.orders.models import Order
from services.enrolment.orders.schemas import OrderPublic
from services.enrolment.sql import by_id_in_scope, scope_filter


def to_public(order: Order | Row[Any]) -> OrderPublic:
    """The answer, from the ORM row or from an UPDATE ... RETURNING row (same columns)."""
    return OrderPublic.model_validate(order, from_attributes=True)


# Workers see their own orders, institutions theirs, unit officers their unit's; evaluators
# read any order to record a result.
_SCOPE: dict[str, Any] = {
    "worker": col(Order.worker_id),
    "institution": col(Order.institution_id),
    "unit": col(Order.unit_code),
}
_EVERYONE = ("finance", "admin", "evaluator")


def order_scope(principal: Principal) -> list[ColumnElement[bool]]:
    return scope_filter(principal, everyone=_EVERYONE, **_SCOPE)


async def load_order(session: AsyncSession, principal: Principal, order_id: int) -> Order:
    """The order if it is in the caller's scope; otherwise not_found, so ids do not leak."""
    stmt, params = by_id_in_scope(
        session,
        "load_order",
        Order,
        col(Order.id),
        principal,
        order_id,
        everyone=_EVERYONE,
        populate_existing=True,
        **_SCOPE,
    )
    order: Order | None = (await session.execute(stmt, params)).scalar_one_or_none()
    if order is None:
        raise NotFound("order", order_id)
    return order


def require_institution_of(principal: Principal, order: Order) -> None:
    if principal.role != "institution" or principal.institution_id != order.institution_id:
        raise Forbidden("only staff of the order's institution may do this")


def require_owner(principal: Principal, order: Order) -> None:
    if principal.role != "worker" or principal.id != order.worker_id:
        raise Forbidden("only the worker who holds the order may do this")


async def move(
    session: AsyncSession,
    order: Order,
    principal: Principal,
    from_status: str,
    to_status: str,
    action: str,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
    only_if: tuple[ColumnElement[bool], ...] = (),
) -> Row[Any]:
    """One conditional transition plus its event; the wrong state rolls back and says which.
    Returns the order's row as updated."""
    assert order.id is not None
    row = await repository.transition(session, order.id, from_status, to_status, values, only_if)
    if row is None:
        current = await repository.status_of(session, order.id)
        await session.rollback()
        raise InvalidState(current, action)
    await repository.add_event(session, order.id, from_status, to_status, principal, reason, action)
    return row


async def get_order(session: AsyncSession, principal: Principal, order_id: int) -> OrderPublic:
    """One order, if it is in the caller's scope."""
    stmt, params = by_id_in_scope(
        session,
        "read_order",
        repository.ORDERS,
        repository.ORDERS.c.id,
        principal,
        order_id,
        everyone=_EVERYONE,
        **_SCOPE,
    )
    order = (await session.execute(stmt, params)).first()
    if order is None:
        raise NotFound("order", order_id)
    return to_public(order)


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    status: str | None,
    offering_id: int | None,
    limit: int,
    offset: int,
) -> Page[OrderPublic]:
    """Orders in the caller's scope, newest first."""
    filters: list[ColumnElement[bool]] = []
    if status is not None:
        filters.append(col(Order.status) == status)
    if offering_id is not None:
        filters.append(col(Order.offering_id) == offering_id)
    items, total = await repository.list_orders(
        session, order_scope(principal), filters, limit, offset
    )
    return Page(items=[to_public(o) for o in items], total=total, limit=limit, offset=offset)
