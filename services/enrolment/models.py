"""Every table of the service, imported once so the metadata is complete (migrations, tests)."""

from services.enrolment.audit.models import AuditEntry, AuditHead
from services.enrolment.claims.models import (
    Claim,
    ClaimEvent,
    ClaimObjection,
    PaymentBatch,
    PaymentBatchItem,
)
from services.enrolment.demand.models import TrainingRequest
from services.enrolment.learning.models import LearningFlag
from services.enrolment.ledger.models import Deposit, FundBalance, FundHold, LedgerEntry
from services.enrolment.notifications.models import Notification
from services.enrolment.offerings.models import Offering
from services.enrolment.orders.models import AttendanceRecord, Order, OrderEvent, WorkerYearCount
from services.enrolment.stats.models import UnitStepCount
from services.enrolment.workers.models import WorkerProfile

__all__ = [
    "AttendanceRecord",
    "AuditEntry",
    "AuditHead",
    "Claim",
    "ClaimEvent",
    "ClaimObjection",
    "Deposit",
    "FundBalance",
    "FundHold",
    "LearningFlag",
    "LedgerEntry",
    "Notification",
    "Offering",
    "Order",
    "OrderEvent",
    "PaymentBatch",
    "PaymentBatchItem",
    "TrainingRequest",
    "UnitStepCount",
    "WorkerProfile",
    "WorkerYearCount",
]
