"""Queries on accounts and refresh tokens (no commits, no decisions)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from gateway.accounts.models import Account, RefreshToken


async def get_by_username(session: AsyncSession, username: str) -> Account | None:
    result = await session.execute(select(Account).where(Account.username == username))
    return result.scalar_one_or_none()


async def get_by_openid(session: AsyncSession, openid: str) -> Account | None:
    result = await session.execute(select(Account).where(Account.wechat_openid == openid))
    return result.scalar_one_or_none()


async def get(session: AsyncSession, account_id: int) -> Account | None:
    return await session.get(Account, account_id)


async def get_refresh(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    result = await session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    )
    return result.scalar_one_or_none()


async def spend_refresh(session: AsyncSession, token_id: int, now: dt.datetime) -> bool:
    """Mark a refresh token used, once: False if it was already used or revoked."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            col(RefreshToken.id) == token_id,
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_family(session: AsyncSession, family_id: str, now: dt.datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


async def record_failed_login(
    session: AsyncSession, account_id: int, now: dt.datetime, failures: int, lock_s: int
) -> None:
    """Count a wrong password in one statement; the `failures`-th locks the account."""
    reached = col(Account.failed_logins) + 1 >= failures
    await session.execute(
        update(Account)
        .where(col(Account.id) == account_id)
        .values(
            failed_logins=case((reached, 0), else_=col(Account.failed_logins) + 1),
            locked_until=case(
                (reached, now + dt.timedelta(seconds=lock_s)), else_=col(Account.locked_until)
            ),
        )
    )


async def clear_failed_logins(session: AsyncSession, account_id: int) -> None:
    await session.execute(
        update(Account)
        .where(col(Account.id) == account_id)
        .values(failed_logins=0, locked_until=None)
    )
