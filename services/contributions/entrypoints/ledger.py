"""gRPC servicer for JhtLedgerService (C-9, B-JHT-1): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import ledger_pb2, ledger_pb2_grpc
from services.contributions.application.ledger import LedgerUseCases

_SERVICE = ledger_pb2.DESCRIPTOR.services_by_name["JhtLedgerService"].full_name
# Benefits reads a member's JHT balance and settles a JHT payout (B-JHT-1) with its service token.
SERVICE_METHODS = (f"/{_SERVICE}/GetJhtBalance", f"/{_SERVICE}/SettleJht")


class JhtLedgerServicer(ledger_pb2_grpc.JhtLedgerServiceServicer):
    def __init__(self, use_cases: LedgerUseCases):
        self.use_cases = use_cases

    def GetJhtBalance(self, request, context):
        return self.use_cases.balance(request)

    def GetJhtStatement(self, request, context):
        return self.use_cases.statement(request)

    def RunYearlyReturns(self, request, context):
        return self.use_cases.run_yearly_returns(request)

    def SettleJht(self, request, context):
        return self.use_cases.settle(request)


def register(server: grpc.Server, use_cases: LedgerUseCases) -> list[str]:
    ledger_pb2_grpc.add_JhtLedgerServiceServicer_to_server(JhtLedgerServicer(use_cases), server)
    return [_SERVICE]
