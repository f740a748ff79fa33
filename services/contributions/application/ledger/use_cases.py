"""JHT ledger use cases (C-9, B-JHT-1): balance, yearly statement, yearly returns, settlement.

The ledger is double entry (`domain.jht_ledger`): contributions are posted by
reconciliation (C-7), returns once a year by the head office, and the whole balance is
paid out when benefits settles a JHT claim. Every posting lands once (its reference is
unique), so retries and redeliveries never credit twice. The yearly returns walk the
member accounts in batches, each its own transaction, resumable (`money.batched_runs`).

The payout is an exchange of events with benefits: its `JhtPayoutApproved` (an approved
JHT claim) is settled here once per claim and answered with `JhtSettled`, whose amount is
the whole balance on the settlement date (0 when the account holds nothing, so that the
claim can close instead of waiting for an answer that never comes). The SettleJht RPC
(service callers) reaches the same `settle_jht_in`.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, UTC

from jamsos.benefits.v1 import events_pb2 as benefits_events_pb2
from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.consumer import HandlerRegistry
from services.chassis.runtime import ConsumerSpec
from services.chassis.context import HEAD, HEAD_OFFICE
from services.chassis.convert import from_date, from_rupiah, to_date
from services.chassis.errors import InvalidArgument, NotFound, PermissionDenied, RuleViolation
from services.chassis.metrics import BUSINESS_EVENTS
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import ledger_store
from services.contributions.adapters.jht_repository import JhtAccountRepository, JhtBook, Settlement, member_branch
from services.contributions.adapters.run_progress import RunProgress, RunProgressStore
from services.contributions.application.context import ContributionsContext
from services.contributions.application.ledger.commands import (
    GetJhtBalance, GetJhtStatement, GetYearlyReturnsRun, JhtBalance, RunYearlyReturns, SettleJht, YearlyReturns,
)
from services.contributions.application.money.batched_runs import BatchDone, BatchedRun, RunOutcome, run_in_batches
from services.contributions.application.money.rules import jht_return_rate
from services.contributions.domain.jht_ledger import (
    EntryKind, JhtStatement, accrued_return, credit_return, credit_yearly_return, member_years, settle, statement,
)

PAYOUT_CONSUMER = "ledger-jht-payouts"
RETURNS_RUN_KIND = "JHT-RETURNS"


def credited(uow: UnitOfWork, kpj: str, amount: int, kind: EntryKind, reference: str, posted_on: date,
             branch_code: str) -> int:
    """JhtCredited for a posting just stored; returns the member's balance after it."""
    balance = ledger_store.member_balance(uow.session, kpj, posted_on)
    uow.emit(topic_of("contributions"), events_pb2.JhtCredited(
        kpj=kpj, amount=from_rupiah(amount), kind=kind.value, reference=reference, posted_on=from_date(posted_on),
        balance=from_rupiah(balance)), aggregate_type="jht_account", aggregate_id=kpj, branch_code=branch_code)
    return balance


def settle_jht_in(uow: UnitOfWork, kpj: str, claim_id: str, settled_on: date) -> Settlement:
    """B-JHT-1: pay out the member's whole balance on `settled_on`, once per claim.

    First the return earned this year up to the month before settlement (C-9, whole months)
    is credited, when the year's rate is declared; then the whole balance is debited."""
    session, book = uow.session, JhtBook(uow.session)
    done = book.settlement(claim_id)
    if done is not None:
        if done.kpj != kpj:
            raise InvalidArgument.field("claim_id", f"claim {claim_id} already settled KPJ {done.kpj}")
        return done
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
    return stored


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
    return [ConsumerSpec(PAYOUT_CONSUMER, ("benefits",), registry, patient=True)]  # a settlement, not a reply


class LedgerUseCases:
    """Each takes the caller's scope (authorised by the entrypoint, O-3) and a command
    (`ledger.commands`) and returns a result; the entrypoint maps proto to command and back."""

    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        # Sees a yearly run's progress after each committed batch (a log line, a test's fault).
        self.after_batch: Callable[[RunProgress], None] = lambda progress: None

    def balance(self, scope: BranchScope, command: GetJhtBalance) -> JhtBalance:
        on = command.on_date or self.ctx.today()
        # The account is the member's, national: its postings keep the branch they were made
        # for (a transferred member's earlier ones), so it is read across branches once the
        # scope has let the member's current branch through.
        with self.ctx.base.read_session(across_branches=True) as session:
            JhtAccountRepository(session, scope).require_readable(command.kpj)
            return JhtBalance(command.kpj, on, ledger_store.member_balance(session, command.kpj, on))

    def statement(self, scope: BranchScope, command: GetJhtStatement) -> JhtStatement:
        """C-9: the yearly balance statement (laporan saldo JHT)."""
        with self.ctx.base.read_session(across_branches=True) as session:  # as `balance`
            JhtAccountRepository(session, scope).require_readable(command.kpj)
            return statement(ledger_store.entries_of(session, command.kpj), command.kpj, command.year)

    def run_yearly_returns(self, scope: BranchScope, command: RunYearlyReturns) -> RunOutcome | None:
        """C-9: credit every member's return for an ended year at its declared rate, once,
        in batches of member accounts, each its own transaction (`money.batched_runs`); any
        request for the year continues a run that was cut off. None: the year was run before."""
        principal = scope.principal
        if not principal.is_service and principal.office_level != HEAD:
            raise PermissionDenied("C-9: the yearly JHT returns are run by the head office")
        year = command.year
        if not 1900 <= year < self.ctx.today().year:
            raise RuleViolation("C-9", f"returns are credited after the year ends; {year} has not ended")
        with self.ctx.base.read_session() as session:
            if JhtBook(session).return_run(year) is not None:  # type: ignore[arg-type]
                return None
            rate = jht_return_rate(year, session)  # type: ignore[arg-type]

        def do_batch(uow: UnitOfWork, progress: RunProgress, accounts: list[str]) -> BatchDone:
            assert progress.rate_bp is not None  # set when the run started
            session = uow.session
            members = member_years(ledger_store.year_entries(session, year, accounts), year)
            total = 0
            postings = credit_yearly_return(members, year, progress.rate_bp)
            for posting in postings:
                kpj = posting[1].account.removeprefix("member:")
                branch = ledger_store.member_branch(session, kpj) or HEAD_OFFICE
                ledger_store.insert_posting(session, posting, kpj, branch)
                credited(uow, kpj, posting[0].amount_rupiah, EntryKind.RETURN, posting[0].reference,
                         posting[0].posted_on, branch)
                total += posting[0].amount_rupiah
            return BatchDone(changed=len(postings), total_rupiah=total)

        run = BatchedRun(
            run_id=f"{RETURNS_RUN_KIND}/{year}", kind=RETURNS_RUN_KIND, request_fingerprint=None,
            count_items=lambda session: ledger_store.count_member_accounts(session, year),
            next_keys=lambda session, progress, limit: ledger_store.member_accounts_after(
                session, year, progress.last_key, limit),
            do_batch=do_batch, start_values={"rate_bp": rate})
        return run_in_batches(self.ctx.base, run, self.ctx.run_batch_size, self.after_batch)

    def yearly_returns_run(self, scope: BranchScope, command: GetYearlyReturnsRun) -> RunProgress:
        """The year's run as far as it has come (the national run: any reader may follow it)."""
        with self.ctx.base.read_session() as session:
            progress = RunProgressStore(session).get(f"{RETURNS_RUN_KIND}/{command.year}")  # type: ignore[arg-type]
        if progress is None:
            raise NotFound("yearly returns run", str(command.year))
        return progress

    def answer_yearly_returns(self, uow: UnitOfWork, scope: BranchScope, command: RunYearlyReturns,
                              run: RunOutcome | None) -> YearlyReturns:
        """The year's run recorded (once per year) and answered, once per request id."""
        book, year = JhtBook(uow.session), command.year
        done = book.return_run(year)
        if done is not None:
            return YearlyReturns(year, done.rate_bp, 0, 0, already_run=True, run=run)
        assert run is not None and run.progress.rate_bp is not None  # no run recorded: this call ran it
        p = run.progress
        row = dict(year=year, rate_bp=p.rate_bp, members_credited=p.changed, total_rupiah=p.total_rupiah,
                   run_by=scope.principal.user_id, run_at=datetime.now(UTC))
        book.add_return_run(**row)
        uow.audit("jht.yearly_returns", str(year), row)
        uow.after_commit(lambda: BUSINESS_EVENTS.labels("contributions", "jht_yearly_returns").inc())
        return YearlyReturns(year, p.rate_bp, p.changed, p.total_rupiah, already_run=False, run=run)

    def settle(self, uow: UnitOfWork, command: SettleJht) -> Settlement:
        """B-JHT-1 by the benefits service's call (the entrypoint refuses any other caller)."""
        return settle_jht_in(uow, command.kpj, command.claim_id, command.settled_on)


def build(ctx: ContributionsContext) -> LedgerUseCases:
    return LedgerUseCases(ctx)
