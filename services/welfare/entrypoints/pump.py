"""gRPC servicer for PumpService (W-P-1..W-P-5): the branch's steps and the region's."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import pump_pb2 as pb
from jamsos.welfare.v1 import pump_pb2_grpc as pb_grpc
from services.chassis.context import BRANCH, REGIONAL
from services.welfare.application.pump import PumpUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import pump_mapping as m
from services.welfare.entrypoints.rpc import Rpc


class PumpServicer(pb_grpc.PumpServiceServicer):
    def __init__(self, use_cases: PumpUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def SubmitPumpApplication(self, request, context):
        return self.rpc.mutate(request, pb.SubmitPumpApplicationResponse, A.RECEIVE_APPLICATION, m.submit,
                               self.uc.submit, m.submit_response)

    def CheckPumpApplication(self, request, context):
        return self.rpc.mutate(request, pb.CheckPumpApplicationResponse, A.CHECK_APPLICATION, m.step, self.uc.check,
                               m.check_response)

    def ApprovePumpInPrinciple(self, request, context):
        return self.rpc.mutate(request, pb.ApprovePumpInPrincipleResponse, A.APPROVE_APPLICATION, m.step,
                               self.uc.approve_in_principle, m.approve_response)

    def RecordBankApproval(self, request, context):
        return self.rpc.mutate(request, pb.RecordBankApprovalResponse, A.RECEIVE_APPLICATION, m.bank_approval,
                               self.uc.record_bank_approval, m.bank_approval_response)

    def ReportPumpToRegion(self, request, context):
        return self.rpc.mutate(request, pb.ReportPumpToRegionResponse, A.CHECK_APPLICATION, m.step,
                               self.uc.report_to_region, m.report_response)

    def DeterminePump(self, request, context):
        return self.rpc.mutate(request, pb.DeterminePumpResponse, A.DETERMINE_PUMP, m.determine, self.uc.determine,
                               m.determine_response, office_level=REGIONAL, rule_id="W-P-3")

    def SignPumpAgreement(self, request, context):
        return self.rpc.mutate(request, pb.SignPumpAgreementResponse, A.SIGN_AGREEMENT, m.sign, self.uc.sign,
                               m.sign_response, office_level=BRANCH, rule_id="W-P-4")

    def TransferPumpFunds(self, request, context):
        return self.rpc.mutate(request, pb.TransferPumpFundsResponse, A.TRANSFER_FUNDS, m.transfer, self.uc.transfer,
                               m.transfer_response, office_level=REGIONAL, rule_id="W-P-4")

    def GetPumpApplication(self, request, context):
        return self.rpc.read(request, A.READ, m.step, self.uc.get, m.get_response)

    def ListPumpApplications(self, request, context):
        return self.rpc.read(request, A.READ, m.list_applications, self.uc.list, m.list_response)


def register(server: grpc.Server, use_cases: PumpUseCases) -> list[str]:
    pb_grpc.add_PumpServiceServicer_to_server(PumpServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["PumpService"].full_name]
