"""gRPC servicers for cooperative and partnership loan applications (W-K-1..W-K-3, W-M-1,
W-M-2): receive, check, approve, sign, disburse, read."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import loan_applications_pb2 as pb
from jamsos.welfare.v1 import loan_applications_pb2_grpc as pb_grpc
from services.chassis.context import BRANCH
from services.welfare.application.loan_applications import LoanApplicationUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import loan_applications_mapping as m
from services.welfare.entrypoints.rpc import Rpc


class CooperativeLoanServicer(pb_grpc.CooperativeLoanServiceServicer):
    def __init__(self, use_cases: LoanApplicationUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def ProposeCooperativeLoan(self, request, context):
        return self.rpc.mutate(request, pb.ProposeCooperativeLoanResponse, A.RECEIVE_APPLICATION,
                               m.propose_cooperative_loan, self.uc.propose_cooperative_loan, m.propose_response)


class PartnershipLoanServicer(pb_grpc.PartnershipLoanServiceServicer):
    def __init__(self, use_cases: LoanApplicationUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def SubmitPartnershipLoan(self, request, context):
        return self.rpc.mutate(request, pb.SubmitPartnershipLoanResponse, A.RECEIVE_APPLICATION,
                               m.submit_partnership_loan, self.uc.submit_partnership_loan, m.submit_response)


class LoanApplicationServicer(pb_grpc.LoanApplicationServiceServicer):
    def __init__(self, use_cases: LoanApplicationUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def GetLoanApplication(self, request, context):
        return self.rpc.read(request, A.READ, m.step, self.uc.get, m.get_response)

    def ListLoanApplications(self, request, context):
        return self.rpc.read(request, A.READ, m.list_applications, self.uc.list, m.list_response)

    def CheckLoanApplication(self, request, context):
        return self.rpc.mutate(request, pb.CheckLoanApplicationResponse, A.CHECK_APPLICATION, m.step,
                               self.uc.check, m.check_response)

    def ApproveLoanApplication(self, request, context):
        return self.rpc.mutate(request, pb.ApproveLoanApplicationResponse, A.APPROVE_APPLICATION, m.step,
                               self.uc.approve, m.approve_response)

    def SignLoanAgreement(self, request, context):
        return self.rpc.mutate(request, pb.SignLoanAgreementResponse, A.SIGN_AGREEMENT, m.sign, self.uc.sign,
                               m.sign_response, office_level=BRANCH, rule_id="W-K-3")

    def DisburseLoan(self, request, context):
        return self.rpc.mutate(request, pb.DisburseLoanResponse, A.DISBURSE_LOAN, m.disburse, self.uc.disburse,
                               m.disburse_response)


def register(server: grpc.Server, use_cases: LoanApplicationUseCases) -> list[str]:
    pb_grpc.add_CooperativeLoanServiceServicer_to_server(CooperativeLoanServicer(use_cases), server)
    pb_grpc.add_PartnershipLoanServiceServicer_to_server(PartnershipLoanServicer(use_cases), server)
    pb_grpc.add_LoanApplicationServiceServicer_to_server(LoanApplicationServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name[name].full_name
            for name in ("CooperativeLoanService", "PartnershipLoanService", "LoanApplicationService")]
