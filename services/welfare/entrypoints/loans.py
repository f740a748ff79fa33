"""gRPC servicer for LoanService: decode, call the use case, encode (W-K-3, W-P-5, W-M-1)."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import loans_pb2, loans_pb2_grpc
from services.welfare.application.loans import LoanUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import loans_mapping as m
from services.welfare.entrypoints.rpc import Rpc


class LoanServicer(loans_pb2_grpc.LoanServiceServicer):
    def __init__(self, use_cases: LoanUseCases):
        self.uc = use_cases
        self.rpc = Rpc(use_cases.ctx)

    def GetLoan(self, request, context):
        return self.rpc.read(request, A.READ, m.get_loan, self.uc.get, m.get_loan_response)

    def ListLoans(self, request, context):
        return self.rpc.read(request, A.READ, m.list_loans, self.uc.list, m.list_loans_response)

    def RecordRepayment(self, request, context):
        return self.rpc.mutate(request, loans_pb2.RecordRepaymentResponse, A.RECORD_INSTALMENT, m.record_repayment,
                               self.uc.record_repayment, m.record_repayment_response)

    def FlagLateInstalments(self, request, context):
        return self.rpc.mutate(request, loans_pb2.FlagLateInstalmentsResponse, A.MONITOR_LOANS, m.flag_late,
                               self.uc.flag_late, m.flag_late_response)


def register(server: grpc.Server, use_cases: LoanUseCases) -> list[str]:
    loans_pb2_grpc.add_LoanServiceServicer_to_server(LoanServicer(use_cases), server)
    return [loans_pb2.DESCRIPTOR.services_by_name["LoanService"].full_name]
