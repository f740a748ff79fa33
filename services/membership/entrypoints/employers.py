"""gRPC servicer for EmployerService (M-1, M-7): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import employers_pb2, employers_pb2_grpc
from services.membership.application.employers import EmployerUseCases


class EmployerServicer(employers_pb2_grpc.EmployerServiceServicer):
    def __init__(self, use_cases: EmployerUseCases):
        self.use_cases = use_cases

    def RegisterEmployer(self, request, context):
        return self.use_cases.register(request)

    def GetEmployer(self, request, context):
        return self.use_cases.get(request)

    def SearchEmployers(self, request, context):
        return self.use_cases.search(request)

    def ListEmployers(self, request, context):
        return self.use_cases.list_employers(request)

    def ChangeEmployerAddress(self, request, context):
        return self.use_cases.change_address(request)

    def ChangeRiskGroup(self, request, context):
        return self.use_cases.change_risk_group(request)


def register(server: grpc.Server, use_cases: EmployerUseCases) -> list[str]:
    employers_pb2_grpc.add_EmployerServiceServicer_to_server(EmployerServicer(use_cases), server)
    return [employers_pb2.DESCRIPTOR.services_by_name["EmployerService"].full_name]
