"""gRPC servicer for FundService: the regional funds' ledger."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import fund_pb2, fund_pb2_grpc
from services.welfare.application.funds import FundUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import funds_mapping as m
from services.welfare.entrypoints.rpc import Rpc


class FundServicer(fund_pb2_grpc.FundServiceServicer):
    def __init__(self, use_cases: FundUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def AllocateToFund(self, request, context):
        return self.rpc.mutate(request, fund_pb2.AllocateToFundResponse, A.ALLOCATE_FUND, m.allocate,
                               self.uc.allocate, m.allocate_response)

    def GetFundBalance(self, request, context):
        return self.rpc.read(request, A.READ, m.balance, self.uc.balance, m.balance_response)

    def ListFundEntries(self, request, context):
        return self.rpc.read(request, A.READ, m.entries, self.uc.entries, m.entries_response)


def register(server: grpc.Server, use_cases: FundUseCases) -> list[str]:
    fund_pb2_grpc.add_FundServiceServicer_to_server(FundServicer(use_cases), server)
    return [fund_pb2.DESCRIPTOR.services_by_name["FundService"].full_name]
