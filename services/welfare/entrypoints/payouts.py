"""gRPC servicer for WelfarePayoutService: payment orders and the bank's files."""
from __future__ import annotations

import grpc

from jamsos.welfare.v1 import payouts_pb2 as pb
from jamsos.welfare.v1 import payouts_pb2_grpc as pb_grpc
from services.chassis.context import REGIONAL
from services.chassis.payout_files import file_stream
from services.welfare.application.payouts import PayoutUseCases
from services.welfare.domain.roles import WelfareAction as A
from services.welfare.entrypoints import payouts_mapping as m
from services.welfare.entrypoints.convert import identifier
from services.welfare.entrypoints.rpc import Rpc


class PayoutServicer(pb_grpc.WelfarePayoutServiceServicer):
    def __init__(self, use_cases: PayoutUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx
        self.rpc = Rpc(use_cases.ctx)

    def OrderScholarshipPayment(self, request, context):
        return self.rpc.mutate(request, pb.OrderScholarshipPaymentResponse, A.PAY_SCHOLARSHIP, m.order_scholarship,
                               self.uc.order_scholarship_payment,
                               m.order_response(pb.OrderScholarshipPaymentResponse))

    def OrderLoanDisbursement(self, request, context):
        return self.rpc.mutate(request, pb.OrderLoanDisbursementResponse, A.DISBURSE_LOAN, m.order_loan,
                               self.uc.order_loan_disbursement, m.loan_response)

    def OrderPumpTransfer(self, request, context):
        return self.rpc.mutate(request, pb.OrderPumpTransferResponse, A.TRANSFER_FUNDS, m.order_pump,
                               self.uc.order_pump_transfer, m.pump_response, office_level=REGIONAL, rule_id="W-P-4")

    def ListPaymentOrders(self, request, context):
        return self.rpc.read(request, A.READ, m.list_orders, self.uc.list, m.list_response)

    def GetPaymentOrder(self, request, context):
        return self.rpc.read(request, A.READ, m.step, self.uc.get, m.order_response(pb.GetPaymentOrderResponse))

    def ApprovePaymentOrder(self, request, context):
        return self.rpc.mutate(request, pb.ApprovePaymentOrderResponse, A.PAY_OUT, m.step, self.uc.approve,
                               m.order_response(pb.ApprovePaymentOrderResponse))

    def ReissuePaymentOrder(self, request, context):
        return self.rpc.mutate(request, pb.ReissuePaymentOrderResponse, A.PAY_OUT, m.reissue, self.uc.reissue,
                               m.order_response(pb.ReissuePaymentOrderResponse))

    def ExportPayoutFile(self, request, context):
        scope = self.rpc.authorise(A.PAY_OUT)
        branch_code, order_ids = request.branch_code.strip() or scope.principal.office_code, m.export_ids(request)

        def use_case(uow):
            stored, exported, more = self.uc.bank.export(uow, scope, branch_code, order_ids)
            return pb.ExportPayoutFileResponse(file=m.file_to_proto(stored, exported, more))

        header = self.ctx.base.mutation(request, pb.ExportPayoutFileResponse, use_case)  # a retry: the same file
        _, content = self.uc.bank.get(scope, header.file.msg_id)
        return file_stream(pb.ExportPayoutFileResponse, header, content)

    def GetPayoutFile(self, request, context):
        scope = self.rpc.authorise(A.READ)
        msg_id = identifier(request.msg_id, "msg_id")
        stored, content = self.uc.bank.get(scope, msg_id)
        return file_stream(pb.GetPayoutFileResponse, pb.GetPayoutFileResponse(file=m.file_to_proto(stored)), content)

    def ImportPayoutStatus(self, request_iterator, context):
        scope = self.rpc.authorise(A.PAY_OUT)  # O-3 before the stream is read
        return m.ANSWERS.import_status(self.ctx.base, request_iterator,
                                       lambda uow, command: self.uc.bank.import_status(uow, scope, command))

    def ImportPayoutStatement(self, request_iterator, context):
        scope = self.rpc.authorise(A.PAY_OUT)  # O-3 before the stream is read
        return m.ANSWERS.import_statement(self.ctx.base, request_iterator,
                                          lambda uow, command: self.uc.bank.import_statement(uow, scope, command))


def register(server: grpc.Server, use_cases: PayoutUseCases) -> list[str]:
    pb_grpc.add_WelfarePayoutServiceServicer_to_server(PayoutServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["WelfarePayoutService"].full_name]
