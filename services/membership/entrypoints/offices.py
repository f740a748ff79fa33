"""gRPC servicer for OfficeService: decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc
from services.membership.application.offices import OfficeUseCases, office_to_proto


class OfficeServicer(offices_pb2_grpc.OfficeServiceServicer):
    def __init__(self, use_cases: OfficeUseCases):
        self.use_cases = use_cases

    def ListOffices(self, request, context):
        return offices_pb2.ListOfficesResponse(offices=[office_to_proto(o) for o in self.use_cases.list_offices()])

    def UpsertOffice(self, request, context):
        return self.use_cases.upsert_office(request)


def register(server: grpc.Server, use_cases: OfficeUseCases) -> list[str]:
    offices_pb2_grpc.add_OfficeServiceServicer_to_server(OfficeServicer(use_cases), server)
    return [offices_pb2.DESCRIPTOR.services_by_name["OfficeService"].full_name]
