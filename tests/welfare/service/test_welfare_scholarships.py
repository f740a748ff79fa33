"""Scholarships through the real gRPC server, the read model fed by other services' events
(W-S-1, W-S-2, C-8, O-2, O-4)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.welfare.v1 import common_pb2
from jamsos.welfare.v1 import scholarships_pb2 as pb
from jamsos.welfare.v1 import scholarships_pb2_grpc as pb_grpc
from tests.welfare.service.support import (
    ADMIN, FINANCE, HEAD, SERVICE, d, member_deceased, rid, umk_version, violated_fields, violation_code_of,
    wage_changed,
)

DOCS = [common_pb2.DocumentKind.Value(f"DOCUMENT_KIND_{n}") for n in (
    "REPORT_CARD", "SCHOOL_STATEMENT", "FAMILY_CARD_COPY", "NO_OTHER_SCHOLARSHIP_STATEMENT")]


def scholarships(welfare, office: str = "KC-BINJAI", *roles: str, user: str | None = None):
    return welfare.stub(pb_grpc.ScholarshipServiceStub, office, *(roles or (ADMIN,)), user=user)


def child(**overrides) -> pb.Child:
    fields = dict(name="Ani", child_order=1, level=pb.SCHOOL_LEVEL_SENIOR_HIGH, class_or_semester=11,
                  school_name="SMA Negeri 1 Binjai", report_grade_hundredths=801)
    fields.update(overrides)
    return pb.Child(**fields)


def submit(welfare, kpj: str, office: str = "KC-BINJAI", documents=DOCS, **overrides) -> pb.ScholarshipApplication:
    return scholarships(welfare, office).SubmitScholarshipApplication(pb.SubmitScholarshipApplicationRequest(
        request_id=rid(), kpj=kpj, child=child(**overrides), documents=documents,
        applied_on=d(date(2025, 6, 2)))).application


def check(welfare, application_id: str) -> pb.CheckScholarshipApplicationResponse:
    return scholarships(welfare, "KC-BINJAI", SERVICE, user="checker").CheckScholarshipApplication(
        pb.CheckScholarshipApplicationRequest(request_id=rid(), application_id=application_id))


def award(welfare, application_id: str, user: str = "head") -> pb.ScholarshipApplication:
    return scholarships(welfare, "KC-BINJAI", HEAD, user=user).AwardScholarship(pb.AwardScholarshipRequest(
        request_id=rid(), application_id=application_id)).application


@pytest.fixture(scope="module")
def binjai_umk(welfare):
    welfare.feed(umk_version("KC-BINJAI", 2_900_000))  # 300% of it: 8,700,000


@pytest.mark.rule("W-S-1", "W-S-2")
def test_an_eligible_child_is_awarded_12_monthly_payments_paid_one_by_one(welfare, binjai_umk):
    kpj = welfare.worker(welfare.employer())
    application = submit(welfare, kpj)
    checked = check(welfare, application.application_id)
    assert checked.eligible and checked.application.path == pb.SCHOLARSHIP_PATH_ACHIEVEMENT
    awarded = award(welfare, application.application_id)
    # senior high school: 200,000 a month for 12 months = 2,400,000, from 1 July 2025 (month after the award)
    assert awarded.status == pb.SCHOLARSHIP_STATUS_AWARDED
    assert (awarded.monthly_amount.rupiah, awarded.total_amount.rupiah) == (200_000, 2_400_000)
    assert [(p.due_on.year, p.due_on.month, p.due_on.day) for p in awarded.payments][::11] == [(2025, 7, 1),
                                                                                                (2026, 6, 1)]
    finance = scholarships(welfare, "KC-BINJAI", FINANCE)
    paid = finance.RecordScholarshipPayment(pb.RecordScholarshipPaymentRequest(
        request_id=rid(), application_id=application.application_id, number=1, paid_on=d(date(2025, 6, 30)),
        bank_reference="BNI-SCH-1"))
    assert paid.application.payments[0].bank_reference == "BNI-SCH-1"
    with pytest.raises(grpc.RpcError) as twice:
        finance.RecordScholarshipPayment(pb.RecordScholarshipPaymentRequest(
            request_id=rid(), application_id=application.application_id, number=2, paid_on=d(date(2025, 6, 30)),
            bank_reference="BNI-SCH-1"))
    assert twice.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.rule("W-S-2", "C-8")
def test_the_check_answers_with_every_reason_from_the_read_model(welfare, binjai_umk):
    npp = welfare.employer(registered=date(2025, 1, 6), good=False)
    kpj = welfare.worker(npp, wage=8_700_001, start=date(2024, 12, 1))
    application = submit(welfare, kpj, report_grade_hundredths=700, receives_other_scholarship=True, documents=[])
    checked = check(welfare, application.application_id)
    assert not checked.eligible and checked.application.status == pb.SCHOLARSHIP_STATUS_REJECTED
    assert {r.code for r in checked.reasons} == {
        "EMPLOYER_REGISTERED_UNDER_1_YEAR", "EMPLOYER_NOT_IN_GOOD_STANDING", "MEMBER_UNDER_1_YEAR",
        "WAGE_ABOVE_UMK_CAP", "GRADES_NOT_ABOVE_MINIMUM", "RECEIVES_OTHER_SCHOLARSHIP", "DOCUMENTS_MISSING"}
    assert {r.rule_id for r in checked.reasons} == {"W-S-2"}


@pytest.mark.rule("W-S-2")
def test_the_wage_in_force_on_the_application_date_counts(welfare, binjai_umk):
    npp = welfare.employer()
    kpj = welfare.worker(npp, wage=8_700_000)
    welfare.feed(wage_changed(kpj, npp, 9_000_000, date(2025, 7, 1)))  # after the application of 2 June
    assert check(welfare, submit(welfare, kpj).application_id).eligible


@pytest.mark.rule("W-S-2")
def test_a_child_of_a_worker_killed_at_work_applies_without_grades(welfare, binjai_umk):
    npp = welfare.employer()
    kpj = welfare.worker(npp, start=date(2025, 1, 6))  # a member for less than a year
    welfare.feed(member_deceased(kpj, npp, work_accident=True))
    application = submit(welfare, kpj, level=pb.SCHOOL_LEVEL_PRIMARY, class_or_semester=4,
                         report_grade_hundredths=610)
    checked = check(welfare, application.application_id)
    assert checked.eligible and checked.application.path == pb.SCHOLARSHIP_PATH_WORK_ACCIDENT
    assert award(welfare, application.application_id).monthly_amount.rupiah == 150_000


@pytest.mark.rule("W-S-2")
def test_without_a_umk_the_wage_cannot_be_judged(welfare):
    kpj = welfare.worker(welfare.employer(branch="KC-SIBOLGA"), branch="KC-SIBOLGA")
    application = scholarships(welfare, "KC-SIBOLGA").SubmitScholarshipApplication(
        pb.SubmitScholarshipApplicationRequest(request_id=rid(), kpj=kpj, child=child(), documents=DOCS,
                                               applied_on=d(date(2025, 6, 2)))).application
    checked = scholarships(welfare, "KC-SIBOLGA", SERVICE).CheckScholarshipApplication(
        pb.CheckScholarshipApplicationRequest(request_id=rid(), application_id=application.application_id))
    assert [r.code for r in checked.reasons] == ["UMK_UNKNOWN"]


@pytest.mark.rule("O-4")
def test_the_checker_does_not_award(welfare, binjai_umk):
    application = submit(welfare, welfare.worker(welfare.employer()))
    check(welfare, application.application_id)
    with pytest.raises(grpc.RpcError) as same:
        award(welfare, application.application_id, user="checker")
    assert violation_code_of(same.value) == "SAME_PERSON"


@pytest.mark.rule("O-2")
def test_an_unknown_kpj_and_another_branchs_member_are_not_found(welfare):
    other = welfare.worker(welfare.employer(branch="KC-MEDAN"), branch="KC-MEDAN")
    for kpj in (other, "98765432109"):
        with pytest.raises(grpc.RpcError) as hidden:
            submit(welfare, kpj)
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND


def test_impossible_child_data_is_bad_input_naming_the_field(welfare):
    kpj = welfare.worker(welfare.employer())
    for overrides, field in ((dict(class_or_semester=3), "child.class_or_semester"),
                             (dict(level=99), "level"), (dict(child_order=0), "child.child_order"),
                             (dict(report_grade_hundredths=-5), "child.report_grade_hundredths")):
        with pytest.raises(grpc.RpcError) as bad:
            submit(welfare, kpj, **overrides)
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert any(field in f for f in violated_fields(bad.value)), (field, violated_fields(bad.value))
