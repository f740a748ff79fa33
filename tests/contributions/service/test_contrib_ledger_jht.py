"""JHT ledger (C-9, B-JHT-1): balances, statements, yearly returns once a year, settlement,
and the double-entry ledger always balancing."""
from __future__ import annotations

import random
from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.contributions.v1 import events_pb2, ledger_pb2 as pb, ledger_pb2_grpc, payments_pb2, payments_pb2_grpc
from jamsos.contributions.v1 import reconciliation_pb2 as rec, reconciliation_pb2_grpc
from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope
from services.contributions.application.ledger.use_cases import PAYOUT_CONSUMER
from services.contributions.domain.periods import Period
from tests.service_harness import Caller, service_token_for
from tests.contributions.service.money_fixtures import (
    BINJAI, MEDAN, NPP, add_bill, add_employer, d, events, ledger_rows, rp, rule_of, set_today,
)

K1 = "11000000001"


class Officers:
    """The branch's finance officer, preparer, validator; the head office; benefits."""

    def __init__(self, as_user, channel):
        self.pay = as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
        self.ani = as_user(BINJAI, "ADMINISTRATION_OFFICER", user="ani")(reconciliation_pb2_grpc.ReconciliationServiceStub)
        self.budi = as_user(BINJAI, "BRANCH_HEAD", user="budi")(reconciliation_pb2_grpc.ReconciliationServiceStub)
        self.head = as_user("KP", "HEAD_OFFICE_ADMIN")(ledger_pb2_grpc.JhtLedgerServiceStub)
        self.benefits = Caller(channel, service_token_for("benefits"))(ledger_pb2_grpc.JhtLedgerServiceStub)
        self.branch = as_user(BINJAI, "ADMINISTRATION_OFFICER")(ledger_pb2_grpc.JhtLedgerServiceStub)

    def contribute(self, contributions, period: Period, jht: dict, paid_on: date, tag: str, extra: int = 0) -> int:
        """Bill, pay, reconcile and post a period (C-5, C-7); returns the JHT credited."""
        total = sum(a + b for a, b in jht.values()) + extra
        add_bill(contributions, period, total, date(period.following().year, period.following().month, 15), jht=jht)
        self.pay.RecordPayment(payments_pb2.RecordPaymentRequest(
            request_id=tag, bank_reference=tag, amount=rp(total), paid_on=d(paid_on), npp=NPP))
        ws = self.ani.PrepareWorksheet(rec.PrepareWorksheetRequest(
            request_id=tag, npp=NPP, period={"year": period.year, "month": period.month}, reported_amount=rp(total)))
        self.budi.ValidateWorksheet(rec.ValidateWorksheetRequest(request_id=tag, worksheet_id=ws.worksheet.worksheet_id))
        posted = self.ani.PostWorksheet(rec.PostWorksheetRequest(request_id=tag, worksheet_id=ws.worksheet.worksheet_id))
        return sum(p.amount.rupiah for p in posted.postings)

    def run_returns(self, year: int, request_id: str) -> pb.RunYearlyReturnsResponse:
        return self.head.RunYearlyReturns(pb.RunYearlyReturnsRequest(request_id=request_id, year=year))

    def settle(self, kpj: str, claim_id: str, on: date) -> pb.SettleJhtResponse:
        return self.benefits.SettleJht(pb.SettleJhtRequest(request_id=claim_id, kpj=kpj, claim_id=claim_id,
                                                           settled_on=d(on)))


@pytest.fixture
def officers(contributions, contributions_channel, as_user):
    add_employer(contributions)
    return Officers(as_user, contributions_channel)


@pytest.mark.rule("C-9")
def test_c9_balance_statement_yearly_returns_once_and_settlement(contributions, officers):
    set_today(contributions, date(2011, 4, 25))
    assert officers.contribute(contributions, Period(2011, 3), {K1: (370_000, 200_000)}, date(2011, 4, 14), "t1") == 570_000
    balance = lambda on: officers.branch.GetJhtBalance(pb.GetJhtBalanceRequest(kpj=K1, on_date=d(on))).balance.rupiah  # noqa: E731
    assert (balance(date(2011, 4, 24)), balance(date(2011, 4, 25))) == (0, 570_000)

    set_today(contributions, date(2012, 1, 5))
    with pytest.raises(grpc.RpcError) as err:
        officers.run_returns(2012, "r-0")
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and rule_of(err.value) == "C-9"
    with pytest.raises(grpc.RpcError) as err:
        officers.branch.RunYearlyReturns(pb.RunYearlyReturnsRequest(request_id="r-b", year=2011))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Credited 25 April (month 4): 8 whole months left. 570,000 x 8 x 10.10% / 12 = 38,380.
    first = officers.run_returns(2011, "r-1")
    assert (first.rate_bp, first.members_credited, first.total_credited.rupiah, first.already_run) == (1010, 1, 38_380, False)
    second = officers.run_returns(2011, "r-2")
    assert (second.already_run, second.members_credited, second.total_credited.rupiah) == (True, 0, 0)
    statement = officers.branch.GetJhtStatement(pb.GetJhtStatementRequest(kpj=K1, year=2011))
    assert [(line.kind, line.amount.rupiah) for line in statement.lines] == [
        (pb.LEDGER_ENTRY_KIND_CONTRIBUTION, 570_000), (pb.LEDGER_ENTRY_KIND_RETURN, 38_380)]
    assert (statement.opening.rupiah, statement.closing.rupiah, statement.returns.rupiah) == (0, 608_380, 38_380)

    set_today(contributions, date(2013, 1, 10))
    assert officers.run_returns(2012, "r-3").total_credited.rupiah == 61_446  # compounding: 608,380 x 10.10%
    # Settled 15 March 2013: two whole months of return first (669,826 x 2 x 10.10% / 12 = 11,275).
    settled = officers.settle(K1, "CLAIM-1", date(2013, 3, 15))
    assert (settled.part_year_return.rupiah, settled.amount.rupiah) == (11_275, 681_101)
    assert officers.settle(K1, "CLAIM-1", date(2013, 3, 15)) == settled
    assert officers.benefits.SettleJht(pb.SettleJhtRequest(request_id="again", kpj=K1, claim_id="CLAIM-1",
                                                           settled_on=d(date(2013, 3, 15)))) == settled
    assert balance(date(2013, 3, 15)) == 0
    assert [(e.kpj, e.amount.rupiah) for e in events(contributions, events_pb2.JhtSettled)] == [(K1, 681_101)]
    with pytest.raises(grpc.RpcError) as err:
        officers.branch.SettleJht(pb.SettleJhtRequest(request_id="x", kpj=K1, claim_id="C2", settled_on=d(date(2013, 3, 15))))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.rule("C-9")
def test_c9_ledger_always_balances_over_random_years_of_postings_returns_and_payouts(contributions, officers, as_user):
    """Property, over a seeded random history: every member balance adds up to posted
    contributions + credited returns - settlements, and the trial balance is 0."""
    rng = random.Random(20110101)
    members = [f"2200000000{i}" for i in range(5)]
    contributed = returned = settled = 0
    for year in (2010, 2011, 2012):
        for month in sorted(rng.sample(range(1, 12), 3)):
            set_today(contributions, date(year, month + 1, 25))
            jht = {k: (rng.randint(1, 400) * 1_000, rng.randint(1, 200) * 1_000) for k in rng.sample(members, 3)}
            contributed += officers.contribute(contributions, Period(year, month), jht,
                                               date(year, month + 1, rng.randint(1, 25)), f"{year}-{month}",
                                               extra=rng.randint(0, 50) * 1_000)
        set_today(contributions, date(year + 1, 1, 5))
        returned += officers.run_returns(year, f"r-{year}").total_credited.rupiah
        kpj = rng.choice(members)
        if officers.branch.GetJhtBalance(pb.GetJhtBalanceRequest(kpj=kpj)).balance.rupiah > 0:
            payout = officers.settle(kpj, f"CLAIM-{year}", date(year + 1, 1, 3))
            settled += payout.amount.rupiah
            returned += payout.part_year_return.rupiah

    rows = ledger_rows(contributions)
    assert sum(r.amount_rupiah for r in rows) == 0  # trial balance
    by_account: dict[str, int] = {}
    for r in rows:
        by_account[r.account] = by_account.get(r.account, 0) + r.amount_rupiah
    members_total = -sum(v for k, v in by_account.items() if k.startswith("member:"))
    assert members_total == contributed + returned - settled
    assert (by_account["fund:contributions-received"], by_account["fund:returns-expense"],
            -by_account.get("fund:benefits-paid", 0)) == (contributed, returned, settled)
    balances = {k: officers.branch.GetJhtBalance(pb.GetJhtBalanceRequest(kpj=k)).balance.rupiah for k in members}
    assert sum(balances.values()) == members_total
    credited = events(contributions, events_pb2.JhtCredited)
    assert sum(e.amount.rupiah for e in credited if e.kind == "RETURN") == returned and settled > 0
    medan = as_user(MEDAN, "ADMINISTRATION_OFFICER")(ledger_pb2_grpc.JhtLedgerServiceStub)
    with pytest.raises(grpc.RpcError) as err:
        medan.GetJhtBalance(pb.GetJhtBalanceRequest(kpj=members[0]))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND  # O-2: another branch's member is not there


def payout_approved(claim_id: str, kpj: str, on: date):
    """Benefits' JhtPayoutApproved as benefits publishes it."""
    return make_envelope(benefits_events.JhtPayoutApproved(claim_id=claim_id, kpj=kpj, branch_code=BINJAI, settle_on=d(on)),
                         aggregate_type="claim", aggregate_id=claim_id, branch_code=BINJAI, producer="benefits")


def deliver(contributions, envelope) -> str:
    """Through the ledger's own consumer, inbox included."""
    [spec] = [s for s in contributions.definition.consumers(contributions.app) if s.name == PAYOUT_CONSUMER]
    return EventApplier(spec.name, "contributions", spec.registry, contributions.app.ctx.base.unit_of_work).apply(envelope)


@pytest.mark.rule("B-JHT-1", "C-9")
def test_b_jht_1_an_approved_payout_from_benefits_settles_the_whole_balance_once_per_claim(contributions, officers):
    set_today(contributions, date(2011, 4, 25))
    officers.contribute(contributions, Period(2011, 3), {K1: (370_000, 200_000)}, date(2011, 4, 14), "t1")
    # No declared return rate for 2011 yet: no part-year return, the payout is the 570,000 posted.
    envelope = payout_approved("CLAIM-7", K1, date(2011, 5, 2))
    assert (deliver(contributions, envelope), deliver(contributions, envelope)) == ("applied", "duplicate")
    assert deliver(contributions, payout_approved("CLAIM-7", K1, date(2011, 5, 2))) == "applied"  # a new event id
    settled = events(contributions, events_pb2.JhtSettled)
    # The second delivery under a new id answers from the stored settlement: the same figures, no second debit.
    assert [(e.claim_id, e.kpj, e.amount.rupiah, e.settled_on.day) for e in settled] == [("CLAIM-7", K1, 570_000, 2)]
    assert officers.branch.GetJhtBalance(pb.GetJhtBalanceRequest(kpj=K1, on_date=d(date(2011, 5, 2)))).balance.rupiah == 0
    assert sum(r.amount_rupiah for r in ledger_rows(contributions)) == 0


@pytest.mark.rule("B-JHT-1")
def test_b_jht_1_a_payout_for_an_empty_account_is_answered_with_zero_so_the_claim_can_close(contributions, officers):
    set_today(contributions, date(2011, 4, 25))
    assert deliver(contributions, payout_approved("CLAIM-0", "11000000099", date(2011, 4, 25))) == "applied"
    assert [(e.claim_id, e.amount.rupiah) for e in events(contributions, events_pb2.JhtSettled)] == [("CLAIM-0", 0)]
    assert ledger_rows(contributions) == []  # nothing moved: no posting of 0
