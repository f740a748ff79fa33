"""Reconciliation use cases (C-7, O-4): prepare, validate, post a worksheet.

Prepare (administration officer): for an employer and period, billed = the period's bills
(regular and corrections), received = the money allocated to them and to their penalties
plus any credit still held on the payments that paid them (an overpayment), unmatched = the employer's payments
in suspense, penalty charged = the penalties assessed on those bills; the domain works out
the differences.

Credit notes (CREDIT bills: a correction lowering what was billed, C-5) are not money from
the bank, so they are never in "received" (their allocations have no payment row). They
reduce the *billed* amount instead, where they took effect: billed = the period's positive
bills, minus what credit notes (of any period) paid of them, minus the credit still left
on the period's own credit notes (held as the employer's credit; like an overpayment it
shows here as OVER_PAYMENT until it pays a bill). So the period whose bill was already
paid in full and then lowered shows the credit while it is held, and the period whose
bill the credit note paid is not shown as underpaid. Validate: an officer other than the preparer (O-4). Post: only a
validated worksheet (C-7); it credits each worker's JHT share (employer + worker, C-1) of
the worksheet's *paid* bills to the member's JHT account (C-9), and takes back the JHT
lines of its credit notes (a back-dated decrease, C-5) once the period's regular bill is
paid, so a member's balance holds what was really owed. A bill line is credited
once ever (its posting reference is unique), so neither a retried post nor a later
worksheet of the same period credits anything twice; unpaid bills wait for a later one.
"""
from __future__ import annotations

from services.chassis.errors import RuleViolation
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import bill_store, money_bills, ledger_store, payment_store
from services.contributions.adapters.penalty_repository import PenaltyBook
from services.contributions.adapters.employer_repository import EmployerRepository
from services.contributions.adapters.worksheet_store import (
    StoredWorksheet, WorksheetRepository, insert_worksheet, load_worksheet, save_state,
)
from services.contributions.application.context import ContributionsContext
from services.contributions.application.ledger.use_cases import credited
from services.contributions.application.money.reconciliation_commands import (
    JhtPosting, PrepareWorksheet, WorksheetPosted, WorksheetStep,
)
from services.contributions.application.money.rules import rules_for
from services.contributions.domain.jht_ledger import EntryKind, post_contribution
from services.contributions.domain.reconciliation import ReceivedPayment, prepare_worksheet


class ReconciliationUseCases:
    """Each takes the caller's scope (O-2: the repositories apply it) and its command; the
    changes run in the transaction the entrypoint opens per request id."""

    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def prepare(self, uow: UnitOfWork, scope: BranchScope, command: PrepareWorksheet) -> StoredWorksheet:
        session, period, today = uow.session, command.period, self.ctx.today()
        facts = EmployerRepository(session, scope).writable(command.npp.strip(), key=command.npp)
        bills = money_bills.bills_of_period(session, facts.npp, period)
        if not bills:
            raise RuleViolation("C-7", f"no contribution notice (SPI) issued to {facts.npp} for {period}")
        numbers = [b.bill_number for b in bills]
        ws = prepare_worksheet(
            worksheet_id=uuid7(), npp=facts.npp, period=period, billed_rupiah=_billed(session, bills),
            reported_rupiah=command.reported_rupiah, payments=_received(session, facts.npp, numbers),
            due_date=min(b.due_date for b in bills), as_of=today, rules=rules_for(period, session),
            prepared_by=scope.principal.user_id, penalty_billed_rupiah=_penalty_charged(session, numbers))
        insert_worksheet(session, ws, facts.branch_code, numbers, today)
        uow.audit("worksheet.prepare", ws.worksheet_id, {"npp": ws.npp, "period": str(period),
                                                         "differences": [d.kind.value for d in ws.differences]})
        return _reloaded(session, ws.worksheet_id)

    def validate(self, uow: UnitOfWork, scope: BranchScope, command: WorksheetStep) -> StoredWorksheet:
        """C-7: validate a draft; O-4: not by the officer who prepared it."""
        stored = WorksheetRepository(uow.session, scope).writable(command.worksheet_id)
        validated = stored.worksheet.validate(scope.principal.user_id, self.ctx.today())
        save_state(uow.session, validated)
        uow.audit("worksheet.validate", validated.worksheet_id, {"state": validated.state.value})
        return _reloaded(uow.session, validated.worksheet_id)

    def post(self, uow: UnitOfWork, scope: BranchScope, command: WorksheetStep) -> WorksheetPosted:
        """C-7: post a validated worksheet: the JHT of its paid bills goes to the members (C-9)."""
        session, today = uow.session, self.ctx.today()
        stored = WorksheetRepository(session, scope).writable(command.worksheet_id)
        posted = stored.worksheet.post(scope.principal.user_id, today)
        postings: list[JhtPosting] = []
        unpaid: list[str] = []
        waiting: list[str] = []
        for number in stored.bill_numbers:
            bill = money_bills.get_bill(session, number)
            if bill.total_rupiah < 0:  # a credit note: its JHT lines come off once the period's are on
                regular = bill_store.regular_bill(session, bill.npp, bill.period)
                if regular is None or regular.status != money_bills.PAID:
                    waiting.append(number)
                    continue
            elif bill.status != money_bills.PAID:
                unpaid.append(number)
                continue
            for kpj, amount in money_bills.jht_shares(session, number).items():
                reference = f"JHT-CONTRIBUTION/{number}/{kpj}"
                if amount == 0 or not ledger_store.insert_posting(
                        session, post_contribution(kpj, amount, bill.period, today, reference), kpj, bill.branch_code):
                    continue  # nothing to credit, or credited by an earlier worksheet
                balance = credited(uow, kpj, amount, EntryKind.CONTRIBUTION, reference, today, bill.branch_code)
                postings.append(JhtPosting(kpj, number, amount, reference, balance))
        total = sum(p.amount_rupiah for p in postings)
        save_state(session, posted, jht_posted_rupiah=total)
        uow.audit("worksheet.post", posted.worksheet_id, {"jht_posted": total, "members": len(postings),
                                                          "unpaid_bills": unpaid, "waiting_credit_notes": waiting})
        uow.count("worksheet_posted")
        return WorksheetPosted(_reloaded(session, posted.worksheet_id), postings, unpaid, waiting)

    def get(self, scope: BranchScope, query: WorksheetStep) -> StoredWorksheet:
        with self.ctx.base.read_session() as session:
            return WorksheetRepository(session, scope).readable(query.worksheet_id)


def _reloaded(session, worksheet_id: str) -> StoredWorksheet:
    stored = load_worksheet(session, worksheet_id)
    assert stored is not None  # written in this transaction
    return stored


def _billed(session, bills: list[money_bills.BillRow]) -> int:
    """C-7 billed amount net of credit notes (see the module docstring)."""
    positive = [b for b in bills if b.total_rupiah > 0]
    return (sum(b.total_rupiah for b in positive)
            - payment_store.credit_notes_applied_to(session, [b.bill_number for b in positive])
            - sum(b.credit_left_rupiah for b in bills))


def _received(session, npp: str, bill_numbers: list[str]) -> list[ReceivedPayment]:
    allocations = payment_store.allocations_to(session, bill_numbers)
    received = [ReceivedPayment(a.bank_reference, int(a.amount_rupiah), a.allocated_on) for a in allocations]
    for payment_id in dict.fromkeys(a.payment_id for a in allocations):
        payer = payment_store.get_payment(session, payment_id)
        if payer.credit_rupiah > 0:  # still held as credit: received beyond the bills (C-7)
            received.append(ReceivedPayment(payer.bank_reference, int(payer.credit_rupiah), payer.paid_on))
    for source_id, amount, paid_on in PenaltyBook(session).paid_on_bills(bill_numbers):
        payer = payment_store.get_payment(session, source_id)
        if payer is not None:  # bank money that paid these bills' penalties (a credit note is not)
            received.append(ReceivedPayment(payer.bank_reference, amount, paid_on))
    received += [ReceivedPayment(p.bank_reference, int(p.amount_rupiah), p.paid_on, matched=False)
                 for p in payment_store.suspense_of(session, npp)]
    return received


def _penalty_charged(session, bill_numbers: list[str]) -> int:
    return PenaltyBook(session).charged_on(bill_numbers)


def build(ctx: ContributionsContext) -> ReconciliationUseCases:
    return ReconciliationUseCases(ctx)
