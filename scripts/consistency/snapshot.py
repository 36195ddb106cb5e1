"""The rows the consistency checks compare, read from the four databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, select

from gateway.accounts.models import Account
from plumbing.db import is_sqlite, make_engine, make_sessionmaker
from plumbing.settings import CommonSettings, database_url
from services.enrolment.claims.models import Claim
from services.enrolment.demand.models import TrainingRequest
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import AttendanceRecord, Order, OrderEvent
from services.enrolment.workers.models import WorkerProfile
from services.evaluation.body.models import EvaluationBody
from services.evaluation.certificate.models import Certificate
from services.evaluation.entitlement.models import Entitlement
from services.evaluation.result.models import Result
from services.evaluation.session.models import Candidate
from services.institutions.catalogue.models import CatalogueItem, Unit
from services.institutions.institution.models import (
    Institution,
    InstitutionApproval,
    InstitutionEvent,
)
from services.institutions.supervision.models import ClassPlan

DATABASES = ("gateway", "institutions", "enrolment", "evaluation")

M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True)
class Finding:
    """One disagreement: a stable `check` code, a sentence, and the rows involved."""

    check: str
    detail: str
    refs: dict[str, Any] = field(default_factory=dict)


class Findings(list[Finding]):
    def add(self, check: str, detail: str, **refs: Any) -> None:
        self.append(Finding(check, detail, refs))


@dataclass
class Snapshot:
    """One list per table, as the owning service stores it."""

    accounts: list[Account]
    institutions: list[Institution]
    approvals: list[InstitutionApproval]
    institution_events: list[InstitutionEvent]
    catalogue_items: list[CatalogueItem]
    units: list[Unit]
    class_plans: list[ClassPlan]
    profiles: list[WorkerProfile]
    requests: list[TrainingRequest]
    offerings: list[Offering]
    orders: list[Order]
    order_events: list[OrderEvent]
    attendance: list[AttendanceRecord]
    claims: list[Claim]
    bodies: list[EvaluationBody]
    results: list[Result]
    certificates: list[Certificate]
    entitlements: list[Entitlement]
    candidates: list[Candidate]


TABLES: dict[str, dict[str, type[SQLModel]]] = {
    "gateway": {"accounts": Account},
    "institutions": {
        "institutions": Institution,
        "approvals": InstitutionApproval,
        "institution_events": InstitutionEvent,
        "catalogue_items": CatalogueItem,
        "units": Unit,
        "class_plans": ClassPlan,
    },
    "enrolment": {
        "profiles": WorkerProfile,
        "requests": TrainingRequest,
        "offerings": Offering,
        "orders": Order,
        "order_events": OrderEvent,
        "attendance": AttendanceRecord,
        "claims": Claim,
    },
    "evaluation": {
        "bodies": EvaluationBody,
        "results": Result,
        "certificates": Certificate,
        "entitlements": Entitlement,
        "candidates": Candidate,
    },
}


def configured_urls(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each database's URL as its process finds it, unless overridden."""
    var_dir = CommonSettings().var_dir
    urls = {name: database_url(name, var_dir) for name in DATABASES}
    urls.update(overrides or {})
    return urls


async def _rows(session: AsyncSession, model: type[M]) -> list[M]:
    return list((await session.execute(select(model))).scalars().all())


class Reader:
    """One engine per database, kept for several snapshots (a test takes many)."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        # One snapshot per database: SQLite's transactions are serialised; PostgreSQL's
        # default (read committed) would give each query its own.
        self.engines = {
            name: make_engine(url)
            if is_sqlite(url)
            else make_engine(url, isolation_level="REPEATABLE READ", pool_size=1)
            for name, url in urls.items()
            if name in TABLES
        }

    async def load(self) -> Snapshot:
        """Every table the checks need: one query each, one transaction per database."""
        tables: dict[str, list[Any]] = {}
        for database, models in TABLES.items():
            async with make_sessionmaker(self.engines[database])() as session:
                for name, model in models.items():
                    tables[name] = await _rows(session, model)
        return Snapshot(**tables)

    async def aclose(self) -> None:
        for engine in self.engines.values():
            await engine.dispose()


async def load(urls: Mapping[str, str]) -> Snapshot:
    """Read the four databases once."""
    reader = Reader(urls)
    try:
        return await reader.load()
    finally:
        await reader.aclose()


def utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every service stores UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
