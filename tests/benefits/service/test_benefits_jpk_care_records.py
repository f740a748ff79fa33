"""Care the cover paid counts against B-JPK-5's day limits (60 care days per case per year,
20 of them in intensive care) and B-JPK-2's childbirths: RecordJpkCare checks, records the
days covered, and the next check of the same case sees them. Sums over the records and the
once-only constraint are the database's, so this module runs on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import jpk_pb2 as jpb
from tests.benefits.service.jpk_support import answer, choose, family_changed, query, record, register_facility
from tests.benefits.service.support import SERVICE, member, rid
from tests.service_harness import rule_of, violation_code_of


@pytest.fixture(scope="module")
def service(benefits_both):
    return benefits_both


@pytest.fixture(scope="module")
def facilities(callers):
    register_facility(callers, "PKM-BNJ-01", "PUSKESMAS")
    register_facility(callers, "RS-BNJ-01", "HOSPITAL")
    return callers


@pytest.mark.rule("B-JPK-5")
def test_b_jpk_5_care_days_count_per_case_per_year(feed, facilities):
    kpj, _ = member(feed)
    choose(facilities, kpj, "PKM-BNJ-01", date(2024, 1, 2))
    first = record(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=50, icu=15, case="I21.0",
                                     on=date(2024, 3, 1)))
    assert (first.answer.covered, first.answer.days_covered, first.intensive_care_days_covered) == (True, 50, 15)
    # 60 - 50 = 10 care days left for I21.0 this year; 20 - 15 = 5 intensive days
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=15, case="I21.0")) == (
        True, "B-JPK-5", "CARE_DAYS_LIMITED", 10)
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=8, icu=8, case="I21.0")) == (
        True, "B-JPK-5", "INTENSIVE_CARE_DAYS_LIMITED", 5)  # 8 - (8 - 5) = 5 days
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=15, case="A09")) == (
        True, "B-JPK-1", "COVERED", 15)  # another case counts from 0
    second = record(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=15, case="I21.0", on=date(2024, 5, 1)))
    assert second.answer.days_covered == 10
    with pytest.raises(grpc.RpcError) as exhausted:
        record(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=3, case="I21.0"))
    assert (rule_of(exhausted.value), violation_code_of(exhausted.value)) == ("B-JPK-5", "CARE_DAYS_EXHAUSTED")
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=3, case="I21.0", on=date(2023, 12, 1)))[3] == 3


@pytest.mark.rule("B-JPK-2")
def test_b_jpk_2_a_recorded_childbirth_counts_until_the_baby_is_on_the_family_list(feed, facilities):
    kpj, npp = member(feed)
    family = [("sp-1", "SPOUSE", date(1982, 4, 4), False), ("ch-1", "CHILD", date(2012, 5, 5), False),
              ("ch-2", "CHILD", date(2015, 8, 8), False)]
    feed(family_changed(kpj, npp, family))
    birth = query(kpj, "CHILDBIRTH", "RS-BNJ-01", dependant="sp-1", days=2, case="O80", on=date(2024, 5, 20))
    assert record(facilities, birth).answer.covered  # the 3rd
    assert answer(facilities, query(kpj, "CHILDBIRTH", "RS-BNJ-01", dependant="sp-1"))[:3] == (
        False, "B-JPK-2", "CHILDBIRTH_LIMIT_REACHED")
    feed(family_changed(kpj, npp, [*family, ("ch-3", "CHILD", date(2024, 5, 20), False)]))  # the same baby listed
    assert answer(facilities, query(kpj, "CHILDBIRTH", "RS-BNJ-01", dependant="sp-1"))[2] == "CHILDBIRTH_LIMIT_REACHED"


def test_the_same_care_is_recorded_once_and_a_retry_answers_the_same(feed, facilities):
    kpj, _ = member(feed)
    request = jpb.RecordJpkCareRequest(request_id=rid(), query=query(kpj, "INPATIENT", "RS-BNJ-01", days=4,
                                                                     on=date(2024, 4, 4)))
    first = facilities.jpk(SERVICE).RecordJpkCare(request)
    assert facilities.jpk(SERVICE).RecordJpkCare(request) == first
    request.request_id = rid()
    with pytest.raises(grpc.RpcError) as twice:
        facilities.jpk(SERVICE).RecordJpkCare(request)
    assert twice.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=60))[3] == 56  # 60 - 4
