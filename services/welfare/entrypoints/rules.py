"""gRPC servicer for WelfareRuleService: the dated rule tables of the welfare programs."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import rules_pb2 as pb
from jamsos.welfare.v1 import rules_pb2_grpc as pb_grpc
from services.welfare.application.rules import RuleUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import rules_mapping as m
from services.welfare.entrypoints.rpc import Rpc


class WelfareRuleServicer(pb_grpc.WelfareRuleServiceServicer):
    def __init__(self, use_cases: RuleUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def ListWelfareRuleVersions(self, request, context):
        return self.rpc.read(request, A.READ, m.list_versions, self.uc.list, m.list_response)

    def AddWelfareRuleVersion(self, request, context):
        return self.rpc.mutate(request, pb.AddWelfareRuleVersionResponse, A.MANAGE_RULE_TABLES, m.add_version,
                               self.uc.add, m.add_response)


def register(server: grpc.Server, use_cases: RuleUseCases) -> list[str]:
    pb_grpc.add_WelfareRuleServiceServicer_to_server(WelfareRuleServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["WelfareRuleService"].full_name]
