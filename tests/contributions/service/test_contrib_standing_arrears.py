"""Standing (C-8): arrears by ageing bucket, good standing, StandingChanged only on change."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.contributions.v1 import events_pb2, payments_pb2, payments_pb2_grpc
from jamsos.contributions.v1 import standing_pb2 as pb, standing_pb2_grpc
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import (
    BINJAI, MEDAN, NPP, OTHER_NPP, add_bill, add_employer, d, events, rp, set_today,
)

TODAY = date(2021, 6, 30)


@pytest.fixture
def standing(contributions, as_user):
    add_employer(contributions)
    set_today(contributions, TODAY)
    # Due today (not yet arrears), then 15, 46, 76 and 107 days past due on 30 June.
    for month, amount, due in ((5, 100, TODAY), (4, 1_000, date(2021, 6, 15)), (3, 2_000, date(2021, 5, 15)),
                               (2, 3_000, date(2021, 4, 15)), (1, 4_000, date(2021, 3, 15))):
        add_bill(contributions, Period(2021, month), amount, due)
    return as_user(BINJAI, "ADMINISTRATION_OFFICER")(standing_pb2_grpc.StandingServiceStub)


def buckets(s: pb.Standing) -> list[tuple[int, int]]:
    return [(b.bucket, b.amount.rupiah) for b in s.buckets]


@pytest.mark.rule("C-8")
def test_c8_arrears_by_ageing_bucket_from_open_bills(standing):
    s = standing.GetStanding(pb.GetStandingRequest(npp=NPP)).standing
    assert buckets(s) == [(pb.AGEING_BUCKET_UP_TO_30, 1_000), (pb.AGEING_BUCKET_DAYS_31_60, 2_000),
                          (pb.AGEING_BUCKET_DAYS_61_90, 3_000), (pb.AGEING_BUCKET_OVER_90, 4_000)]
    assert (s.arrears.rupiah, s.in_arrears, s.good_standing, s.data_complete) == (10_000, True, False, True)
    assert [b.days_past_due for b in s.overdue_bills] == [107, 76, 46, 15]
    earlier = standing.GetStanding(pb.GetStandingRequest(npp=NPP, as_of=d(date(2021, 3, 16)))).standing
    assert buckets(earlier)[0] == (pb.AGEING_BUCKET_UP_TO_30, 4_000) and earlier.arrears.rupiah == 4_000


@pytest.mark.rule("C-8")
def test_c8_standing_changed_is_emitted_only_when_the_standing_changes(contributions, as_user, standing):
    recompute = lambda rid: standing.RecomputeStanding(pb.RecomputeStandingRequest(request_id=rid, branch_code=BINJAI))  # noqa: E731
    first = recompute("r-1")
    assert (first.evaluated, [c.in_arrears for c in first.changed]) == (1, [True])
    assert list(recompute("r-2").changed) == []
    payments = as_user(BINJAI, "FINANCE_OFFICER")(payments_pb2_grpc.PaymentServiceStub)
    payments.RecordPayment(payments_pb2.RecordPaymentRequest(
        request_id="p", bank_reference="BNI-1", amount=rp(10_100), paid_on=d(TODAY), npp=NPP))
    assert list(recompute("r-3").changed) == []  # the payment already recomputed it
    changes = events(contributions, events_pb2.StandingChanged)
    assert [(e.npp, e.in_arrears, e.good_standing, e.arrears.rupiah) for e in changes] == [
        (NPP, True, False, 10_000), (NPP, False, True, 0)]


@pytest.mark.rule("C-8")
def test_c8_incomplete_data_is_not_good_standing_and_arrears_are_listed_by_branch(contributions, as_user, standing):
    add_employer(contributions, OTHER_NPP, address=" ")
    assert standing.GetStanding(pb.GetStandingRequest(npp=OTHER_NPP)).standing.good_standing is False
    add_bill(contributions, Period(2021, 1), 500, date(2021, 3, 15), npp=OTHER_NPP)
    page = standing.ListArrears(pb.ListArrearsRequest(branch_code=BINJAI, page={"page_size": 1}))
    assert [e.npp for e in page.employers] == [NPP] and page.page.next_page_token
    rest = standing.ListArrears(pb.ListArrearsRequest(branch_code=BINJAI, page={
        "page_size": 1, "page_token": page.page.next_page_token}))
    assert [(e.npp, e.arrears.rupiah) for e in rest.employers] == [(OTHER_NPP, 500)]
    assert not rest.page.next_page_token
    medan = as_user(MEDAN, "ADMINISTRATION_OFFICER")(standing_pb2_grpc.StandingServiceStub)
    hidden, denied = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED  # O-2
    for call, code in ((lambda: medan.GetStanding(pb.GetStandingRequest(npp=NPP)), hidden),
                       (lambda: medan.ListArrears(pb.ListArrearsRequest(branch_code=BINJAI)), denied),
                       (lambda: medan.RecomputeStanding(pb.RecomputeStandingRequest(request_id="m", branch_code=BINJAI)), denied)):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == code
