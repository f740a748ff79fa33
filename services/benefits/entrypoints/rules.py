"""gRPC servicer for BenefitRuleService: the dated benefit rule tables (any role lists, the
head office adds)."""
from __future__ import annotations

import grpc

from jamsos.benefits.v1 import rules_pb2 as pb
from jamsos.benefits.v1 import rules_pb2_grpc
from services.benefits.application.rules import RuleUseCases
from services.benefits.domain.roles import BenefitsAction as A
from services.benefits.entrypoints import rules_mapping as m


class BenefitRuleServicer(rules_pb2_grpc.BenefitRuleServiceServicer):
    def __init__(self, use_cases: RuleUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def ListBenefitRuleVersions(self, request, context):
        scope = self.ctx.authorise(A.READ)
        spec = m.table_of(request)
        with self.ctx.base.read_session() as session:
            return m.list_response(self.uc.list(session, scope, spec))

    def AddBenefitRuleVersion(self, request, context):
        scope = self.ctx.authorise(A.MANAGE_RULE_TABLES)
        command = m.add_version(request)
        return self.ctx.base.mutation(request, pb.AddBenefitRuleVersionResponse,
                                      lambda uow: m.add_response(self.uc.add(uow, scope, command)))


def register(server: grpc.Server, use_cases: RuleUseCases) -> list[str]:
    rules_pb2_grpc.add_BenefitRuleServiceServicer_to_server(BenefitRuleServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["BenefitRuleService"].full_name]
