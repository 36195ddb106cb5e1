"""The ledger's own audit: every entry pairs up, and each source's balance is its entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrolment.fields import FUNDING_SOURCES
from services.enrolment.ledger import repository


@dataclass
class LedgerReport:
    total_fen: int
    # source -> (balance_fen on fund_balances, sum of its special-account entries)
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.total_fen == 0 and not self.mismatches


async def ledger_check(session: AsyncSession) -> LedgerReport:
    """Sum of all entries is zero; each source's balance equals its special-account entries."""
    report = LedgerReport(total_fen=await repository.total(session))
    balances = await repository.balances(session)
    entries = await repository.sums_by_account_prefix(session, "special:")
    for source in FUNDING_SOURCES:
        balance, booked = balances.get(source, (0, 0))[0], entries.get(source, 0)
        if balance != booked:
            report.mismatches[source] = (balance, booked)
    return report
