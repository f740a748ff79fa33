"""gRPC servicer for PwbdService (M-2): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import pwbd_pb2, pwbd_pb2_grpc
from services.membership.application.pwbd import PwbdUseCases


class PwbdServicer(pwbd_pb2_grpc.PwbdServiceServicer):
    def __init__(self, use_cases: PwbdUseCases):
        self.use_cases = use_cases

    def ImportCandidates(self, request_iterator, context):
        # The use case checks the role before it reads the (possibly long) stream.
        return self.use_cases.import_candidates(request_iterator)

    def ListUnregistered(self, request, context):
        return self.use_cases.list_unregistered(request)

    def RecordNoticeLetter(self, request, context):
        return self.use_cases.record_notice_letter(request)


def register(server: grpc.Server, use_cases: PwbdUseCases) -> list[str]:
    pwbd_pb2_grpc.add_PwbdServiceServicer_to_server(PwbdServicer(use_cases), server)
    return [pwbd_pb2.DESCRIPTOR.services_by_name["PwbdService"].full_name]
