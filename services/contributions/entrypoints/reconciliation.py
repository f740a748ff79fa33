"""gRPC servicer for ReconciliationService (C-7, O-4): authorise (O-3) before reading the
request, decode it to a command, run the use case (a change once per request id, in one
transaction), encode the result."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import reconciliation_pb2 as pb
from jamsos.contributions.v1 import reconciliation_pb2_grpc
from services.contributions.application.money import reconciliation_mapping as m
from services.contributions.application.money.mapping import worksheet_to_proto
from services.contributions.application.reconciliation import ReconciliationUseCases
from services.contributions.domain.roles import ContributionsAction as A


class ReconciliationServicer(reconciliation_pb2_grpc.ReconciliationServiceServicer):
    def __init__(self, use_cases: ReconciliationUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def PrepareWorksheet(self, request, context):
        scope = self.ctx.authorise(A.PREPARE_WORKSHEET)
        command = m.prepare(request)
        return self.ctx.base.mutation(request, pb.PrepareWorksheetResponse, lambda uow: pb.PrepareWorksheetResponse(
            worksheet=worksheet_to_proto(self.uc.prepare(uow, scope, command))))

    def ValidateWorksheet(self, request, context):
        scope = self.ctx.authorise(A.CHECK_WORKSHEET)
        command = m.step(request)
        return self.ctx.base.mutation(request, pb.ValidateWorksheetResponse, lambda uow: pb.ValidateWorksheetResponse(
            worksheet=worksheet_to_proto(self.uc.validate(uow, scope, command))))

    def PostWorksheet(self, request, context):
        scope = self.ctx.authorise(A.CHECK_WORKSHEET)
        command = m.step(request)
        return self.ctx.base.mutation(request, pb.PostWorksheetResponse,
                                      lambda uow: m.posted_to_proto(self.uc.post(uow, scope, command)))

    def GetWorksheet(self, request, context):
        scope = self.ctx.authorise(A.READ)
        return pb.GetWorksheetResponse(worksheet=worksheet_to_proto(self.uc.get(scope, m.step(request))))


def register(server: grpc.Server, use_cases: ReconciliationUseCases) -> list[str]:
    reconciliation_pb2_grpc.add_ReconciliationServiceServicer_to_server(ReconciliationServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["ReconciliationService"].full_name]
