"""C-8: arrears (tunggakan) by ageing bucket and good standing (tertib administrasi).

Standing is computed from the employer's open bills and unpaid penalties (due the day
they are assessed) as of a day. The last computed state
is stored so that StandingChanged is emitted only when `in_arrears` or `good_standing`
changes (and the first time an employer is evaluated, so consumers learn its state).
It is recomputed after every payment of the employer, on a new bill, and by
RecomputeStanding (run daily: a bill falls into arrears by the passing of its due date,
which no event announces).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_rupiah
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import money_bills
from services.contributions.adapters.payment_store import employer_credit
from services.contributions.adapters.penalty_repository import PenaltyBook
from services.contributions.adapters.standing_repository import StandingStore
from services.contributions.domain.bills import OpenBill
from services.contributions.domain.standing import Arrears, arrears_as_of, in_good_standing

@dataclass(frozen=True)
class StandingView:
    npp: str
    branch_code: str
    arrears: Arrears
    data_complete: bool
    credit_rupiah: int

    @property
    def good_standing(self) -> bool:
        return in_good_standing(self.arrears, self.data_complete)


@dataclass(frozen=True)
class StandingInputs:
    """What `compute_standing` reads, as the caller already has it in this transaction
    (after a payment: the rows it read locked, with its own changes)."""

    open_bills: list[OpenBill]  # in `money_bills.open_bills`' order
    open_penalties: list[OpenBill]  # `PenaltyBook.open_of`'s, as open items
    credit_rupiah: int


def compute_standing(session, facts: money_bills.EmployerFacts, as_of: date,
                     known: StandingInputs | None = None) -> StandingView:
    """C-8 as of `as_of`: overdue outstanding amounts by bucket, and good standing."""
    if known is not None:
        return StandingView(facts.npp, facts.branch_code, arrears_as_of([*known.open_bills, *known.open_penalties], as_of),
                            facts.data_complete, known.credit_rupiah)
    bills = [b.open_bill() for b in money_bills.open_bills(session, facts.npp)]
    bills += [p.open_item() for p in PenaltyBook(session).open_of(facts.npp)]  # C-6: a penalty is owed too
    return StandingView(facts.npp, facts.branch_code, arrears_as_of(bills, as_of), facts.data_complete,
                        employer_credit(session, facts.npp))


def recompute_standing(uow: UnitOfWork, npp: str, as_of: date, facts: money_bills.EmployerFacts | None = None,
                       known: StandingInputs | None = None) -> tuple[StandingView, bool] | None:
    """Store the employer's standing as of `as_of`; emit StandingChanged if its arrears or
    good-standing flag changed. Returns (standing, changed), None for an unknown employer.
    `facts`: the employer as the caller already read it in this transaction; `known`: what
    the standing is computed from, likewise (`compute_standing`)."""
    session = uow.session
    facts = facts if facts is not None and facts.npp == npp else money_bills.employer(session, npp)
    if facts is None:
        return None
    view = compute_standing(session, facts, as_of, known)
    store = StandingStore(session)
    previous = store.stored(npp)
    store.save(npp, previous=previous, branch_code=view.branch_code, in_arrears=view.arrears.in_arrears,
               good_standing=view.good_standing, data_complete=view.data_complete,
               arrears_rupiah=view.arrears.total_rupiah, as_of=as_of, by_bucket=view.arrears.by_bucket)
    changed = previous is None or (previous.in_arrears, previous.good_standing) != (
        view.arrears.in_arrears, view.good_standing)
    if changed:
        uow.emit(topic_of("contributions"), events_pb2.StandingChanged(
            npp=npp, branch_code=view.branch_code, in_arrears=view.arrears.in_arrears,
            good_standing=view.good_standing, arrears=from_rupiah(view.arrears.total_rupiah), as_of=from_date(as_of),
        ), aggregate_type="employer", aggregate_id=npp, branch_code=view.branch_code)
        uow.audit("standing.change", npp, {"in_arrears": view.arrears.in_arrears, "good_standing": view.good_standing,
                                           "arrears_rupiah": view.arrears.total_rupiah, "as_of": as_of})
    return view, changed

