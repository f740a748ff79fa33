"""gRPC servicer for JpkService: authorise (O-3) before reading the request, decode to a
command, run the use case (a mutation once per request id, in one transaction), encode.

Who may call: until a facility has a credential of its own, the coverage check is asked by
the member's branch (service officer or branch head, CHECK_COVERAGE). A production
facility credential would be a service token (or mTLS client certificate) per facility,
naming its code, with this service as audience and CheckJpkCoverage / RecordJpkCare as its
only methods; the facility code would come from the credential, not from the request.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from jamsos.benefits.v1 import jpk_pb2 as pb
from jamsos.benefits.v1 import jpk_pb2_grpc
from services.benefits.application.jpk import JpkUseCases
from services.benefits.domain.roles import BenefitsAction as A
from services.benefits.entrypoints import jpk_mapping as m

_SERVICE = pb.DESCRIPTOR.services_by_name["JpkService"].full_name


class JpkServicer(jpk_pb2_grpc.JpkServiceServicer):
    def __init__(self, use_cases: JpkUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def _mutate(self, request: Any, response_cls: type, action: A, decode: Callable[[Any], Any],
                run: Callable[..., Any], encode: Callable[[Any], Any]) -> Any:
        scope = self.ctx.authorise(action)
        command = decode(request)
        return self.ctx.base.mutation(request, response_cls, lambda uow: encode(run(uow, scope, command)))

    def _read(self, request: Any, action: A, decode: Callable[[Any], Any], run: Callable[..., Any],
              encode: Callable[[Any], Any]) -> Any:
        scope = self.ctx.authorise(action)
        command = decode(request)
        with self.ctx.base.read_session() as session:
            return encode(run(session, scope, command))

    def RegisterFacility(self, request, context):
        return self._mutate(request, pb.RegisterFacilityResponse, A.REGISTER_FACILITY, m.register_facility,
                            self.uc.facilities.register, m.register_response)

    def ListFacilities(self, request, context):
        return self._read(request, A.READ, m.list_facilities, self.uc.facilities.list, m.list_response)

    def ChooseFacility(self, request, context):
        return self._mutate(request, pb.ChooseFacilityResponse, A.CHOOSE_FACILITY, m.choose_facility,
                            self.uc.facilities.choose, m.choose_response)

    def GetMemberFacility(self, request, context):
        return self._read(request, A.READ, m.member_kpj, self.uc.facilities.member_facility, m.member_response)

    def CheckJpkCoverage(self, request, context):
        return self._read(request, A.CHECK_COVERAGE, lambda r: m.coverage_check(r, self.ctx.today),
                          self.uc.coverage.check, m.check_response)

    def RecordJpkCare(self, request, context):
        return self._mutate(request, pb.RecordJpkCareResponse, A.RECORD_CARE,
                            lambda r: m.coverage_check(r, self.ctx.today), self.uc.coverage.record, m.record_response)

    def ListJpkExclusions(self, request, context):
        self.ctx.authorise(A.READ)
        return m.exclusions_response()


def register(server: grpc.Server, use_cases: JpkUseCases) -> list[str]:
    jpk_pb2_grpc.add_JpkServiceServicer_to_server(JpkServicer(use_cases), server)
    return [_SERVICE]
