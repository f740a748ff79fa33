"""gRPC servicer for PenaltyService (C-6, O-4): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import penalties_pb2, penalties_pb2_grpc
from services.contributions.application.penalties import PenaltyUseCases


class PenaltyServicer(penalties_pb2_grpc.PenaltyServiceServicer):
    def __init__(self, use_cases: PenaltyUseCases):
        self.use_cases = use_cases

    def GetPenalty(self, request, context):
        return self.use_cases.get(request)

    def ListPenalties(self, request, context):
        return self.use_cases.list(request)

    def RequestPenaltyCorrection(self, request, context):
        return self.use_cases.request_correction(request)

    def ApprovePenaltyCorrection(self, request, context):
        return self.use_cases.approve_correction(request)

    def RejectPenaltyCorrection(self, request, context):
        return self.use_cases.reject_correction(request)


def register(server: grpc.Server, use_cases: PenaltyUseCases) -> list[str]:
    penalties_pb2_grpc.add_PenaltyServiceServicer_to_server(PenaltyServicer(use_cases), server)
    return [penalties_pb2.DESCRIPTOR.services_by_name["PenaltyService"].full_name]
