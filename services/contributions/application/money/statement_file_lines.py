"""One statement line recorded through the path every receipt takes (C-7): `record_line`.

Shared by ImportBankStatement (lines a client parsed) and ImportBankStatementFile (lines
read from the bank's own file), so a line is matched, kept in suspense or refused the same
way whichever way it came. Each line runs in its own savepoint: a refused line leaves no
trace (events included) and the others stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import AlreadyExists, DomainError
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import payment_store
from services.contributions.application.money.recording import PaymentLine, record_line

RECORDED, DUPLICATE, REJECTED, SKIPPED = "RECORDED", "DUPLICATE", "REJECTED", "SKIPPED"


@dataclass(frozen=True)
class LineRecorded:
    """What became of one line: `status` MATCHED or SUSPENSE for a payment stored by it
    (or by the earlier import of a duplicate), `reason` why it was refused or kept in
    suspense, `bills` the bills its money (or the employer's credit) reached."""

    outcome: str
    payment_id: str = ""
    status: str = ""
    reason: str = ""
    bills: tuple[str, ...] = ()


def record_statement_line(uow: UnitOfWork, scope: BranchScope, line: PaymentLine, today: date,
                          user: str, standing_later: set[str] | None = None) -> LineRecorded:
    try:
        with uow.savepoint():
            recorded = record_line(uow, scope, line, today, user, standing_later)
    except AlreadyExists:
        existing = payment_store.by_bank_reference(uow.session, line.bank_reference.strip())
        assert existing is not None  # AlreadyExists is raised only for a stored reference
        if (int(existing.amount_rupiah), existing.paid_on) == (line.amount_rupiah, line.paid_on):
            return LineRecorded(DUPLICATE, existing.payment_id, existing.status, "already recorded")
        return LineRecorded(REJECTED, existing.payment_id, "",
                            "bank reference already recorded with another amount or date")
    except DomainError as exc:
        return LineRecorded(REJECTED, reason=exc.message)
    row = recorded.payment  # as stored at the end of its line
    bills = tuple(recorded.match.bill_numbers) if recorded.match is not None else ()
    return LineRecorded(RECORDED, row.payment_id, row.status, row.suspense_reason or "", bills)
