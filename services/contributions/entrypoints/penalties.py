"""gRPC servicer for PenaltyService (C-6, O-4): authorise (O-3) before reading the request,
decode it to a command, run the use case (a change once per request id, in one
transaction), encode the result."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import penalties_pb2 as pb
from jamsos.contributions.v1 import penalties_pb2_grpc
from services.contributions.application.money import penalty_mapping as m
from services.contributions.application.money.mapping import correction_to_proto, penalty_to_proto
from services.contributions.application.penalties import PenaltyUseCases
from services.contributions.domain.roles import ContributionsAction as A


class PenaltyServicer(penalties_pb2_grpc.PenaltyServiceServicer):
    def __init__(self, use_cases: PenaltyUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def GetPenalty(self, request, context):
        scope = self.ctx.authorise(A.READ)
        return pb.GetPenaltyResponse(penalty=penalty_to_proto(self.uc.get(scope, m.get_penalty(request))))

    def ListPenalties(self, request, context):
        scope = self.ctx.authorise(A.READ)
        return m.page_to_proto(self.uc.list(scope, m.list_penalties(request)))

    def RequestPenaltyCorrection(self, request, context):
        scope = self.ctx.authorise(A.REQUEST_PENALTY_CORRECTION)
        command = m.request_correction(request)
        return self.ctx.base.mutation(request, pb.RequestPenaltyCorrectionResponse, lambda uow: (
            pb.RequestPenaltyCorrectionResponse(correction=correction_to_proto(
                self.uc.request_correction(uow, scope, command)))))

    def ApprovePenaltyCorrection(self, request, context):
        scope = self.ctx.authorise(A.APPROVE_PENALTY_CORRECTION)
        command = m.approve_correction(request)
        return self.ctx.base.mutation(request, pb.ApprovePenaltyCorrectionResponse, lambda uow: (
            pb.ApprovePenaltyCorrectionResponse(penalty=penalty_to_proto(
                self.uc.approve_correction(uow, scope, command)))))

    def RejectPenaltyCorrection(self, request, context):
        scope = self.ctx.authorise(A.REJECT_PENALTY_CORRECTION)
        command = m.reject_correction(request)
        return self.ctx.base.mutation(request, pb.RejectPenaltyCorrectionResponse, lambda uow: (
            pb.RejectPenaltyCorrectionResponse(correction=correction_to_proto(
                self.uc.reject_correction(uow, scope, command)))))


def register(server: grpc.Server, use_cases: PenaltyUseCases) -> list[str]:
    penalties_pb2_grpc.add_PenaltyServiceServicer_to_server(PenaltyServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["PenaltyService"].full_name]
