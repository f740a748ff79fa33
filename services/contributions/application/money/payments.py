"""Payment use cases (C-6, C-7, C-8): record, import a bank statement, assign a payment
in suspense, read. Matching rules: `money.recording` and `money.matching`."""
from __future__ import annotations

from collections import Counter

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import events_pb2, payments_pb2
from services.chassis.consumer import HandlerRegistry
from services.chassis.context import current_principal
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_date, to_rupiah
from services.chassis.errors import DomainError, InvalidArgument, RuleViolation
from services.chassis.metrics import BUSINESS_EVENTS
from services.chassis.runtime import ConsumerSpec
from services.contributions.adapters import money_bills, payment_store
from services.contributions.adapters.employer_repository import EmployerRepository
from services.contributions.adapters.payment_repository import PaymentRepository
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.application.money.matching import (
    apply_credit_to_new_bills, post_to_employer, recompute_standings,
)
from services.contributions.application.money.recording import PaymentLine, emit_posted, record_line
from services.contributions.application.money.mapping import STATUS_TO_PROTO, match_response, payments_to_proto
from services.contributions.application.money.bank_file_use_cases import StatementFileUseCases
from services.contributions.application.money.statement_file_lines import record_statement_line

MAX_STATEMENT_LINES = 5000
STATUS_FROM_PROTO = {payments_pb2.PAYMENT_STATUS_MATCHED: payment_store.MATCHED,
                     payments_pb2.PAYMENT_STATUS_SUSPENSE: payment_store.SUSPENSE}
Outcome = payments_pb2.StatementLineOutcome


class PaymentUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        self.files = StatementFileUseCases(ctx)  # the bank's own statement files (MT940, camt.053)

    def record(self, request: payments_pb2.RecordPaymentRequest) -> payments_pb2.RecordPaymentResponse:
        scope = self.ctx.authorise(ContributionsAction.RECORD_PAYMENT)
        line = PaymentLine(request.bank_reference, to_rupiah(request, "amount"), to_date(request, "paid_on"),
                           request.npp, request.bill_number, request.branch_code)
        today, user = self.ctx.today(), current_principal().user_id

        def use_case(uow):
            recorded = record_line(uow, scope, line, today, user)
            return match_response(uow.session, payments_pb2.RecordPaymentResponse, recorded.payment_id, recorded.match)

        response = self.ctx.base.mutate("PaymentService/RecordPayment", request, payments_pb2.RecordPaymentResponse, use_case)
        BUSINESS_EVENTS.labels("contributions", "payment_recorded").inc()
        return response

    def import_statement(self, request: payments_pb2.ImportBankStatementRequest
                         ) -> payments_pb2.ImportBankStatementResponse:
        """Bulk: each line recorded on its own (a savepoint), with its own outcome. Resending
        the statement (new request id) records nothing twice: known references are DUPLICATE."""
        scope = self.ctx.authorise(ContributionsAction.RECORD_PAYMENT)
        if len(request.lines) > MAX_STATEMENT_LINES:
            raise InvalidArgument.field("lines", f"at most {MAX_STATEMENT_LINES} lines per request")
        today, user = self.ctx.today(), current_principal().user_id

        def use_case(uow):
            touched: set[str] = set()  # employers whose standing is recomputed once, after the lines
            results = [self._import_line(uow, scope, i, line, request.branch_code, today, user, touched)
                       for i, line in enumerate(request.lines, start=1)]
            recompute_standings(uow, touched, today)
            count = Counter(r.outcome for r in results)
            return payments_pb2.ImportBankStatementResponse(
                results=results, recorded=count[Outcome.STATEMENT_LINE_OUTCOME_RECORDED],
                duplicates=count[Outcome.STATEMENT_LINE_OUTCOME_DUPLICATE],
                rejected=count[Outcome.STATEMENT_LINE_OUTCOME_REJECTED])

        response = self.ctx.base.mutate("PaymentService/ImportBankStatement", request,
                                        payments_pb2.ImportBankStatementResponse, use_case)
        BUSINESS_EVENTS.labels("contributions", "bank_statement_imported").inc()
        return response

    @staticmethod
    def _import_line(uow, scope, number, line, branch_code, today, user, touched) -> payments_pb2.StatementLineResult:
        result = payments_pb2.StatementLineResult(line_number=number, bank_reference=line.bank_reference)
        try:
            payment_line = PaymentLine(line.bank_reference, to_rupiah(line, "amount"), to_date(line, "paid_on"),
                                       line.npp, line.bill_number, branch_code)
        except DomainError as exc:
            result.outcome, result.reason = Outcome.STATEMENT_LINE_OUTCOME_REJECTED, exc.message
            return result
        recorded = record_statement_line(uow, scope, payment_line, today, user, touched)  # the one path of every line
        result.outcome = Outcome.Value(f"STATEMENT_LINE_OUTCOME_{recorded.outcome}")
        result.payment_id = recorded.payment_id
        if recorded.outcome == "RECORDED":
            result.status = STATUS_TO_PROTO[recorded.status]
        else:
            result.reason = recorded.reason
        return result

    def assign_suspense(self, request: payments_pb2.AssignSuspensePaymentRequest
                        ) -> payments_pb2.AssignSuspensePaymentResponse:
        """C-7: an officer ties a payment in suspense to its employer; it is then matched."""
        scope = self.ctx.authorise(ContributionsAction.RECORD_PAYMENT)
        if not request.npp.strip():
            raise InvalidArgument.field("npp", "required")
        today = self.ctx.today()

        def use_case(uow):
            session = uow.session
            repo = PaymentRepository(session, scope)
            row = repo.writable(request.payment_id)
            if row.status != payment_store.SUSPENSE:
                raise RuleViolation("C-7", f"payment {row.payment_id} is not in suspense")
            facts = EmployerRepository(session, scope).writable(request.npp.strip(), key=request.npp)
            named = request.bill_number or None
            if named and named not in {b.bill_number for b in money_bills.open_bills(session, facts.npp)}:
                raise InvalidArgument.field("bill_number", f"{named} is not an open bill of employer {facts.npp}")
            payment_store.update_payment(session, row.payment_id, status=payment_store.MATCHED, npp=facts.npp,
                                         branch_code=facts.branch_code, bill_number=named, suspense_reason=None)
            match = post_to_employer(uow, row.payment_id, facts.npp, int(row.amount_rupiah), row.paid_on, named, today)
            emit_posted(uow, row.payment_id)
            return match_response(session, payments_pb2.AssignSuspensePaymentResponse, row.payment_id, match)

        return self.ctx.base.mutate("PaymentService/AssignSuspensePayment", request,
                                    payments_pb2.AssignSuspensePaymentResponse, use_case)

    def get(self, request: payments_pb2.GetPaymentRequest) -> payments_pb2.GetPaymentResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            row = PaymentRepository(session, scope).readable(request.payment_id)
            return payments_pb2.GetPaymentResponse(payment=payments_to_proto(session, [row])[0])

    def list(self, request: payments_pb2.ListPaymentsRequest) -> payments_pb2.ListPaymentsResponse:
        """Within the caller's scope (O-2), by branch, employer and status; oldest first."""
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            repo = PaymentRepository(session, scope)
            repo.require_listable(request.branch_code)
            if request.status and request.status not in STATUS_FROM_PROTO:
                raise InvalidArgument.field("status", "unknown payment status")
            after = (decode_page_token(request.page.page_token) or {}).get("after")
            size = page_size(request.page)
            rows = repo.page(branch_code=request.branch_code, npp=request.npp,
                             status=STATUS_FROM_PROTO[request.status] if request.status else None,
                             after=after, limit=size + 1)
            found = payments_to_proto(session, rows[:size])
        token = encode_page_token({"after": rows[size - 1].payment_id}) if len(rows) > size else ""
        return payments_pb2.ListPaymentsResponse(payments=found, page=types_pb2.PageResponse(next_page_token=token))


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
