"""gRPC servicer for PaymentService (C-6, C-7): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import payments_pb2, payments_pb2_grpc
from services.contributions.application.payments import PaymentUseCases


class PaymentServicer(payments_pb2_grpc.PaymentServiceServicer):
    def __init__(self, use_cases: PaymentUseCases):
        self.use_cases = use_cases

    def RecordPayment(self, request, context):
        return self.use_cases.record(request)

    def ImportBankStatement(self, request, context):
        return self.use_cases.import_statement(request)

    def ImportBankStatementFile(self, request_iterator, context):
        return self.use_cases.files.import_file(request_iterator)

    def AssignSuspensePayment(self, request, context):
        return self.use_cases.assign_suspense(request)

    def GetPayment(self, request, context):
        return self.use_cases.get(request)

    def ListPayments(self, request, context):
        return self.use_cases.list(request)


def register(server: grpc.Server, use_cases: PaymentUseCases) -> list[str]:
    payments_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentServicer(use_cases), server)
    return [payments_pb2.DESCRIPTOR.services_by_name["PaymentService"].full_name]
