"""gRPC servicer for PayoutService: authorise (O-3), decode, run, encode."""
from __future__ import annotations

import grpc

from jamsos.benefits.v1 import payouts_pb2 as pb
from jamsos.benefits.v1 import payouts_pb2_grpc
from jamsos.common.v1 import types_pb2
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.application.payouts import PayoutUseCases
from services.benefits.domain.roles import BenefitsAction as A
from services.benefits.entrypoints import payouts_mapping as m
from services.chassis.convert import decode_page_token, encode_page_token, from_rupiah, page_size
from services.chassis.errors import InvalidArgument
from services.chassis.payout_files import file_stream

_SERVICE = pb.DESCRIPTOR.services_by_name["PayoutService"].full_name
# A scheduler (a Kubernetes CronJob with the platform's service token) may run the payout.
SERVICE_METHODS = (f"/{_SERVICE}/RunDailyPayout",)


class PayoutServicer(payouts_pb2_grpc.PayoutServiceServicer):
    def __init__(self, use_cases: PayoutUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def ListPaymentOrders(self, request, context):
        scope = self.ctx.authorise(A.READ)
        state = m.state_filter(request)
        before = str((decode_page_token(request.page.page_token) or {}).get("before", "")) or None
        orders, last = self.uc.orders.list(scope, branch_code=request.branch_code.strip() or None, state=state,
                                           before_id=before, size=page_size(request.page))
        token = encode_page_token({"before": last}) if last else ""
        return pb.ListPaymentOrdersResponse(orders=[m.order_to_proto(o) for o in orders],
                                            page=types_pb2.PageResponse(next_page_token=token))

    def GetPaymentOrder(self, request, context):
        scope = self.ctx.authorise(A.READ)
        return pb.GetPaymentOrderResponse(order=m.order_to_proto(self.uc.orders.get(scope, m.require_id(request, "order_id"))))

    def ApprovePaymentOrder(self, request, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)
        order_id = m.require_id(request, "order_id")
        return self.ctx.base.mutation(request, pb.ApprovePaymentOrderResponse, lambda uow: pb.ApprovePaymentOrderResponse(
            order=m.order_to_proto(self.uc.orders.approve(uow, scope, order_id))))

    def MarkPaymentOrderPaid(self, request, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)
        order_id, paid_on = m.require_id(request, "order_id"), m.optional_day(request, "paid_on")
        reference = m.require_id(request, "bank_reference")
        return self.ctx.base.mutation(request, pb.MarkPaymentOrderPaidResponse, lambda uow: pb.MarkPaymentOrderPaidResponse(
            order=m.order_to_proto(self.uc.orders.mark_paid(uow, scope, order_id, paid_on, reference))))

    def ListPaymentSchedules(self, request, context):
        scope = self.ctx.authorise(A.READ)
        views = self.uc.orders.schedules(scope, m.require_id(request, "claim_id"))
        return pb.ListPaymentSchedulesResponse(schedules=[m.schedule_to_proto(v) for v in views])

    def RunDailyPayout(self, request, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)
        today = self.ctx.today()
        day = m.optional_day(request, "on_date") or today
        if day > today:
            raise InvalidArgument.field("on_date", f"{day.isoformat()} is in the future: instalments are paid when due")

        def use_case(uow):
            run = self.uc.daily.run_in(uow, PayoutRepository(uow.session, scope), day)
            return pb.RunDailyPayoutResponse(instalments_paid=run.instalments, amount_paid=from_rupiah(run.amount))

        return self.ctx.base.mutation(request, pb.RunDailyPayoutResponse, use_case)

    def ReissuePaymentOrder(self, request, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)
        order_id, account = m.require_id(request, "order_id"), m.reissue_account(request)
        return self.ctx.base.mutation(request, pb.ReissuePaymentOrderResponse, lambda uow: pb.ReissuePaymentOrderResponse(
            order=m.order_to_proto(self.uc.orders.reissue(uow, scope, order_id, account))))

    def ExportPayoutFile(self, request, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)
        command = m.export_command(request, scope)

        def use_case(uow):
            exported = self.uc.files.export(uow, scope, command)
            return pb.ExportPayoutFileResponse(file=m.file_to_proto(exported.file, exported.order_ids,
                                                                    exported.more_waiting))

        header = self.ctx.base.mutation(request, pb.ExportPayoutFileResponse, use_case)  # a retry: the same file
        _, content = self.uc.files.get(scope, header.file.msg_id)
        return file_stream(pb.ExportPayoutFileResponse, header, content)

    def GetPayoutFile(self, request, context):
        scope = self.ctx.authorise(A.READ)
        stored, content = self.uc.files.get(scope, m.require_id(request, "msg_id"))
        return file_stream(pb.GetPayoutFileResponse, pb.GetPayoutFileResponse(file=m.file_to_proto(stored)), content)

    def ImportPayoutStatus(self, request_iterator, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)  # O-3 before the stream is read
        return m.ANSWERS.import_status(self.ctx.base, request_iterator,
                                       lambda uow, command: self.uc.status.run(uow, scope, command))

    def ImportPayoutStatement(self, request_iterator, context):
        scope = self.ctx.authorise(A.PAY_CLAIM)  # O-3 before the stream is read
        return m.ANSWERS.import_statement(self.ctx.base, request_iterator,
                                          lambda uow, command: self.uc.status.statement(uow, scope, command))


def register(server: grpc.Server, use_cases: PayoutUseCases) -> list[str]:
    payouts_pb2_grpc.add_PayoutServiceServicer_to_server(PayoutServicer(use_cases), server)
    return [_SERVICE]
