"""gRPC servicer for StandingService (C-8): authorise (O-3) before reading the request,
decode it to a command, run the use case, encode the result (`money.mapping`)."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import standing_pb2, standing_pb2_grpc
from services.contributions.application.money import mapping as m
from services.contributions.application.standing import StandingUseCases
from services.contributions.domain.roles import ContributionsAction as A
from services.contributions.entrypoints.runs import answered_before


class StandingServicer(standing_pb2_grpc.StandingServiceServicer):
    def __init__(self, use_cases: StandingUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def GetStanding(self, request, context):
        scope = self.ctx.authorise_read()
        return standing_pb2.GetStandingResponse(standing=m.standing_to_proto(
            self.uc.get_standing(scope, m.get_standing(request))))

    def RecomputeStanding(self, request, context):
        """Batches first (each its own transaction), then the answer once per request id."""
        self.ctx.authorise(A.RECOMPUTE_STANDING)  # O-3 before the request is read
        command = m.recompute_standing(request)
        scope = self.ctx.authorise_on_branch(A.RECOMPUTE_STANDING, command.branch_code, "standing")
        stored = answered_before(self.ctx.base, request, standing_pb2.RecomputeStandingResponse)
        if stored is not None:
            return stored
        run = self.uc.recompute(scope, command)
        return self.ctx.base.mutation(request, standing_pb2.RecomputeStandingResponse,
                                      lambda uow: m.recomputed_to_proto(self.uc.answer_recompute(uow, run)))

    def GetStandingRun(self, request, context):
        scope = self.ctx.authorise_read()
        return standing_pb2.GetStandingRunResponse(progress=m.progress_to_proto(
            self.uc.get_run(scope, m.get_standing_run(request))))

    def ListArrears(self, request, context):
        scope = self.ctx.authorise_read()
        return m.arrears_to_proto(self.uc.list_arrears(scope, m.list_arrears(request)))


def register(server: grpc.Server, use_cases: StandingUseCases) -> list[str]:
    standing_pb2_grpc.add_StandingServiceServicer_to_server(StandingServicer(use_cases), server)
    return [standing_pb2.DESCRIPTOR.services_by_name["StandingService"].full_name]
