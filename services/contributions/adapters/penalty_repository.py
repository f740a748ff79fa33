"""Penalties (denda, C-6) and their corrections (O-4) in the contributions database.

The branch scope (O-2) lives here: `PenaltyRepository` is built with the caller's scope;
a penalty of a branch the caller may not see is NotFound (as an unknown id), one it may
only read is refused for a change, and lists cover the caller's branches only.
`PenaltyBook` is the path of the assessment itself, a consequence of a payment the
caller was already allowed to record: it reads and writes by bill (or by the ids an
assessment just returned), with no scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, UTC
from typing import Any
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository
from services.contributions.adapters.money_tables import penalties, penalty_corrections, penalty_payments
from services.contributions.adapters.transaction_cursor import on_cursor
from services.contributions.domain.bills import OpenBill
from services.contributions.domain.periods import Period

ASSESSED, CORRECTED, WAIVED = "ASSESSED", "CORRECTED", "WAIVED"
PENDING, APPROVED, REJECTED = "PENDING", "APPROVED", "REJECTED"


@dataclass(frozen=True)
class Penalty:
    penalty_id: str
    bill_number: str
    npp: str
    branch_code: str
    period_year: int
    period_month: int
    late_contribution_rupiah: int
    months_late: int
    penalty_bp_per_month: int
    assessed_rupiah: int
    amount_rupiah: int
    status: str
    assessed_on: date
    rule_source: str
    paid_rupiah: int = 0
    settled_on: date | None = None

    @property
    def outstanding_rupiah(self) -> int:
        return max(self.amount_rupiah - self.paid_rupiah, 0)

    def open_item(self) -> OpenBill:
        """As an item a payment pays and arrears age (C-6, C-8): due the day it is assessed
        (the late payment that caused it is known then), of its bill's period."""
        return OpenBill(self.penalty_id, Period(self.period_year, self.period_month), self.assessed_on,
                        self.outstanding_rupiah)


@dataclass(frozen=True)
class PenaltyCorrection:
    correction_id: str
    penalty_id: str
    new_amount_rupiah: int
    waive: bool
    reason: str
    status: str
    requested_by: str
    approved_by: str | None
    rejected_by: str | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True)
class PenaltyWithCorrections:
    penalty: Penalty
    corrections: tuple[PenaltyCorrection, ...]


def _penalty(r) -> Penalty:
    return Penalty(r.penalty_id, r.bill_number, r.npp, r.branch_code, r.period_year, r.period_month,
                   int(r.late_contribution_rupiah), r.months_late, r.penalty_bp_per_month, int(r.assessed_rupiah),
                   int(r.amount_rupiah), r.status, r.assessed_on, r.rule_source, int(r.paid_rupiah or 0), r.settled_on)


def _correction(r) -> PenaltyCorrection:
    return PenaltyCorrection(r.correction_id, r.penalty_id, int(r.new_amount_rupiah), r.waive, r.reason, r.status,
                             r.requested_by, r.approved_by, r.rejected_by, r.rejection_reason)


# Built once: every payment of an employer reads its open penalties (twice).
_OPEN_OF = (select(penalties).where(penalties.c.npp == bindparam("npp"), penalties.c.amount_rupiah > penalties.c.paid_rupiah)
            .order_by(penalties.c.assessed_on, penalties.c.penalty_id))
_OPEN_OF_LOCKED = _OPEN_OF.with_for_update()


class PenaltyRepository(ScopedRepository):
    """One transaction's (or read's) view of penalties, within the caller's branches (O-2)."""

    def readable(self, penalty_id: str) -> Penalty:  # type: ignore[override]
        return _penalty(super().readable(select(penalties).where(penalties.c.penalty_id == penalty_id),
                                         penalties.c.branch_code, "penalty", penalty_id))

    def writable(self, penalty_id: str) -> Penalty:  # type: ignore[override]
        """The penalty, locked for the change."""
        return _penalty(super().writable(select(penalties).where(penalties.c.penalty_id == penalty_id),
                                         penalties.c.branch_code, "penalty", penalty_id))

    def require_listable(self, branch_code: str) -> None:
        """A branch the caller names in a list must be one it reads (PermissionDenied)."""
        if branch_code:
            self.scope.require_read(branch_code, "penalties")

    def page_ids(self, *, branch_code: str, npp: str, before: str | None, limit: int) -> list[str]:
        """Penalty ids, newest first, of the caller's branches (and of `branch_code`, refused
        when the caller does not read it, and `npp` when given)."""
        self.require_listable(branch_code)
        statement = self.scoped(select(penalties.c.penalty_id), penalties.c.branch_code)
        if branch_code:
            statement = statement.where(penalties.c.branch_code == branch_code)
        if npp:
            statement = statement.where(penalties.c.npp == npp)
        if before:
            statement = statement.where(penalties.c.penalty_id < before)
        return list(self.session.execute(statement.order_by(penalties.c.penalty_id.desc()).limit(limit)).scalars())

    def with_corrections(self, penalty_ids: Sequence[str]) -> list[PenaltyWithCorrections]:
        """The penalties in the order of `penalty_ids` (ids already checked against the scope)."""
        return PenaltyBook(self.session).with_corrections(penalty_ids)

    # ---- corrections (O-4) ---------------------------------------------------------
    def pending_correction(self, penalty_id: str) -> str | None:
        """The id of the correction of this penalty waiting for approval, if any."""
        row = self.session.execute(select(penalty_corrections.c.correction_id).where(
            penalty_corrections.c.penalty_id == penalty_id, penalty_corrections.c.status == PENDING)).first()
        return row.correction_id if row is not None else None

    def add_correction(self, *, correction_id: str, penalty_id: str, new_amount_rupiah: int, waive: bool,
                       reason: str, requested_by: str) -> PenaltyCorrection:
        self.session.execute(insert(penalty_corrections).values(
            correction_id=correction_id, penalty_id=penalty_id, new_amount_rupiah=new_amount_rupiah, waive=waive,
            reason=reason, status=PENDING, requested_by=requested_by, requested_at=datetime.now(UTC)))
        return _correction(self.session.execute(select(penalty_corrections).where(
            penalty_corrections.c.correction_id == correction_id)).one())

    def correction_for_change(self, correction_id: str) -> PenaltyCorrection:
        """The correction, locked; NotFound when unknown. Its penalty's branch is checked
        by `writable(correction.penalty_id)`."""
        row = self.session.execute(select(penalty_corrections).where(
            penalty_corrections.c.correction_id == correction_id).with_for_update()).first()
        if row is None:
            raise NotFound("penalty correction", correction_id)
        return _correction(row)

    def approve(self, correction: PenaltyCorrection, approved_by: str, status: str, today: date) -> None:
        """The correction approved, and applied to its penalty (new amount and status)."""
        self.session.execute(update(penalty_corrections).where(
            penalty_corrections.c.correction_id == correction.correction_id).values(
            status=APPROVED, approved_by=approved_by, approved_at=datetime.now(UTC)))
        self.session.execute(update(penalties).where(penalties.c.penalty_id == correction.penalty_id).values(
            amount_rupiah=correction.new_amount_rupiah, status=status))
        settled = self.session.execute(select(penalties.c.paid_rupiah, penalties.c.settled_on).where(
            penalties.c.penalty_id == correction.penalty_id)).one()
        if settled.settled_on is None and int(settled.paid_rupiah) >= correction.new_amount_rupiah:
            # Lowered to what was paid (or waived): nothing is left to pay from today.
            self.session.execute(update(penalties).where(penalties.c.penalty_id == correction.penalty_id)
                                 .values(settled_on=today))


    def reject(self, correction: PenaltyCorrection, rejected_by: str, reason: str) -> PenaltyCorrection:
        """The correction refused; its penalty is left as it was."""
        self.session.execute(update(penalty_corrections).where(
            penalty_corrections.c.correction_id == correction.correction_id).values(
            status=REJECTED, rejected_by=rejected_by, rejected_at=datetime.now(UTC), rejection_reason=reason))
        return _correction(self.session.execute(select(penalty_corrections).where(
            penalty_corrections.c.correction_id == correction.correction_id)).one())


class PenaltyBook:
    """The assessment path (C-6), by bill: a consequence of a payment, not a caller's read."""

    def __init__(self, session: Session):
        self.session = session

    def assessed(self, bill_number: str) -> bool:
        return self.session.execute(select(penalties.c.penalty_id)
                                    .where(penalties.c.bill_number == bill_number)).first() is not None

    def add(self, **values: Any) -> None:
        self.session.execute(insert(penalties).values(**values))

    def charged_on(self, bill_numbers: Iterable[str]) -> int:
        """The penalties (after corrections) assessed on these bills (C-7 penalty charged)."""
        return int(self.session.execute(select(func.sum(penalties.c.amount_rupiah))
                                        .where(penalties.c.bill_number.in_(list(bill_numbers)))).scalar() or 0)

    def open_of(self, npp: str, *, lock: bool = False) -> list[Penalty]:
        """The employer's penalties with something left to pay, oldest assessment first."""
        return [_penalty(r) for r in on_cursor(self.session).execute(_OPEN_OF_LOCKED if lock else _OPEN_OF, {"npp": npp})]

    def pay(self, penalty: Penalty, source_id: str, amount: int, paid_on: date, *, from_credit: bool) -> dict:
        """`amount` of `source_id` reaches the penalty; paid off, it is settled on `paid_on`."""
        row = dict(penalty_id=penalty.penalty_id, source_id=source_id, from_credit=from_credit, amount_rupiah=amount,
                   paid_on=paid_on, created_at=datetime.now(UTC))
        self.session.execute(insert(penalty_payments).values(**row))
        paid = penalties.c.paid_rupiah + amount  # in SQL: two sources may pay it in one transaction
        self.session.execute(update(penalties).where(penalties.c.penalty_id == penalty.penalty_id).values(
            paid_rupiah=paid, settled_on=case((paid >= penalties.c.amount_rupiah, paid_on), else_=None)))
        return row

    def outstanding_on(self, npp: str, day: date) -> list[tuple[Penalty, int]]:
        """(penalty, what was left of it on `day`) for the employer's penalties assessed by
        then and not paid off by then, oldest first: what a notice issued that day shows."""
        pp = penalty_payments
        paid_by = (select(func.coalesce(func.sum(pp.c.amount_rupiah), 0)).where(
            pp.c.penalty_id == penalties.c.penalty_id, pp.c.paid_on <= day).scalar_subquery())
        rows = self.session.execute(select(penalties, paid_by.label("paid_by")).where(
            penalties.c.npp == npp, penalties.c.assessed_on <= day).order_by(penalties.c.assessed_on, penalties.c.penalty_id))
        left = [(_penalty(r), int(r.amount_rupiah) - int(r.paid_by)) for r in rows]
        return [(p, amount) for p, amount in left if amount > 0]

    def paid_on_bills(self, bill_numbers: Iterable[str]) -> list[tuple[str, int, date]]:
        """(source id, amount, day) of what reached the penalties of these bills, oldest first."""
        pp = penalty_payments
        return [(r.source_id, int(r.amount_rupiah), r.paid_on) for r in self.session.execute(
            select(pp.c.source_id, pp.c.amount_rupiah, pp.c.paid_on).join(penalties, penalties.c.penalty_id == pp.c.penalty_id)
            .where(penalties.c.bill_number.in_(list(bill_numbers))).order_by(pp.c.id))]

    def with_corrections(self, penalty_ids: Sequence[str]) -> list[PenaltyWithCorrections]:
        """The penalties in the order of `penalty_ids`, each with its corrections, oldest first."""
        if not penalty_ids:
            return []
        rows = {r.penalty_id: _penalty(r) for r in
                self.session.execute(select(penalties).where(penalties.c.penalty_id.in_(penalty_ids)))}
        corrections: dict[str, list[PenaltyCorrection]] = {}
        for c in self.session.execute(
                select(penalty_corrections).where(penalty_corrections.c.penalty_id.in_(penalty_ids))
                .order_by(penalty_corrections.c.requested_at, penalty_corrections.c.correction_id)):
            corrections.setdefault(c.penalty_id, []).append(_correction(c))
        return [PenaltyWithCorrections(p, tuple(corrections.get(pid, ())))
                for pid in penalty_ids if (p := rows.get(pid)) is not None]
