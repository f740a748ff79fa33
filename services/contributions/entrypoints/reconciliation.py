"""gRPC servicer for ReconciliationService (C-7, O-4): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import reconciliation_pb2, reconciliation_pb2_grpc
from services.contributions.application.reconciliation import ReconciliationUseCases


class ReconciliationServicer(reconciliation_pb2_grpc.ReconciliationServiceServicer):
    def __init__(self, use_cases: ReconciliationUseCases):
        self.use_cases = use_cases

    def PrepareWorksheet(self, request, context):
        return self.use_cases.prepare(request)

    def ValidateWorksheet(self, request, context):
        return self.use_cases.validate(request)

    def PostWorksheet(self, request, context):
        return self.use_cases.post(request)

    def GetWorksheet(self, request, context):
        return self.use_cases.get(request)


def register(server: grpc.Server, use_cases: ReconciliationUseCases) -> list[str]:
    reconciliation_pb2_grpc.add_ReconciliationServiceServicer_to_server(ReconciliationServicer(use_cases), server)
    return [reconciliation_pb2.DESCRIPTOR.services_by_name["ReconciliationService"].full_name]
