"""Where an employer's money goes (C-6, C-7, C-8): credit first, then the new payment.

Every amount pays in one stated order (domain `allocate_in_order`): contributions first,
then penalties (C-6), oldest first; what is left is the employer's credit.

1. The employer's earlier credit pays its open bills, oldest period first: first its credit
   notes (CREDIT bills, a back-dated decrease of a billed period, C-5; oldest period
   first), then its unallocated overpayments (oldest first): this is how an overpayment or
   a lowered bill is applied to the next bill. Credit notes go first so that money
   received stays the employer's (refundable) credit as long as possible. A credit note
   pays the oldest open bill, not necessarily the bill of its own period (that one is
   usually paid already); with nothing open it stays as credit for the next bills.
   Credit reaches a bill on the later of the day it was paid (a credit note: issued) and
   the day the bill was issued: both existed then (C-6 counts lateness from it).
   Idempotent: what a credit note has given is counted on it (`money_bills.use_credit`)
   in the same transaction, so re-running the step applies only what is left.
2. The new payment pays the bill it names (if still open), then the oldest open bills
   (domain `allocate`); the rest stays on the payment as the employer's credit.
3. A bill paid in full is settled on the day of its last allocation; if that is after its
   due date the C-6 penalty is assessed (`assess_late_penalty`), and what the payment left
   as credit pays it at once (step 1 again).
4. The employer's standing (C-8) is recomputed as of today: unpaid penalties are arrears.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import money_bills, payment_store
from services.contributions.adapters.penalty_repository import Penalty, PenaltyBook
from services.contributions.application.money.penalty_assessment import assess_late_penalty
from services.contributions.application.money.standing_state import StandingInputs, StandingView, recompute_standing
from services.contributions.domain.bills import OpenBill
from services.contributions.domain.payments import allocate_in_order


@dataclass
class MatchResult:
    credit_applied: list[dict] = field(default_factory=list)  # allocation rows from credit
    allocations: list[dict] = field(default_factory=list)  # allocation rows of the new payment
    penalty_ids: list[str] = field(default_factory=list)
    penalty_payments: list[dict] = field(default_factory=list)  # what reached penalties, from either
    standing: StandingView | None = None  # step 4's, when it ran (not deferred to the end of an import)
    # The bills touched as they now are, and the new payment's credit left, when known
    # without reading them again (no credit applied, no bill settled): None otherwise.
    bills_now: dict[str, money_bills.BillRow] | None = None
    payment_credit: int | None = None

    @property
    def bill_numbers(self) -> list[str]:
        return list(dict.fromkeys(a["bill_number"] for a in (*self.credit_applied, *self.allocations)))


def apply_credit(uow: UnitOfWork, npp: str, result: MatchResult | None = None) -> list[dict]:
    """Step 1: the employer's credit notes, then its payment credit, pay its open bills and
    then its open penalties; returns the bill allocation rows (penalty rows go to `result`)."""
    session = uow.session
    notes = money_bills.credit_notes(session, npp, lock=True)
    sources = payment_store.credit_sources(session, npp, lock=True)
    if not notes and not sources:
        return []
    bills = {b.bill_number: b for b in money_bills.open_bills(session, npp, lock=True)}
    outstanding = {number: b.outstanding_rupiah for number, b in bills.items()}
    book = PenaltyBook(session)
    penalties = {p.penalty_id: p for p in book.open_of(npp, lock=True)}
    penalty_left = {pid: p.outstanding_rupiah for pid, p in penalties.items()}
    applied: list[dict] = []

    def spread(source_id: str, credit: int, since: date, *, note: bool) -> int:
        """Allocates `credit` of `source_id` (a credit note's number when `note`, else a
        payment id) to the open bills, then penalties; returns what is left."""
        payer = {"credit_bill_number" if note else "payment_id": source_id}
        open_now = [OpenBill(n, b.period, b.due_date, outstanding[n]) for n, b in bills.items() if outstanding[n] > 0]
        owed = [_open(p, penalty_left[pid]) for pid, p in penalties.items() if penalty_left[pid] > 0]
        if credit <= 0 or (not open_now and not owed):
            return credit
        order = allocate_in_order(credit, open_now, owed)
        for part in order.to_bills.allocations:
            on = max(since, bills[part.bill_number].issued_on)
            applied.append(payment_store.insert_allocation(session, part.bill_number, part.amount_rupiah, on,
                                                           from_credit=True, **payer))
            money_bills.add_payment(session, part.bill_number, part.amount_rupiah)
            outstanding[part.bill_number] -= part.amount_rupiah
        for part in order.to_penalties.allocations:
            penalty = penalties[part.bill_number]
            row = book.pay(penalty, source_id, part.amount_rupiah, max(since, penalty.assessed_on), from_credit=True)
            penalty_left[part.bill_number] -= part.amount_rupiah
            if result is not None:
                result.penalty_payments.append(row)
        return order.credit_rupiah

    for note in notes:
        left = spread(note.bill_number, note.credit_left_rupiah, note.issued_on, note=True)
        if left != note.credit_left_rupiah:
            money_bills.use_credit(session, note.bill_number, note.credit_left_rupiah - left)
    for source in sources:
        left = spread(source.payment_id, int(source.credit_rupiah), source.paid_on, note=False)
        if left != int(source.credit_rupiah):
            payment_store.update_payment(session, source.payment_id, credit_rupiah=left)
    return applied


def allocate_payment(uow: UnitOfWork, payment_id: str, npp: str, amount: int, paid_on: date,
                     bill_number: str | None, result: MatchResult,
                     bills: list[money_bills.BillRow] | None = None) -> list[dict]:
    """Step 2: the named bill (if still open), then oldest first, then open penalties; the
    rest is credit. Returns the bill allocation rows. `bills`: the employer's open bills as
    the caller read them, locked, in this transaction (read here when not given)."""
    return _allocate(uow, payment_id, npp, amount, paid_on, bill_number, result, bills).rows


@dataclass(frozen=True)
class _Allocated:
    """Step 2's writes, and what they leave (from the locked rows read and the amounts
    written: the same as reading them again in this transaction)."""

    rows: list[dict]
    bills_after: list[money_bills.BillRow]  # the open bills read, with what reached them added
    penalties: list[Penalty]  # the open penalties read (unchanged unless `paid_penalties`)
    paid_penalties: bool
    credit_rupiah: int  # what is left on the payment


def _allocate(uow: UnitOfWork, payment_id: str, npp: str, amount: int, paid_on: date,
              bill_number: str | None, result: MatchResult,
              bills: list[money_bills.BillRow] | None, new_payment: dict | None = None,
              penalties_open: bool = True) -> _Allocated:
    """`new_payment`: the payment's row, not stored yet: written here, with its credit left,
    before what refers to it (instead of an UPDATE of its credit afterwards). `penalties_open`
    False: the employer has none (`credit_state` said so in this transaction), not read."""
    session = uow.session
    if bills is None:
        bills = money_bills.open_bills(session, npp, lock=True)
    named = bill_number if bill_number in {b.bill_number for b in bills} else None
    book = PenaltyBook(session)
    penalties = {p.penalty_id: p for p in book.open_of(npp, lock=True)} if penalties_open else {}
    order = allocate_in_order(amount, [b.open_bill() for b in bills], [_open(p) for p in penalties.values()], named)
    parts = order.to_bills.allocations
    rows = [payment_store.allocation(part.bill_number, part.amount_rupiah, paid_on, from_credit=False,
                                     payment_id=payment_id) for part in parts]
    if new_payment is not None:
        payment_store.insert_payment(session, **dict(new_payment, credit_rupiah=order.credit_rupiah))
    payment_store.insert_allocations(session, rows)  # one executemany each
    money_bills.add_payments(session, [(part.bill_number, part.amount_rupiah) for part in parts])
    for part in order.to_penalties.allocations:
        penalty = penalties[part.bill_number]  # reached on the later of payment and assessment
        result.penalty_payments.append(book.pay(penalty, payment_id, part.amount_rupiah,
                                                max(paid_on, penalty.assessed_on), from_credit=False))
    if new_payment is None:
        payment_store.update_payment(session, payment_id, credit_rupiah=order.credit_rupiah)
    added: dict[str, int] = {}
    for part in parts:
        added[part.bill_number] = added.get(part.bill_number, 0) + part.amount_rupiah
    after = [replace(b, paid_rupiah=b.paid_rupiah + added[b.bill_number]) if b.bill_number in added else b
             for b in bills]
    return _Allocated(rows, after, list(penalties.values()), bool(order.to_penalties.allocations),
                      order.credit_rupiah)


def _open(penalty: Penalty, outstanding: int | None = None) -> OpenBill:
    item = penalty.open_item()
    return item if outstanding is None else OpenBill(item.bill_number, item.period, item.due_date, outstanding)


def settle_paid_bills(uow: UnitOfWork, bill_numbers: list[str], today: date,
                      known: dict[str, money_bills.BillRow] | None = None) -> list[str]:
    """Step 3: settle the bills now paid in full; assess C-6 penalties; returns penalty ids.
    `known`: the bills as they now are in this transaction (`_Allocated`), not read again."""
    session = uow.session
    penalty_ids = []
    touched = known if known is not None else money_bills.bills_named(session, bill_numbers)  # one read for them all
    for number in bill_numbers:
        bill = touched.get(number)
        if bill is None or bill.status != money_bills.OPEN or bill.paid_rupiah < bill.total_rupiah:
            continue
        last = payment_store.last_allocated_on(session, number)
        money_bills.mark_settled(session, number, last)
        penalty_id = assess_late_penalty(uow, number, today)
        if penalty_id:
            penalty_ids.append(penalty_id)
    return penalty_ids


def post_to_employer(uow: UnitOfWork, payment_id: str, npp: str, amount: int, paid_on: date,
                     bill_number: str | None, today: date, standing_later: set[str] | None = None, *,
                     facts: money_bills.EmployerFacts | None = None,
                     open_bills: list[money_bills.BillRow] | None = None,
                     new_payment: dict | None = None, state: payment_store.CreditState | None = None) -> MatchResult:
    """Steps 1-4 for a payment stored as MATCHED to employer `npp`: already, or, given
    `new_payment` (its row), by step 2 (its credit is 0 until then: step 1 never spends it).
    A bulk import passes `standing_later` and recomputes each employer's standing once, at its end.
    `facts`: the employer as the caller read it, not read again; `open_bills`: its open
    bills as the caller read them (locked) in this transaction, read again only when step 1
    paid some of them; `state`: the employer's `credit_state` read with them (one statement).

    The usual payment finds no credit waiting (one statement says so, with the employer's
    credit) and settles no bill: then what step 2 read locked and wrote is what the bills,
    penalties and credit now are, and steps 3 and 4 and the answer use it instead of
    reading them again."""
    result = MatchResult()
    if open_bills is None:  # given: the caller took the employer's turn before reading them
        money_bills.take_employer_turn(uow.session, npp)
    if state is None:
        state = payment_store.credit_state(uow.session, npp)
    waiting, credit_before = state.waiting, state.credit_rupiah
    if waiting:
        result.credit_applied = apply_credit(uow, npp, result)
    still = open_bills if not result.credit_applied else None  # unchanged unless credit reached a bill
    # Step 1 pays penalties, never assesses one: none open before it, none after.
    allocated = _allocate(uow, payment_id, npp, amount, paid_on, bill_number, result, still, new_payment,
                          penalties_open=state.penalties_open)
    result.allocations = allocated.rows
    known = _bills_now(result, allocated)
    result.penalty_ids = settle_paid_bills(uow, result.bill_numbers, today, known)
    if result.penalty_ids:  # what the payment left as credit pays the penalties it caused
        result.credit_applied += apply_credit(uow, npp, result)
    unchanged = known is not None and not result.penalty_ids and all(
        known[n].status == money_bills.OPEN and known[n].outstanding_rupiah > 0 for n in result.bill_numbers)
    if unchanged:  # no bill settled, no penalty assessed: nothing else moved
        assert known is not None
        result.bills_now = {n: known[n] for n in result.bill_numbers}
        result.payment_credit = allocated.credit_rupiah
    if standing_later is None:
        inputs = None  # step 1 may have paid penalties from credit (no bill rows): then read
        if unchanged and not waiting and not allocated.paid_penalties:
            inputs = StandingInputs(
                [b.open_bill() for b in allocated.bills_after if b.outstanding_rupiah > 0],
                [_open(p) for p in allocated.penalties], credit_before + allocated.credit_rupiah)
        outcome = recompute_standing(uow, npp, today, facts, inputs)
        result.standing = outcome[0] if outcome is not None else None
    else:
        standing_later.add(npp)
    return result


def _bills_now(result: MatchResult, allocated: _Allocated) -> dict[str, money_bills.BillRow] | None:
    """The employer's open bills as they are after step 2, by number; None when step 1 paid
    some (those are not among the bills step 2 read, if paid off: they are read again)."""
    return None if result.credit_applied else {b.bill_number: b for b in allocated.bills_after}


def recompute_standings(uow: UnitOfWork, npps: set[str], today: date) -> None:
    """Step 4 of a bulk import, once per employer it touched (one StandingChanged at most)."""
    for npp in sorted(npps):
        recompute_standing(uow, npp, today)


def apply_credit_to_new_bills(uow: UnitOfWork, npp: str, today: date) -> MatchResult:
    """A bill was issued: the employer's credit pays it (steps 1, 3, 4)."""
    money_bills.take_employer_turn(uow.session, npp)
    result = MatchResult()
    result.credit_applied = apply_credit(uow, npp, result)
    result.penalty_ids = settle_paid_bills(uow, result.bill_numbers, today)
    if result.penalty_ids:
        result.credit_applied += apply_credit(uow, npp, result)
    recompute_standing(uow, npp, today)
    return result
