"""gRPC servicer for PaymentService (C-6, C-7): authorise (O-3) before reading the request,
decode it to a command, run the use case (a change once per request id, in one
transaction), encode the result (`money.mapping`)."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import payments_pb2, payments_pb2_grpc
from services.contributions.application.money import mapping as m
from services.contributions.application.payments import PaymentUseCases
from services.contributions.domain.roles import ContributionsAction as A
from services.contributions.entrypoints import bank_files


class PaymentServicer(payments_pb2_grpc.PaymentServiceServicer):
    def __init__(self, use_cases: PaymentUseCases):
        self.use_cases = use_cases
        self.ctx = use_cases.ctx

    def RecordPayment(self, request, context):
        scope = self.ctx.authorise(A.RECORD_PAYMENT)
        command = m.record_payment(request)
        prepared = self.use_cases.prepare(scope, command)  # before the transaction: what needs no write lock
        return self.ctx.base.mutation(request, payments_pb2.RecordPaymentResponse, lambda uow: m.posted_to_proto(
            payments_pb2.RecordPaymentResponse, self.use_cases.record(uow, scope, command, prepared)))

    def ImportBankStatement(self, request, context):
        scope = self.ctx.authorise(A.RECORD_PAYMENT)
        command = m.import_statement(request)
        return self.ctx.base.mutation(request, payments_pb2.ImportBankStatementResponse, lambda uow: m.imported_to_proto(
            request, self.use_cases.import_statement(uow, scope, command)))

    def ImportBankStatementFile(self, request_iterator, context):
        return bank_files.import_statement_file(self.use_cases.files, request_iterator)

    def ListStatementLines(self, request, context):
        return bank_files.list_statement_lines(self.use_cases.files, request)

    def AssignSuspensePayment(self, request, context):
        scope = self.ctx.authorise(A.RECORD_PAYMENT)
        command = m.assign_suspense(request)
        return self.ctx.base.mutation(request, payments_pb2.AssignSuspensePaymentResponse, lambda uow: m.posted_to_proto(
            payments_pb2.AssignSuspensePaymentResponse, self.use_cases.assign_suspense(uow, scope, command)))

    def GetPayment(self, request, context):
        scope = self.ctx.authorise_read()
        return payments_pb2.GetPaymentResponse(payment=m.view_to_proto(
            self.use_cases.get(scope, m.get_payment(request))))

    def ListPayments(self, request, context):
        scope = self.ctx.authorise_read()
        return m.payment_page_to_proto(self.use_cases.list(scope, m.list_payments(request)))


def register(server: grpc.Server, use_cases: PaymentUseCases) -> list[str]:
    payments_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentServicer(use_cases), server)
    return [payments_pb2.DESCRIPTOR.services_by_name["PaymentService"].full_name]
