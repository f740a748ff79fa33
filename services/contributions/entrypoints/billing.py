"""gRPC servicer for BillingService: decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.application.billing import BillingUseCases
from services.contributions.application.billing import mapping as m
from services.contributions.domain.roles import ContributionsAction as A


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, use_cases: BillingUseCases):
        self.use_cases = use_cases

    def StartBillingRun(self, request, context):
        return self.use_cases.start_run(request)

    def GetBillingRun(self, request, context):
        return self.use_cases.get_run(request)

    def WatchBillingRun(self, request, context):
        yield from self.use_cases.watch_run(request, context.is_active)

    # ---- reads (O-3: every role; O-2: the repository applies the scope) ----------------
    def GetBillingCoverage(self, request, context):
        scope = self.use_cases.ctx.authorise(A.READ)
        return m.coverage_to_proto(self.use_cases.coverage.get(scope, m.get_coverage(request)))

    def GetBill(self, request, context):
        scope = self.use_cases.ctx.authorise(A.READ)
        answer = self.use_cases.bills.get_answer(scope, m.get_bill(request))
        # Already serialised (the wrapper hands bytes on as they are): the kept lines joined
        # to the bill's fields, not parsed into a message to be serialised again.
        return m.bill_answer_bytes(answer.bill, answer.lines, answer.worker_count)

    def ListBills(self, request, context):
        scope = self.use_cases.ctx.authorise(A.READ)
        return m.bill_page_to_proto(self.use_cases.bills.list(scope, m.list_bills(request)))

    def RenderSpi(self, request, context):
        scope = self.use_cases.ctx.authorise(A.READ)
        return m.spi_to_proto(self.use_cases.bills.render(scope, m.render_spi(request)))


def register(server: grpc.Server, use_cases: BillingUseCases) -> list[str]:
    billing_pb2_grpc.add_BillingServiceServicer_to_server(BillingServicer(use_cases), server)
    return [billing_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name]
