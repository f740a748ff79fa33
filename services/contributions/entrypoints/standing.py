"""gRPC servicer for StandingService (C-8): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import standing_pb2, standing_pb2_grpc
from services.contributions.application.standing import StandingUseCases


class StandingServicer(standing_pb2_grpc.StandingServiceServicer):
    def __init__(self, use_cases: StandingUseCases):
        self.use_cases = use_cases

    def GetStanding(self, request, context):
        return self.use_cases.get_standing(request)

    def RecomputeStanding(self, request, context):
        return self.use_cases.recompute(request)

    def ListArrears(self, request, context):
        return self.use_cases.list_arrears(request)


def register(server: grpc.Server, use_cases: StandingUseCases) -> list[str]:
    standing_pb2_grpc.add_StandingServiceServicer_to_server(StandingServicer(use_cases), server)
    return [standing_pb2.DESCRIPTOR.services_by_name["StandingService"].full_name]
