"""gRPC servicer for BillingService: decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc
from services.contributions.application.billing import BillingUseCases


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, use_cases: BillingUseCases):
        self.use_cases = use_cases

    def StartBillingRun(self, request, context):
        return self.use_cases.start_run(request)

    def GetBillingRun(self, request, context):
        return self.use_cases.get_run(request)

    def WatchBillingRun(self, request, context):
        yield from self.use_cases.watch_run(request, context.is_active)

    def GetBillingCoverage(self, request, context):
        return self.use_cases.get_coverage(request)

    def GetBill(self, request, context):
        return self.use_cases.get_bill(request)

    def ListBills(self, request, context):
        return self.use_cases.list_bills(request)

    def RenderSpi(self, request, context):
        return self.use_cases.render_spi(request)


def register(server: grpc.Server, use_cases: BillingUseCases) -> list[str]:
    billing_pb2_grpc.add_BillingServiceServicer_to_server(BillingServicer(use_cases), server)
    return [billing_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name]
