"""Logins, token rotation and staff accounts."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts import repository
from gateway.accounts.models import Account, RefreshToken
from gateway.accounts.schemas import TokenPair
from gateway.accounts.security import (
    hash_password,
    issue_access_token,
    new_refresh_token,
    refresh_token_hash,
    verify_password,
)
from gateway.accounts.wechat import WeChatProvider
from gateway.config import Settings
from plumbing.clock import utcnow
from plumbing.errors import DomainError
from plumbing.principal import Principal


def principal_of(account: Account) -> Principal:
    assert account.id is not None
    return Principal(
        id=account.id,
        role=account.role,  # type: ignore[arg-type]
        username=account.username,
        unit_code=account.unit_code,
        institution_id=account.institution_id,
        evaluation_body_id=account.evaluation_body_id,
    )


async def _issue(
    session: AsyncSession, settings: Settings, account: Account, family_id: str | None = None
) -> TokenPair:
    assert account.id is not None
    token, token_hash = new_refresh_token()
    session.add(
        RefreshToken(
            token_hash=token_hash,
            family_id=family_id or uuid.uuid4().hex,
            account_id=account.id,
            expires_at=utcnow() + dt.timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    await session.commit()
    return TokenPair(
        access_token=issue_access_token(settings, principal_of(account)),
        refresh_token=token,
        expires_in=settings.access_token_ttl_s,
    )


async def login(
    session: AsyncSession, settings: Settings, username: str, password: str
) -> TokenPair:
    """Staff login with username and password."""
    now = utcnow()
    account = await repository.get_by_username(session, username)
    if account is not None and account.locked_until is not None:
        until = account.locked_until.replace(tzinfo=account.locked_until.tzinfo or dt.UTC)
        if until > now:
            wait = max(1, int((until - now).total_seconds()) + 1)
            raise DomainError(
                "account_locked",
                f"too many wrong passwords; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
    ok = verify_password(password, account.password_hash if account else None)
    if account is not None and account.id is not None and not ok:
        await repository.record_failed_login(
            session, account.id, now, settings.lockout_failures, settings.lockout_s
        )
        await session.commit()
    if account is None or not ok or account.disabled_at is not None:
        raise DomainError("invalid_credentials", "wrong username or password")
    if account.failed_logins or account.locked_until is not None:
        assert account.id is not None
        await repository.clear_failed_logins(session, account.id)
    return await _issue(session, settings, account)


async def wechat_login(
    session: AsyncSession, settings: Settings, provider: WeChatProvider, code: str
) -> TokenPair:
    """Worker login: the WeChat code becomes an openid; the account is made on first use."""
    openid = await provider.openid_for(code)
    account = await repository.get_by_openid(session, openid)
    if account is None:
        account = Account(role="worker", wechat_openid=openid)
        session.add(account)
        try:
            await session.flush()
        except IntegrityError:
            # Two first logins raced: the other one made the account.
            await session.rollback()
            account = await repository.get_by_openid(session, openid)
            assert account is not None
    if account.disabled_at is not None:
        raise DomainError("invalid_credentials", "this account is disabled")
    return await _issue(session, settings, account)


async def refresh(session: AsyncSession, settings: Settings, token: str) -> TokenPair:
    """Rotate a refresh token; reusing a spent one revokes its whole family."""
    now = utcnow()
    stored = await repository.get_refresh(session, refresh_token_hash(token))
    if stored is None or stored.id is None:
        raise DomainError("invalid_token", "unknown refresh token")
    if stored.expires_at.replace(tzinfo=stored.expires_at.tzinfo or dt.UTC) <= now:
        raise DomainError("invalid_token", "the refresh token has expired")
    if not await repository.spend_refresh(session, stored.id, now):
        await repository.revoke_family(session, stored.family_id, now)
        await session.commit()
        raise DomainError(
            "invalid_token", "the refresh token was already used; please log in again"
        )
    account = await repository.get(session, stored.account_id)
    if account is None or account.disabled_at is not None:
        raise DomainError("invalid_token", "the account is no longer active")
    return await _issue(session, settings, account, family_id=stored.family_id)


async def logout(session: AsyncSession, token: str) -> None:
    """Revoke the refresh token's family."""
    stored = await repository.get_refresh(session, refresh_token_hash(token))
    if stored is not None:
        await repository.revoke_family(session, stored.family_id, utcnow())
        await session.commit()


async def create_staff(
    session: AsyncSession, username: str, password: str, institution_id: int, unit_code: str
) -> Account:
    """An institution staff account, bound to one institution."""
    account = Account(
        username=username,
        password_hash=hash_password(password),
        role="institution",
        institution_id=institution_id,
        unit_code=unit_code,
    )
    session.add(account)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DomainError("conflict", f"username '{username}' is taken", field="username") from exc
    return account


DEMO_STAFF = (
    ("city-officer", "government", None, None),
    ("rencheng-officer", "government", "rencheng", None),
    ("finance-officer", "finance", None, None),
    ("finance-officer-2", "finance", None, None),
    ("evaluator", "evaluator", None, 1),
)


async def seed_demo_accounts(session: AsyncSession, password: str) -> None:
    """The demo staff accounts of DESIGN.md (idempotent). Demo mode only."""
    for username, role, unit_code, body_id in DEMO_STAFF:
        if await repository.get_by_username(session, username) is None:
            session.add(
                Account(
                    username=username,
                    password_hash=hash_password(password),
                    role=role,
                    unit_code=unit_code,
                    evaluation_body_id=body_id,
                    is_demo=True,
                )
            )
    await session.commit()
