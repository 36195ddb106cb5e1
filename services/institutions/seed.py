"""Reference data (catalogues, units) and demo data, loaded idempotently on startup."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from plumbing.errors import DomainError
from plumbing.ids import credit_code_check_char
from services.institutions.catalogue.service import load_reference_data
from services.institutions.config import Settings
from services.institutions.institution import repository
from services.institutions.institution.schemas import Approval, InstitutionCreate
from services.institutions.institution.service import add_institution

# 12 = public institution (事业单位) registered by the establishment office, 370811 = Rencheng.
DEMO_CREDIT_PREFIX = "12370811MB0000001"
DEMO_CREDIT_CODE = DEMO_CREDIT_PREFIX + credit_code_check_char(DEMO_CREDIT_PREFIX)
DEMO_APPROVALS = [
    ("4-10-01-05", 5),  # 养老护理员
    ("4-10-01-05", 4),
    ("4-10-01-06", 5),  # 家政服务员
    ("4-10-01-02", 5),  # 育婴员
    ("6-31-01-03", 4),  # 电工
    ("6-31-01-03", 3),
    ("6-18-02-04", 4),  # 焊工
    ("6-18-01-01", 4),  # 数控车工
    ("4-12-01-01", 4),  # 汽车维修工
    ("4-01-02-02", 4),  # 电子商务师
]


async def seed_reference_data(session: AsyncSession, catalogue_csv: Path | None = None) -> int:
    """Insert missing catalogue items and units; returns how many rows were added."""
    return await load_reference_data(session, catalogue_csv or Settings().catalogue_csv)


async def seed_demo_data(session: AsyncSession) -> bool:
    """Register the demo institution if there is no institution at all; True if it did."""
    if await repository.count(session) > 0:
        return False
    body = InstitutionCreate(
        name="济宁市技师学院（演示）",
        credit_code=DEMO_CREDIT_CODE,
        kind="technical_school",
        unit_code="rencheng",
        address="济宁市任城区（演示地址）",
        contact_name="演示联系人",
        approvals=[Approval(occupation_code=c, level=lv) for c, lv in DEMO_APPROVALS],
    )
    try:
        await add_institution(session, body, None, demo=True)
    except DomainError:  # another process seeded it first (add_institution rolled back)
        return False
    await session.commit()
    return True
