"""gRPC servicer for RuleService (C-1..C-6, C-6a, C-9): authorise (O-3; a change only by the
head office) before reading the request, decode it to a command, run the use case (a change
once per request id, in one transaction), encode the result."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import Message

from jamsos.contributions.v1 import rules_pb2 as pb
from jamsos.contributions.v1 import rules_pb2_grpc
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.application.rules import mapping as m
from services.contributions.application.rules import RuleUseCases
from services.contributions.domain.roles import ContributionsAction as A


class RuleServicer(rules_pb2_grpc.RuleServiceServicer):
    def __init__(self, use_cases: RuleUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def _change(self, request: Message, response_cls: type, action: str, decode: Callable[[Any], Any],
                run: Callable[[UnitOfWork, BranchScope, Any], Any], encode: Callable[[Any], Message]) -> Any:
        scope = self.uc.head_office_admin(action)
        command = decode(request)
        return self.ctx.base.mutation(request, response_cls, lambda uow: encode(run(uow, scope, command)))

    def ListRuleVersions(self, request, context):
        self.ctx.authorise(A.READ)
        versions = self.uc.list_rule_versions(m.list_rule_versions(request))
        return pb.ListRuleVersionsResponse(versions=[m.version_to_proto(v) for v in versions])

    def GetRulesInForce(self, request, context):
        self.ctx.authorise(A.READ)
        return m.rules_in_force_to_proto(self.uc.get_rules_in_force(m.get_rules_in_force(request)))

    def AddRuleVersion(self, request, context):
        return self._change(request, pb.AddRuleVersionResponse, "add a rule version", m.add_rule_version,
                            self.uc.add_rule_version, lambda v: pb.AddRuleVersionResponse(version=m.version_to_proto(v)))

    def ListHolidays(self, request, context):
        self.ctx.authorise(A.READ)
        days = self.uc.list_holidays(m.list_holidays(request))
        return pb.ListHolidaysResponse(holidays=[m.holiday_to_proto(h) for h in days])

    def SetHolidays(self, request, context):
        return self._change(request, pb.SetHolidaysResponse, "set holidays", m.set_holidays, self.uc.set_holidays,
                            lambda changed: pb.SetHolidaysResponse(
                                holidays=[m.holiday_to_proto(h) for h in changed.holidays],
                                moved_bills=m.moves_to_proto(changed)))

    def AddHoliday(self, request, context):
        return self._change(request, pb.AddHolidayResponse, "add a holiday", m.add_holiday, self.uc.add_holiday,
                            lambda changed: pb.AddHolidayResponse(holiday=m.holiday_to_proto(changed.holidays[0]),
                                                                  moved_bills=m.moves_to_proto(changed)))

    def RemoveHoliday(self, request, context):
        return self._change(request, pb.RemoveHolidayResponse, "remove a holiday", m.remove_holiday,
                            self.uc.remove_holiday,
                            lambda changed: pb.RemoveHolidayResponse(moved_bills=m.moves_to_proto(changed)))

    def ListUmkRates(self, request, context):
        self.ctx.authorise(A.READ)
        rates = self.uc.list_umk_rates(m.list_umk_rates(request))
        return pb.ListUmkRatesResponse(rates=[m.umk_to_proto(r) for r in rates])

    def SetUmkRate(self, request, context):
        return self._change(request, pb.SetUmkRateResponse, "set a UMK rate", m.set_umk_rate, self.uc.set_umk_rate,
                            lambda rate: pb.SetUmkRateResponse(rate=m.umk_to_proto(rate)))


def register(server: grpc.Server, use_cases: RuleUseCases) -> list[str]:
    rules_pb2_grpc.add_RuleServiceServicer_to_server(RuleServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["RuleService"].full_name]
