"""JHT ledger use cases (C-9, B-JHT-1): balance, yearly statement, yearly returns, settlement.

The ledger is double entry (`domain.jht_ledger`): contributions are posted by
reconciliation (C-7), returns once a year by the head office, and the whole balance is
paid out when benefits settles a JHT claim. Every posting lands once (its reference is
unique), so retries and redeliveries never credit twice.

The payout is an exchange of events with benefits: its `JhtPayoutApproved` (an approved
JHT claim) is settled here once per claim and answered with `JhtSettled`, whose amount is
the whole balance on the settlement date (0 when the account holds nothing, so that the
claim can close instead of waiting for an answer that never comes). The SettleJht RPC
(service callers) reaches the same `settle_jht_in`.
"""
from __future__ import annotations

from datetime import date, datetime, UTC

from jamsos.benefits.v1 import events_pb2 as benefits_events_pb2
from jamsos.contributions.v1 import events_pb2, ledger_pb2
from services.chassis.config import topic_of
from services.chassis.consumer import HandlerRegistry
from services.chassis.runtime import ConsumerSpec
from services.chassis.context import HEAD, HEAD_OFFICE, current_principal
from services.chassis.convert import from_date, from_rupiah, to_date
from services.chassis.errors import InvalidArgument, PermissionDenied, RuleViolation
from services.chassis.metrics import BUSINESS_EVENTS
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import ledger_store
from services.contributions.adapters.jht_repository import JhtAccountRepository, JhtBook, member_branch
from services.contributions.application.context import ContributionsContext
from services.contributions.application.ledger.mapping import settled_to_proto, statement_to_proto
from services.contributions.domain.roles import ContributionsAction
from services.contributions.application.money.rules import jht_return_rate
from services.contributions.domain.jht_ledger import (
    EntryKind, accrued_return, credit_return, credit_yearly_return, member_years, settle, statement,
)

PAYOUT_CONSUMER = "ledger-jht-payouts"


def credited(uow: UnitOfWork, kpj: str, amount: int, kind: EntryKind, reference: str, posted_on: date,
             branch_code: str) -> int:
    """JhtCredited for a posting just stored; returns the member's balance after it."""
    balance = ledger_store.member_balance(uow.session, kpj, posted_on)
    uow.emit(topic_of("contributions"), events_pb2.JhtCredited(
        kpj=kpj, amount=from_rupiah(amount), kind=kind.value, reference=reference, posted_on=from_date(posted_on),
        balance=from_rupiah(balance)), aggregate_type="jht_account", aggregate_id=kpj, branch_code=branch_code)
    return balance


def settle_jht_in(uow: UnitOfWork, kpj: str, claim_id: str, settled_on: date) -> ledger_pb2.SettleJhtResponse:
    """B-JHT-1: pay out the member's whole balance on `settled_on`, once per claim.

    First the return earned this year up to the month before settlement (C-9, whole months)
    is credited, when the year's rate is declared; then the whole balance is debited."""
    session, book = uow.session, JhtBook(uow.session)
    done = book.settlement(claim_id)
    if done is not None:
        if done.kpj != kpj:
            raise InvalidArgument.field("claim_id", f"claim {claim_id} already settled KPJ {done.kpj}")
        return settled_to_proto(done)
    branch = member_branch(session, kpj) or HEAD_OFFICE
    part = _part_year_return(session, kpj, settled_on)
    if part > 0:
        reference = f"JHT-RETURN-PART/{settled_on.year}/{claim_id}"
        ledger_store.insert_posting(session, credit_return(kpj, part, settled_on.year, settled_on, reference), kpj, branch)
        credited(uow, kpj, part, EntryKind.RETURN, reference, settled_on, branch)
    balance = max(ledger_store.member_balance(session, kpj, settled_on), 0)
    if balance > 0:  # an empty account settles for 0 without a posting (a posting moves money)
        ledger_store.insert_posting(session, settle(kpj, balance, settled_on, f"JHT-SETTLEMENT/{claim_id}"), kpj, branch)
    row = dict(claim_id=claim_id, kpj=kpj, amount_rupiah=balance, part_year_return_rupiah=part, settled_on=settled_on,
               created_at=datetime.now(UTC))
    stored = book.add_settlement(**row)
    uow.emit(topic_of("contributions"), events_pb2.JhtSettled(
        kpj=kpj, claim_id=claim_id, amount=from_rupiah(balance), settled_on=from_date(settled_on)),
        aggregate_type="jht_account", aggregate_id=kpj, branch_code=branch)
    uow.audit("jht.settle", kpj, row)
    return settled_to_proto(stored)


def _part_year_return(session, kpj: str, settled_on: date) -> int:
    try:
        rate = jht_return_rate(settled_on.year, session)
    except RuleViolation:
        return 0  # no declared rate yet for this year: nothing can be credited, the payout goes on
    entries = [e for e in ledger_store.entries_of(session, kpj) if e.posted_on <= settled_on]
    mine = [m for m in member_years(entries, settled_on.year) if m.kpj == kpj]
    if not mine:
        return 0
    return accrued_return(mine[0].opening_balance_rupiah, mine[0].flows, settled_on.year, rate,
                          through_month=settled_on.month - 1)


def on_jht_payout_approved(uow: UnitOfWork, envelope, payload: benefits_events_pb2.JhtPayoutApproved) -> None:
    """B-JHT-1: benefits approved a JHT claim; settle it (once per claim: a redelivery, or
    the same claim sent again under a new event id, answers from the stored settlement)."""
    settle_jht_in(uow, payload.kpj, payload.claim_id, to_date(payload, "settle_on"))


def consumers(_use_cases: LedgerUseCases) -> list[ConsumerSpec]:
    registry = HandlerRegistry()
    registry.on(benefits_events_pb2.JhtPayoutApproved, on_jht_payout_approved)
    return [ConsumerSpec(PAYOUT_CONSUMER, ("benefits",), registry)]


class LedgerUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def balance(self, request: ledger_pb2.GetJhtBalanceRequest) -> ledger_pb2.GetJhtBalanceResponse:
        scope = self.ctx.authorise_read()
        on = to_date(request, "on_date", required=False) or self.ctx.today()
        with self.ctx.base.read_session() as session:
            self._require_member(JhtAccountRepository(session, scope), request.kpj)
            balance = ledger_store.member_balance(session, request.kpj, on)
        return ledger_pb2.GetJhtBalanceResponse(kpj=request.kpj, on_date=from_date(on), balance=from_rupiah(balance))

    def statement(self, request: ledger_pb2.GetJhtStatementRequest) -> ledger_pb2.GetJhtStatementResponse:
        """C-9: the yearly balance statement (laporan saldo JHT)."""
        scope = self.ctx.authorise_read()
        if not 1900 <= request.year <= 9998:
            raise InvalidArgument.field("year", "required: a calendar year")
        with self.ctx.base.read_session() as session:
            self._require_member(JhtAccountRepository(session, scope), request.kpj)
            s = statement(ledger_store.entries_of(session, request.kpj), request.kpj, request.year)
        return statement_to_proto(s)

    def run_yearly_returns(self, request: ledger_pb2.RunYearlyReturnsRequest) -> ledger_pb2.RunYearlyReturnsResponse:
        """C-9: credit every member's return for an ended year at its declared rate, once."""
        self.ctx.authorise(ContributionsAction.RUN_YEARLY_JHT_RETURNS)
        principal = current_principal()
        if not principal.is_service and principal.office_level != HEAD:
            raise PermissionDenied("C-9: the yearly JHT returns are run by the head office")
        year = request.year
        if not 1900 <= year < self.ctx.today().year:
            raise RuleViolation("C-9", f"returns are credited after the year ends; {year} has not ended")

        def use_case(uow):
            session, book = uow.session, JhtBook(uow.session)
            done = book.return_run(year)
            if done is not None:
                return ledger_pb2.RunYearlyReturnsResponse(year=year, rate_bp=done.rate_bp, already_run=True)
            rate = jht_return_rate(year, session)
            postings = credit_yearly_return(member_years(ledger_store.year_entries(session, year), year), year, rate)
            total = 0
            for posting in postings:
                kpj = posting[1].account.removeprefix("member:")
                branch = ledger_store.member_branch(session, kpj) or HEAD_OFFICE
                ledger_store.insert_posting(session, posting, kpj, branch)
                credited(uow, kpj, posting[0].amount_rupiah, EntryKind.RETURN, posting[0].reference, posting[0].posted_on,
                         branch)
                total += posting[0].amount_rupiah
            row = dict(year=year, rate_bp=rate, members_credited=len(postings), total_rupiah=total,
                       run_by=principal.user_id, run_at=datetime.now(UTC))
            book.add_return_run(**row)
            uow.audit("jht.yearly_returns", str(year), row)
            return ledger_pb2.RunYearlyReturnsResponse(year=year, rate_bp=rate, members_credited=len(postings),
                                                       total_credited=from_rupiah(total))

        response = self.ctx.base.mutate("JhtLedgerService/RunYearlyReturns", request,
                                        ledger_pb2.RunYearlyReturnsResponse, use_case)
        BUSINESS_EVENTS.labels("contributions", "jht_yearly_returns").inc()
        return response

    def settle(self, request: ledger_pb2.SettleJhtRequest) -> ledger_pb2.SettleJhtResponse:
        if not current_principal().is_service:
            raise PermissionDenied("B-JHT-1: a JHT payout is settled by the benefits service only")
        if not request.kpj or not request.claim_id:
            raise InvalidArgument.field("kpj" if not request.kpj else "claim_id", "required")
        settled_on = to_date(request, "settled_on")
        return self.ctx.base.mutate("JhtLedgerService/SettleJht", request, ledger_pb2.SettleJhtResponse,
                                    lambda uow: settle_jht_in(uow, request.kpj, request.claim_id, settled_on))

    @staticmethod
    def _require_member(accounts: JhtAccountRepository, kpj: str) -> None:
        if not kpj.strip():
            raise InvalidArgument.field("kpj", "required")
        accounts.require_readable(kpj)


def build(ctx: ContributionsContext) -> LedgerUseCases:
    return LedgerUseCases(ctx)
