"""The JPK coverage check through the API (B-JPK-1..7, M-6): a facility asks whether a KPK
holder or dependant is covered on a day, at a facility, for a kind of care, and gets yes or
no with the rule and a machine code. Today is 2024-06-03; members joined on 2010-03-01.

Facilities of the module: Binjai's puskesmas PKM-BNJ-01 and clinic KLN-BNJ-02 (first
level), Binjai's hospital RS-BNJ-01, and Medan's hospital RS-MDN-01 (another branch's, but
appointed: the network is the agency's)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import events_pb2 as bev
from jamsos.benefits.v1 import jpk_pb2 as jpb
from jamsos.common.v1 import types_pb2
from tests.benefits.service.jpk_support import answer, choose, family_changed, query, register_facility
from tests.benefits.service.support import SERVICE, d, member, outbox, rid, standing_changed
from tests.service_harness import rule_of, violated_fields, violation_code_of


@pytest.fixture(scope="module")
def facilities(callers):
    register_facility(callers, "PKM-BNJ-01", "PUSKESMAS")
    register_facility(callers, "KLN-BNJ-02", "CLINIC")
    register_facility(callers, "RS-BNJ-01", "HOSPITAL")
    register_facility(callers, "RS-MDN-01", "HOSPITAL", branch="KC-MEDAN")
    return callers


@pytest.fixture
def enrolled(feed, facilities):
    """A member whose own facility is PKM-BNJ-01 since 2024-01-02."""
    kpj, npp = member(feed)
    choose(facilities, kpj, "PKM-BNJ-01", date(2024, 1, 2))
    return kpj, npp


@pytest.mark.rule("B-JPK-3", "B-JPK-1")
def test_b_jpk_3_first_level_care_is_covered_at_the_members_own_facility_only(facilities, enrolled):
    kpj, _ = enrolled
    assert answer(facilities, query(kpj, "FIRST_LEVEL_OUTPATIENT", "PKM-BNJ-01")) == (True, "B-JPK-1", "COVERED", 0)
    assert answer(facilities, query(kpj, "FIRST_LEVEL_OUTPATIENT", "KLN-BNJ-02"))[:3] == (
        False, "B-JPK-3", "NOT_THE_APPOINTED_FACILITY")
    # before the pick (2024-01-02) the member had no facility of its own
    assert answer(facilities, query(kpj, "FIRST_LEVEL_OUTPATIENT", "PKM-BNJ-01", on=date(2023, 12, 30)))[2] == (
        "NOT_THE_APPOINTED_FACILITY")


@pytest.mark.rule("B-JPK-3")
def test_b_jpk_3_the_facility_changes_after_6_months_or_on_moving_house(service, feed, facilities):
    kpj, _ = member(feed)
    choose(facilities, kpj, "PKM-BNJ-01", date(2024, 3, 1))
    with pytest.raises(grpc.RpcError) as too_soon:  # 6 months from 2024-03-01: 2024-09-01
        choose(facilities, kpj, "KLN-BNJ-02")
    assert (too_soon.value.code(), rule_of(too_soon.value), violation_code_of(too_soon.value)) == (
        grpc.StatusCode.FAILED_PRECONDITION, "B-JPK-3", "TOO_SOON")
    moved = choose(facilities, kpj, "KLN-BNJ-02", moved_house=True)
    assert (moved.facility.code, moved.current.since, moved.may_change_from) == ("KLN-BNJ-02", d(date(2024, 6, 3)),
                                                                               d(date(2024, 12, 3)))
    assert [(c.facility_code, c.moved_house) for c in moved.history] == [("PKM-BNJ-01", False), ("KLN-BNJ-02", True)]
    assert answer(facilities, query(kpj, "FIRST_LEVEL_OUTPATIENT", "KLN-BNJ-02"))[0] is True
    assert answer(facilities, query(kpj, "FIRST_LEVEL_OUTPATIENT", "PKM-BNJ-01", on=date(2024, 5, 2)))[0] is True
    [event] = outbox(service, bev.JpkFacilityChosen, kpj)[-1:]
    assert (event.facility_code, event.moved_house, event.since) == ("KLN-BNJ-02", True, d(date(2024, 6, 3)))
    with pytest.raises(grpc.RpcError) as hospital:
        choose(facilities, kpj, "RS-BNJ-01", moved_house=True)
    assert violation_code_of(hospital.value) == "NOT_A_FIRST_LEVEL_FACILITY"


@pytest.mark.rule("B-JPK-4")
def test_b_jpk_4_an_emergency_is_covered_anywhere_but_7_days_outside_the_network(facilities, enrolled):
    kpj, _ = enrolled
    outside = query(kpj, "EMERGENCY", "RS-SWASTA-99", days=10, case="S72.0")
    assert answer(facilities, outside) == (True, "B-JPK-4", "EMERGENCY_STAY_LIMITED", 7)  # 7 of the 10 days
    assert answer(facilities, query(kpj, "INPATIENT", "RS-SWASTA-99", days=3))[:3] == (
        False, "B-JPK-4", "NOT_AN_APPOINTED_FACILITY")
    # another branch's hospital is appointed too: a stay there is covered in full
    assert answer(facilities, query(kpj, "INPATIENT", "RS-MDN-01", days=10)) == (True, "B-JPK-1", "COVERED", 10)
    assert answer(facilities, query(kpj, "EMERGENCY", "RS-BNJ-01", days=10)) == (True, "B-JPK-1", "COVERED", 10)


FAMILY = [("sp-1", "SPOUSE", date(1982, 4, 4), False),
          ("ch-1", "CHILD", date(2000, 1, 10), False),  # 24: over the age limit
          ("ch-2", "CHILD", date(2003, 2, 2), True),  # married
          ("ch-3", "CHILD", date(2005, 3, 1), False),
          ("ch-4", "CHILD", date(2008, 7, 7), False),
          ("ch-5", "CHILD", date(2010, 2, 2), False),
          ("ch-6", "CHILD", date(2012, 12, 12), False)]  # the 4th eligible child


@pytest.mark.rule("M-6", "B-JPK-1")
@pytest.mark.parametrize("dependant, expected", [
    ("sp-1", (True, "B-JPK-1", "COVERED")),
    ("ch-3", (True, "B-JPK-1", "COVERED")),
    ("ch-5", (True, "B-JPK-1", "COVERED")),
    ("ch-1", (False, "M-6", "CHILD_AGE_LIMIT")),
    ("ch-2", (False, "M-6", "CHILD_MARRIED")),
    ("ch-6", (False, "M-6", "CHILDREN_LIMIT")),  # the 3 eldest eligible are covered
    ("nobody", (False, "M-6", "NOT_A_LISTED_DEPENDANT")),
])
def test_m_6_dependants_are_the_spouse_and_3_children_under_21_unmarried(feed, facilities, enrolled, dependant,
                                                                          expected):
    kpj, npp = enrolled
    assert feed(family_changed(kpj, npp, FAMILY)) == ["applied"]
    assert answer(facilities, query(kpj, "REFERRED_SPECIALIST", "RS-BNJ-01", dependant=dependant))[:3] == expected


@pytest.mark.rule("M-6", "B-JPK-1")
def test_m_6_an_unmarried_workers_family_and_special_services_for_dependants(feed, facilities, enrolled):
    kpj, npp = enrolled
    feed(family_changed(kpj, npp, FAMILY))
    assert answer(facilities, query(kpj, "SPECIAL_SERVICE", "RS-BNJ-01", dependant="ch-3"))[:3] == (
        False, "B-JPK-1", "SPECIAL_SERVICE_WORKER_ONLY")
    assert answer(facilities, query(kpj, "SPECIAL_SERVICE", "RS-BNJ-01"))[0] is True
    feed(family_changed(kpj, npp, FAMILY, married=False))
    assert answer(facilities, query(kpj, "REFERRED_SPECIALIST", "RS-BNJ-01", dependant="ch-3"))[:3] == (
        False, "M-6", "WORKER_NOT_MARRIED")


@pytest.mark.rule("B-JPK-1")
def test_b_jpk_1_no_cover_without_jpk_or_after_the_employment_ended(feed, facilities):
    not_jpk, _ = member(feed, programs=("JHT", "JKK", "JK"))
    assert answer(facilities, query(not_jpk, "INPATIENT", "RS-BNJ-01", days=2))[:3] == (False, "B-JPK-1", "NOT_ENROLLED")
    left, _ = member(feed, left_on=date(2024, 1, 31))
    assert answer(facilities, query(left, "INPATIENT", "RS-BNJ-01", days=2))[:3] == (
        False, "B-JPK-1", "NOT_COVERED_ON_DATE")
    assert answer(facilities, query(left, "INPATIENT", "RS-BNJ-01", days=2, on=date(2024, 1, 15)))[0] is True


@pytest.mark.rule("B-JPK-2")
def test_b_jpk_2_childbirth_is_covered_up_to_the_3rd(feed, facilities, enrolled):
    kpj, npp = enrolled
    two_born = [("sp-1", "SPOUSE", date(1982, 4, 4), False), ("ch-1", "CHILD", date(2012, 5, 5), False),
                ("ch-2", "CHILD", date(2015, 8, 8), False)]  # both born after joining on 2010-03-01
    feed(family_changed(kpj, npp, two_born))
    assert answer(facilities, query(kpj, "CHILDBIRTH", "RS-BNJ-01", dependant="sp-1", days=2)) == (
        True, "B-JPK-1", "COVERED", 2)  # the 3rd
    feed(family_changed(kpj, npp, [*two_born, ("ch-3", "CHILD", date(2024, 5, 1), False)]))
    assert answer(facilities, query(kpj, "CHILDBIRTH", "RS-BNJ-01", dependant="sp-1", days=2))[:3] == (
        False, "B-JPK-2", "CHILDBIRTH_LIMIT_REACHED")  # the 4th
    three_before, npp2 = member(feed)
    feed(family_changed(three_before, npp2, [("sp-1", "SPOUSE", date(1982, 4, 4), False)] + [
        (f"ch-{i}", "CHILD", date(2004 + i, 1, 1), False) for i in range(3)]))  # all born before joining
    assert answer(facilities, query(three_before, "CHILDBIRTH", "RS-BNJ-01", dependant="sp-1"))[:3] == (
        False, "B-JPK-2", "HAD_CHILDREN_ON_JOINING")


@pytest.mark.rule("B-JPK-5", "B-JPK-7")
def test_b_jpk_5_exclusions_are_coded_and_b_jpk_7_lifts_its_own(facilities, enrolled):
    kpj, _ = enrolled
    assert answer(facilities, query(kpj, "REFERRED_SPECIALIST", "RS-BNJ-01", exclusion="COSMETIC"))[:3] == (
        False, "B-JPK-5", "EXCLUDED")
    assert answer(facilities, query(kpj, "EXTRA_HAEMODIALYSIS", "RS-BNJ-01", exclusion="HAEMODIALYSIS"))[:3] == (
        True, "B-JPK-7", "EXTRA_BENEFIT")
    catalogue = facilities.jpk(SERVICE).ListJpkExclusions(jpb.ListJpkExclusionsRequest()).exclusions
    assert {"COSMETIC", "HAEMODIALYSIS", "TREATMENT_ABROAD", "CARE_BEYOND_60_DAYS"} <= {e.code for e in catalogue}


@pytest.mark.rule("B-JPK-6")
def test_b_jpk_6_care_during_arrears_waits_for_the_arrears_and_then_3_months(feed, facilities, enrolled):
    kpj, npp = enrolled
    feed(standing_changed(npp, date(2024, 1, 16), True, 3_000_000), producer="contributions")
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=2, on=date(2024, 1, 20)))[:3] == (
        False, "B-JPK-6", "EMPLOYER_IN_ARREARS")
    feed(standing_changed(npp, date(2024, 2, 1), False), producer="contributions")  # deadline 2024-05-01
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=2, on=date(2024, 1, 20)))[:3] == (
        False, "B-JPK-6", "CLAIM_TOO_LATE")
    assert answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=2))[0] is True  # today: in good standing


@pytest.mark.rule("O-2")
def test_o_2_another_branchs_member_and_facility_are_not_found(feed, facilities, enrolled):
    kpj, _ = enrolled
    for call in (lambda: answer(facilities, query(kpj, "INPATIENT", "RS-BNJ-01", days=1), office="KC-MEDAN"),
                 lambda: answer(facilities, query("19999999999", "INPATIENT", "RS-BNJ-01", days=1)),
                 lambda: choose(facilities, kpj, "RS-MDN-01")):
        with pytest.raises(grpc.RpcError) as hidden:
            call()
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    medan = facilities.jpk(SERVICE, office="KC-MEDAN").ListFacilities(jpb.ListFacilitiesRequest()).facilities
    assert [f.code for f in medan] == ["RS-MDN-01"]
    with pytest.raises(grpc.RpcError) as elsewhere:
        facilities.jpk(SERVICE).RegisterFacility(jpb.RegisterFacilityRequest(request_id=rid(), facility=jpb.Facility(
            code="PKM-MDN-09", name="Puskesmas Medan", branch_code="KC-MEDAN", kind=jpb.FACILITY_KIND_PUSKESMAS)))
    assert elsewhere.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.rule("O-3")
def test_o_3_who_may_register_choose_and_check(facilities, enrolled):
    kpj, _ = enrolled
    for role, call in (("FINANCE_OFFICER", lambda stub: stub.CheckJpkCoverage(jpb.CheckJpkCoverageRequest(
            query=query(kpj, "INPATIENT", "RS-BNJ-01", days=1)))),
            ("ADMINISTRATION_OFFICER", lambda stub: stub.RegisterFacility(jpb.RegisterFacilityRequest(
                request_id=rid(), facility=jpb.Facility(code="PKM-BNJ-77", name="x", kind=jpb.FACILITY_KIND_CLINIC))))):
        with pytest.raises(grpc.RpcError) as refused:
            call(facilities.jpk(role))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_registration_retried_with_its_request_id_answers_the_same_and_a_new_one_is_a_duplicate(facilities):
    request = jpb.RegisterFacilityRequest(request_id=rid(), facility=jpb.Facility(
        code="kln-bnj-05", name="  Klinik   Sehat ", kind=jpb.FACILITY_KIND_CLINIC, appointed_from=d(date(2024, 1, 1))))
    first = facilities.jpk(SERVICE).RegisterFacility(request).facility
    assert (first.code, first.name, first.branch_code) == ("KLN-BNJ-05", "Klinik Sehat", "KC-BINJAI")
    assert facilities.jpk(SERVICE).RegisterFacility(request).facility == first
    request.request_id = rid()
    with pytest.raises(grpc.RpcError) as again:
        facilities.jpk(SERVICE).RegisterFacility(request)
    assert again.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize("change, fields", [
    (dict(care=0), {"query.care"}),
    (dict(care=99), {"query.care"}),
    (dict(inpatient_days=-1), {"query.inpatient_days"}),
    (dict(inpatient_days=2**31 - 1), {"query.inpatient_days"}),
    (dict(inpatient_days=3, case_code=""), {"query.case_code"}),
    (dict(intensive_care_days=4, inpatient_days=3), {"query.intensive_care_days"}),
    (dict(exclusion_code="NOT_A_CODE"), {"query.exclusion_code"}),
    (dict(facility_code=" "), {"query.facility_code"}),
    (dict(kpj=""), {"query.kpj"}),
    (dict(on_date=d(date(2024, 6, 4))), {"query.on_date"}),
    (dict(on_date=types_pb2.Date(year=2024, month=2, day=30)), {"query.on_date"}),
])
def test_bad_queries_are_invalid_argument_naming_the_field(facilities, enrolled, change, fields):
    q = query(enrolled[0], "INPATIENT", "RS-BNJ-01", days=2)
    for name, value in change.items():
        if name == "on_date":
            q.on_date.CopyFrom(value)
        else:
            setattr(q, name, value)
    with pytest.raises(grpc.RpcError) as bad:
        facilities.jpk(SERVICE).CheckJpkCoverage(jpb.CheckJpkCoverageRequest(query=q))
    assert (bad.value.code(), violated_fields(bad.value)) == (grpc.StatusCode.INVALID_ARGUMENT, fields)


@pytest.mark.parametrize("facility, fields", [
    (jpb.Facility(code="x", name="Klinik", kind=jpb.FACILITY_KIND_CLINIC), {"facility.code"}),
    (jpb.Facility(code="KLN-BNJ-08", name="", kind=0), {"facility.name", "facility.kind"}),
    (jpb.Facility(code="KLN-BNJ-08", name="Klinik", kind=7), {"facility.kind"}),
    (jpb.Facility(code="KLN-BNJ-08", name="Klinik", kind=jpb.FACILITY_KIND_CLINIC, appointed_from=d(date(2024, 5, 1)),
                  appointed_until=d(date(2024, 4, 1))), {"facility.appointed_until"}),
])
def test_bad_facilities_are_invalid_argument_naming_the_field(facilities, facility, fields):
    with pytest.raises(grpc.RpcError) as bad:
        facilities.jpk(SERVICE).RegisterFacility(jpb.RegisterFacilityRequest(request_id=rid(), facility=facility))
    assert (bad.value.code(), violated_fields(bad.value)) == (grpc.StatusCode.INVALID_ARGUMENT, fields)
