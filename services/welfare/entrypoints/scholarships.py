"""gRPC servicer for ScholarshipService (W-S-1, W-S-2)."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import scholarships_pb2 as pb
from jamsos.welfare.v1 import scholarships_pb2_grpc as pb_grpc
from services.welfare.application.scholarships import ScholarshipUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import scholarships_mapping as m
from services.welfare.entrypoints.rpc import Rpc


class ScholarshipServicer(pb_grpc.ScholarshipServiceServicer):
    def __init__(self, use_cases: ScholarshipUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def SubmitScholarshipApplication(self, request, context):
        return self.rpc.mutate(request, pb.SubmitScholarshipApplicationResponse, A.RECEIVE_APPLICATION, m.submit,
                               self.uc.submit, m.submit_response)

    def CheckScholarshipApplication(self, request, context):
        return self.rpc.mutate(request, pb.CheckScholarshipApplicationResponse, A.CHECK_APPLICATION, m.step,
                               self.uc.check, m.check_response)

    def AwardScholarship(self, request, context):
        return self.rpc.mutate(request, pb.AwardScholarshipResponse, A.APPROVE_APPLICATION, m.award, self.uc.award,
                               m.award_response)

    def RecordScholarshipPayment(self, request, context):
        return self.rpc.mutate(request, pb.RecordScholarshipPaymentResponse, A.PAY_SCHOLARSHIP, m.pay, self.uc.pay,
                               m.pay_response)

    def GetScholarshipApplication(self, request, context):
        return self.rpc.read(request, A.READ, m.step, self.uc.get, m.get_response)

    def ListScholarshipApplications(self, request, context):
        return self.rpc.read(request, A.READ, m.list_applications, self.uc.list, m.list_response)


def register(server: grpc.Server, use_cases: ScholarshipUseCases) -> list[str]:
    pb_grpc.add_ScholarshipServiceServicer_to_server(ScholarshipServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["ScholarshipService"].full_name]
