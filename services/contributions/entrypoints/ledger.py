"""gRPC servicer for JhtLedgerService (C-9, B-JHT-1): authorise (O-3) before reading the
request, decode it to a command, run the use case, encode the result (`ledger.mapping`)."""
from __future__ import annotations

import grpc

from jamsos.contributions.v1 import ledger_pb2, ledger_pb2_grpc
from services.chassis.context import current_principal
from services.chassis.errors import PermissionDenied
from services.contributions.application.ledger import LedgerUseCases
from services.contributions.application.ledger import mapping as m
from services.contributions.application.money.mapping import progress_to_proto
from services.contributions.domain.roles import ContributionsAction as A
from services.contributions.entrypoints.runs import answered_before

_SERVICE = ledger_pb2.DESCRIPTOR.services_by_name["JhtLedgerService"].full_name
# Benefits reads a member's JHT balance and settles a JHT payout (B-JHT-1) with its service token.
SERVICE_METHODS = (f"/{_SERVICE}/GetJhtBalance", f"/{_SERVICE}/SettleJht")


class JhtLedgerServicer(ledger_pb2_grpc.JhtLedgerServiceServicer):
    def __init__(self, use_cases: LedgerUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def GetJhtBalance(self, request, context):
        scope = self.ctx.authorise_read()
        return m.balance_to_proto(self.uc.balance(scope, m.get_balance(request)))

    def GetJhtStatement(self, request, context):
        scope = self.ctx.authorise_read()
        return m.statement_to_proto(self.uc.statement(scope, m.get_statement(request)))

    def RunYearlyReturns(self, request, context):
        """Batches first (each its own transaction), then the answer once per request id."""
        scope = self.ctx.authorise(A.RUN_YEARLY_JHT_RETURNS)
        command = m.run_yearly_returns(request)
        stored = answered_before(self.ctx.base, request, ledger_pb2.RunYearlyReturnsResponse)
        if stored is not None:
            return stored
        run = self.uc.run_yearly_returns(scope, command)
        return self.ctx.base.mutation(request, ledger_pb2.RunYearlyReturnsResponse, lambda uow: m.returns_to_proto(
            self.uc.answer_yearly_returns(uow, scope, command, run)))

    def GetYearlyReturnsRun(self, request, context):
        scope = self.ctx.authorise_read()
        return ledger_pb2.GetYearlyReturnsRunResponse(progress=progress_to_proto(
            self.uc.yearly_returns_run(scope, m.get_returns_run(request))))

    def SettleJht(self, request, context):
        if not current_principal().is_service:
            raise PermissionDenied("B-JHT-1: a JHT payout is settled by the benefits service only")
        command = m.settle_jht(request)
        return self.ctx.base.mutation(request, ledger_pb2.SettleJhtResponse,
                                      lambda uow: m.settled_to_proto(self.uc.settle(uow, command)))


def register(server: grpc.Server, use_cases: LedgerUseCases) -> list[str]:
    ledger_pb2_grpc.add_JhtLedgerServiceServicer_to_server(JhtLedgerServicer(use_cases), server)
    return [_SERVICE]
