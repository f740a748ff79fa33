"""gRPC servicer for RuleService: decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import rules_pb2, rules_pb2_grpc
from services.contributions.application.rules import RuleUseCases


class RuleServicer(rules_pb2_grpc.RuleServiceServicer):
    def __init__(self, use_cases: RuleUseCases):
        self.use_cases = use_cases

    def ListRuleVersions(self, request, context):
        return self.use_cases.list_rule_versions(request)

    def GetRulesInForce(self, request, context):
        return self.use_cases.get_rules_in_force(request)

    def AddRuleVersion(self, request, context):
        return self.use_cases.add_rule_version(request)

    def ListHolidays(self, request, context):
        return self.use_cases.list_holidays(request)

    def SetHolidays(self, request, context):
        return self.use_cases.set_holidays(request)

    def AddHoliday(self, request, context):
        return self.use_cases.add_holiday(request)

    def RemoveHoliday(self, request, context):
        return self.use_cases.remove_holiday(request)

    def ListUmkRates(self, request, context):
        return self.use_cases.list_umk_rates(request)

    def SetUmkRate(self, request, context):
        return self.use_cases.set_umk_rate(request)


def register(server: grpc.Server, use_cases: RuleUseCases) -> list[str]:
    rules_pb2_grpc.add_RuleServiceServicer_to_server(RuleServicer(use_cases), server)
    return [rules_pb2.DESCRIPTOR.services_by_name["RuleService"].full_name]
