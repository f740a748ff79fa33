"""Payment use cases (C-6, C-7, C-8): record, import a bank statement, assign a payment
in suspense, read. Matching rules: `money.recording` and `money.matching`.

Each takes the caller's scope (authorised by the entrypoint, O-3) and a command
(`money.payment_commands`) and returns a result; a change runs inside the one transaction
the entrypoint opens per request id (`base.mutation`). The entrypoint maps proto to
command and back (`money.mapping`).
"""
from __future__ import annotations

from collections.abc import Sequence

from jamsos.contributions.v1 import events_pb2
from services.chassis.consumer import HandlerRegistry
from services.chassis.context import current_principal
from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.metrics import BUSINESS_EVENTS
from services.chassis.runtime import ConsumerSpec
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import money_bills, payment_store
from services.contributions.adapters.employer_repository import EmployerRepository
from services.contributions.adapters.payment_repository import PaymentRepository
from services.contributions.adapters.penalty_repository import PenaltyBook
from services.contributions.application.context import ContributionsContext
from services.contributions.application.money.bank_file_use_cases import StatementFileUseCases
from services.contributions.application.money.matching import (
    MatchResult, apply_credit_to_new_bills, post_to_employer, recompute_standings,
)
from services.contributions.application.money.payment_commands import (
    AssignSuspense, GetPayment, ImportStatement, ListPayments, PaymentPage, PaymentPosted, PaymentView, RecordPayment,
    RejectedLine, StatementImported,
)
from services.contributions.application.money.recording import Prepared, emit_posted, prepare, record_line
from services.contributions.application.money.statement_file_lines import (
    REJECTED, LineRecorded, record_statement_line,
)


class PaymentUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        self.files = StatementFileUseCases(ctx)  # the bank's own statement files (MT940, camt.053)

    def prepare(self, scope: BranchScope, command: RecordPayment) -> Prepared | None:
        """RecordPayment's reads that need no write lock (`recording.prepare`), before its transaction."""
        with self.ctx.base.lookup() as reader:
            return prepare(reader, scope, command.line, self.ctx.today())

    def record(self, uow: UnitOfWork, scope: BranchScope, command: RecordPayment,
               prepared: Prepared | None = None) -> PaymentPosted:
        recorded = record_line(uow, scope, command.line, self.ctx.today(), current_principal().user_id,
                               prepared=prepared)
        uow.after_commit(lambda: BUSINESS_EVENTS.labels("contributions", "payment_recorded").inc())
        return posted(uow.session, recorded.payment, recorded.match)

    def import_statement(self, uow: UnitOfWork, scope: BranchScope, command: ImportStatement) -> StatementImported:
        """Bulk: each line recorded on its own (a savepoint), with its own outcome. Resending
        the statement (new request id) records nothing twice: known references are DUPLICATE."""
        today, user = self.ctx.today(), current_principal().user_id
        touched: set[str] = set()  # employers whose standing is recomputed once, after the lines
        # The named employers' turns up front, in NPP order (not the lines'): no deadlock
        # between two statements naming them in opposite orders.
        money_bills.take_employer_turns(uow.session, (line.npp for line in command.lines
                                                      if not isinstance(line, RejectedLine)))
        results = [LineRecorded(REJECTED, reason=line.reason) if isinstance(line, RejectedLine)
                   else record_statement_line(uow, scope, line, today, user, touched)  # the one path of every line
                   for line in command.lines]
        recompute_standings(uow, touched, today)
        uow.after_commit(lambda: BUSINESS_EVENTS.labels("contributions", "bank_statement_imported").inc())
        return StatementImported(tuple(results))

    def assign_suspense(self, uow: UnitOfWork, scope: BranchScope, command: AssignSuspense) -> PaymentPosted:
        """C-7: an officer ties a payment in suspense to its employer; it is then matched."""
        session = uow.session
        repo = PaymentRepository(session, scope)
        row = repo.writable(command.payment_id)
        if row.status != payment_store.SUSPENSE:
            raise RuleViolation("C-7", f"payment {row.payment_id} is not in suspense")
        facts = EmployerRepository(session, scope).writable(command.npp.strip(), key=command.npp)
        named = command.bill_number
        if named and named not in {b.bill_number for b in money_bills.open_bills(session, facts.npp)}:
            raise InvalidArgument.field("bill_number", f"{named} is not an open bill of employer {facts.npp}")
        payment_store.update_payment(session, row.payment_id, status=payment_store.MATCHED, npp=facts.npp,
                                     branch_code=facts.branch_code, bill_number=named, suspense_reason=None)
        match = post_to_employer(uow, row.payment_id, facts.npp, int(row.amount_rupiah), row.paid_on, named,
                                 self.ctx.today(), facts=facts)
        return posted(session, emit_posted(uow, row.payment_id), match)

    def get(self, scope: BranchScope, command: GetPayment) -> PaymentView:
        with self.ctx.base.read_session() as session:
            row = PaymentRepository(session, scope).readable(command.payment_id)  # type: ignore[arg-type]
            return views(session, [row])[0]  # type: ignore[arg-type]

    def list(self, scope: BranchScope, command: ListPayments) -> PaymentPage:
        """Within the caller's scope (O-2), by branch, employer and status; oldest first."""
        with self.ctx.base.read_session() as session:
            repo = PaymentRepository(session, scope)  # type: ignore[arg-type]
            repo.require_listable(command.branch_code)
            rows = repo.page(branch_code=command.branch_code, npp=command.npp, status=command.status,
                             after=command.after, limit=command.size + 1)
            found = views(session, rows[:command.size])  # type: ignore[arg-type]
        more = len(rows) > command.size
        return PaymentPage(tuple(found), rows[command.size - 1].payment_id if more else None)


def views(session, rows: Sequence[payment_store.StoredPayment]) -> list[PaymentView]:
    allocations = payment_store.allocations_of(session, [r.payment_id for r in rows])
    return [PaymentView(r, tuple(allocations[r.payment_id])) for r in rows]


def posted(session, row: payment_store.StoredPayment, match: MatchResult | None) -> PaymentPosted:
    """RecordPayment / AssignSuspensePayment's answer: the payment (`row`, as stored at the
    end), credit applied before it, the bills touched, penalties assessed and the
    employer's credit after it (the standing just recomputed holds it: not summed again)."""
    if match is None:
        view = views(session, [row])[0]
    else:  # a new payment's allocations are the match's own (and, after a penalty, its credit's)
        mine = (*match.allocations, *(a for a in match.credit_applied if a["payment_id"] == row.payment_id))
        view = PaymentView(row, tuple(mine))
    if match is not None and match.standing is not None:
        credit: int | None = match.standing.credit_rupiah
    else:
        credit = payment_store.employer_credit(session, row.npp) if row.npp else None
    if match is None:
        return PaymentPosted(view, employer_credit_rupiah=credit)
    touched = match.bills_now if match.bills_now is not None else money_bills.bills_named(session, match.bill_numbers)
    return PaymentPosted(view, tuple(match.credit_applied), tuple(touched[n] for n in match.bill_numbers),
                         tuple(PenaltyBook(session).with_corrections(match.penalty_ids)),
                         tuple(match.penalty_payments), credit)


def on_bill_issued(ctx: ContributionsContext):
    """A new bill (C-5): the employer's credit pays it, then its standing is recomputed."""
    def handle(uow, envelope, payload: events_pb2.BillIssued) -> None:
        apply_credit_to_new_bills(uow, payload.npp, ctx.today())
    return handle


def build(ctx: ContributionsContext) -> PaymentUseCases:
    return PaymentUseCases(ctx)


def consumers(use_cases: PaymentUseCases) -> list[ConsumerSpec]:
    registry = HandlerRegistry()
    registry.on(events_pb2.BillIssued, on_bill_issued(use_cases.ctx))
    return [ConsumerSpec("money-on-bill-issued", ("contributions",), registry)]

