"""EnrolWorker through the real gRPC server (M-3, M-4, M-7, M-8), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, workers_pb2
from services.membership.domain.numbers import is_valid_kpj
from services.membership.domain.person import Sex
from tests.membership.service.workers_fixtures import (
    BORN, START, d, enrol, enrol_request, money, new_nik, outbox_events, register_employer, rule_of, violated_fields,
    workers_of,
)


@pytest.mark.rule("M-3")
def test_m3_enrolment_issues_an_11_digit_kpj_with_a_check_digit_and_all_programs(caller, shared_service):
    npp = register_employer(caller)
    response = enrol(caller, npp)
    worker = response.worker
    assert response.outcome == workers_pb2.ENROLMENT_OUTCOME_ENROLLED and response.previous_npp == ""
    assert len(worker.kpj) == 11 and worker.kpj.isdigit() and is_valid_kpj(worker.kpj)
    wrong_check_digit = worker.kpj[:-1] + str((int(worker.kpj[-1]) + 1) % 10)
    assert not is_valid_kpj(wrong_check_digit)
    assert worker.npp == npp and worker.branch_code == "KC-BINJAI"
    assert worker.status == workers_pb2.WORKER_STATUS_ACTIVE and worker.kind == workers_pb2.MEMBERSHIP_KIND_EMPLOYEE
    assert list(worker.programs) == [workers_pb2.PROGRAM_JHT, workers_pb2.PROGRAM_JKK, workers_pb2.PROGRAM_JK, workers_pb2.PROGRAM_JPK]
    assert worker.monthly_wage.rupiah == 3_500_000
    assert outbox_events(shared_service, worker.kpj) == ["WorkerEnrolled"]
    got = workers_of(caller).GetWorker(workers_pb2.GetWorkerRequest(kpj=worker.kpj)).worker
    assert got == worker


@pytest.mark.rule("M-3")
def test_m3_two_new_members_get_two_different_kpjs(caller):
    npp = register_employer(caller)
    first, second = enrol(caller, npp).worker.kpj, enrol(caller, npp).worker.kpj
    assert first != second and is_valid_kpj(first) and is_valid_kpj(second)


FUTURE = date.today() + timedelta(days=30)
BAD_FIELDS = {
    "malformed NIK": (dict(nik="12345"), {"nik"}),
    "NIK with a non-Indonesian province": (dict(nik="9975014302900001"), {"nik"}),
    "birth date month 13": (dict(birth_date=types_pb2.Date(year=1990, month=13, day=3)), {"birth_date"}),
    "start date 31 February": (dict(start_date=types_pb2.Date(year=2020, month=2, day=31)), {"start_date"}),
    "negative wage": (dict(monthly_wage=money(-1)), {"monthly_wage"}),
    "absurd wage": (dict(monthly_wage=money(5_000_000_000)), {"monthly_wage"}),
    "missing wage": (dict(monthly_wage=None), {"monthly_wage"}),
    "missing name": (dict(name="  "), {"name"}),
    "unspecified sex": (dict(sex=workers_pb2.SEX_UNSPECIFIED), {"sex"}),
    "unspecified marital status": (dict(marital_status=workers_pb2.MARITAL_STATUS_UNSPECIFIED), {"marital_status"}),
    "unknown program": (dict(programs=[workers_pb2.PROGRAM_UNSPECIFIED]), {"programs"}),
    "a 12-year-old": (dict(start_date=d(date(2002, 3, 1))), {"birth_date"}),
    "missing start date": (dict(start_date=None), {"start_date"}),
    "employment starting before birth": (dict(start_date=d(date(1985, 1, 1))), {"start_date"}),
    "bad NPP": (dict(npp="1234"), {"npp"}),
}


@pytest.mark.rule("M-4")
@pytest.mark.parametrize("case", list(BAD_FIELDS), ids=list(BAD_FIELDS))
def test_m4_each_bad_field_is_named_in_the_bad_request(caller, case, binjai_npp):
    overrides, expected = BAD_FIELDS[case]
    request = enrol_request(binjai_npp)
    for name, value in overrides.items():
        if value is None:
            request.ClearField(name)
        elif name in ("programs",):
            request.programs[:] = value
        elif isinstance(value, (str, int)):
            setattr(request, name, value)
        else:
            getattr(request, name).CopyFrom(value)
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller).EnrolWorker(request)
    assert violated_fields(err.value) == expected


@pytest.mark.rule("M-4")
def test_m4_a_future_birth_date_is_refused(caller, binjai_npp):
    request = enrol_request(binjai_npp, born=FUTURE, start_date=d(FUTURE + timedelta(days=1)))
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller).EnrolWorker(request)
    assert "birth_date" in violated_fields(err.value)


@pytest.mark.rule("M-4")
def test_m4_every_problem_is_reported_at_once(caller, binjai_npp):
    request = enrol_request(binjai_npp, name="", monthly_wage=money(-5), sex=workers_pb2.SEX_UNSPECIFIED)
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller).EnrolWorker(request)
    assert violated_fields(err.value) == {"name", "monthly_wage", "sex"}


@pytest.mark.rule("M-4")
@pytest.mark.parametrize("rupiah,field", [(0, "monthly_wage"), (2**63 - 1, "monthly_wage.rupiah")])
def test_m4_a_wage_of_nothing_or_beyond_any_bound_is_refused(caller, binjai_npp, rupiah, field):
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller).EnrolWorker(enrol_request(binjai_npp, monthly_wage=money(rupiah)))
    assert violated_fields(err.value) == {field}


@pytest.mark.rule("M-3")
def test_m3_nik_disagreeing_with_birth_date_or_sex_is_refused_naming_each(caller, binjai_npp):
    npp = binjai_npp
    nik = new_nik(BORN, Sex.FEMALE)
    for overrides, expected in [
        (dict(birth_date=d(date(1990, 2, 4))), {"birth_date"}),
        (dict(sex=workers_pb2.SEX_MALE), {"sex"}),
        (dict(birth_date=d(date(1991, 2, 3)), sex=workers_pb2.SEX_MALE), {"birth_date", "sex"}),
    ]:
        with pytest.raises(grpc.RpcError) as err:
            workers_of(caller).EnrolWorker(enrol_request(npp, nik=nik, **overrides))
        assert violated_fields(err.value) == expected


@pytest.mark.rule("M-3")
def test_m3_transfer_keeps_the_kpj_and_closes_the_previous_employment_the_day_before(caller, shared_service):
    binjai, medan = register_employer(caller), register_employer(caller, "KC-MEDAN")
    nik = new_nik()
    first = enrol(caller, binjai, nik=nik).worker
    moved = enrol(caller, medan, office="KC-MEDAN", nik=nik, start_date=d(date(2023, 7, 1)), monthly_wage=money(4_200_000))
    assert moved.outcome == workers_pb2.ENROLMENT_OUTCOME_TRANSFERRED and moved.previous_npp == binjai
    assert moved.worker.kpj == first.kpj and moved.worker.npp == medan and moved.worker.branch_code == "KC-MEDAN"
    assert moved.worker.monthly_wage.rupiah == 4_200_000
    history = workers_of(caller, "KP", "HEAD_OFFICE_AUDITOR").GetEmploymentHistory(
        workers_pb2.GetEmploymentHistoryRequest(kpj=first.kpj, on_date=d(date(2024, 1, 1))))
    assert [(p.npp, p.branch_code, p.end_reason) for p in history.periods] == [
        (binjai, "KC-BINJAI", "TRANSFERRED"), (medan, "KC-MEDAN", "")]
    assert history.periods[0].end_date == d(date(2023, 6, 30)) and not history.periods[1].HasField("end_date")
    assert history.member_since == d(START) and history.active_on_date
    assert history.months_of_membership == 47  # 6 Jan 2020 .. 1 Jan 2024, one unbroken stretch
    assert outbox_events(shared_service, first.kpj) == ["WorkerEnrolled", "WorkerTransferred"]
    # the old branch no longer sees the member (O-2), the new one does
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller).GetWorker(workers_pb2.GetWorkerRequest(kpj=first.kpj))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("M-3")
def test_m3_a_transfer_or_a_re_sent_enrolment_takes_no_number_of_the_national_sequence(caller):
    """The record of the NIK is read, and a new KPJ taken only when there is none, in one
    query with the person's lock on PostgreSQL: a transfer (the KPJ kept) and an enrolment
    the employer had already made (ALREADY_EXISTS) leave the next new member the next number."""
    binjai, medan = register_employer(caller), register_employer(caller, "KC-MEDAN")
    first = enrol(caller, binjai).worker
    kept = new_nik()
    enrol(caller, binjai, nik=kept)
    moved = enrol(caller, medan, office="KC-MEDAN", nik=kept, start_date=d(date(2023, 7, 1)))
    assert moved.outcome == workers_pb2.ENROLMENT_OUTCOME_TRANSFERRED
    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, medan, office="KC-MEDAN", nik=kept, start_date=d(date(2023, 7, 1)))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    after = enrol(caller, binjai).worker
    assert int(after.kpj[:10]) == int(first.kpj[:10]) + 2  # the kept person's one number between them
    assert is_valid_kpj(after.kpj)


@pytest.mark.rule("M-3")
def test_m3_transfer_must_start_after_the_current_employment(caller):
    binjai, medan = register_employer(caller), register_employer(caller, "KC-MEDAN")
    nik = new_nik()
    enrol(caller, binjai, nik=nik)
    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, medan, office="KC-MEDAN", nik=nik, start_date=d(START))
    assert rule_of(err.value) == "M-3"


@pytest.mark.rule("M-3")
def test_m3_enrolling_again_at_the_same_employer_is_already_exists(caller, binjai_npp):
    npp = binjai_npp
    nik = new_nik()
    enrol(caller, npp, nik=nik)
    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, npp, nik=nik, start_date=d(date(2021, 1, 4)))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.rule("M-3")
def test_m3_the_same_request_id_returns_the_stored_result_and_changes_nothing(caller, shared_service, binjai_npp):
    request = enrol_request(binjai_npp)
    first = workers_of(caller).EnrolWorker(request)
    again = workers_of(caller).EnrolWorker(request)
    assert again == first and again.outcome == workers_pb2.ENROLMENT_OUTCOME_ENROLLED
    assert outbox_events(shared_service, first.worker.kpj) == ["WorkerEnrolled"]
    reused = enrol_request(request.npp, request_id=request.request_id)
    with pytest.raises(grpc.RpcError) as err:
        workers_of(caller).EnrolWorker(reused)
    assert violated_fields(err.value) == {"request_id"}


@pytest.mark.rule("M-8")
def test_m8_a_deceased_person_cannot_be_enrolled(caller, binjai_npp):
    npp, other = binjai_npp, register_employer(caller)
    nik = new_nik()
    kpj = enrol(caller, npp, nik=nik).worker.kpj
    workers_of(caller).RecordDeath(workers_pb2.RecordDeathRequest(request_id=f"death-{kpj}", kpj=kpj, death_date=d(date(2023, 3, 1))))
    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, other, nik=nik, start_date=d(date(2024, 1, 2)))
    assert rule_of(err.value) == "M-8"


@pytest.mark.rule("M-3")
def test_m3_re_enrolment_after_termination_keeps_the_kpj(caller, binjai_npp):
    npp, later = binjai_npp, register_employer(caller)
    nik = new_nik()
    kpj = enrol(caller, npp, nik=nik).worker.kpj
    workers_of(caller).TerminateWorker(workers_pb2.TerminateWorkerRequest(
        request_id=f"phk-{kpj}", kpj=kpj, termination_date=d(date(2022, 5, 31)), reason=workers_pb2.TERMINATION_REASON_RESIGNED))
    back = enrol(caller, later, nik=nik, start_date=d(date(2023, 1, 2)))
    assert back.outcome == workers_pb2.ENROLMENT_OUTCOME_ENROLLED and back.worker.kpj == kpj
    assert back.worker.status == workers_pb2.WORKER_STATUS_ACTIVE and not back.worker.HasField("end_date")


@pytest.mark.rule("M-3")
def test_m3_an_unknown_employer_is_not_found(caller):
    from services.membership.domain.numbers import make_npp

    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, make_npp(9_999_999))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("M-4")
def test_m4_chosen_programs_and_kind_must_match_the_employer(caller, binjai_npp):
    npp = binjai_npp
    worker = enrol(caller, npp, programs=[workers_pb2.PROGRAM_JKK, workers_pb2.PROGRAM_JHT]).worker
    assert list(worker.programs) == [workers_pb2.PROGRAM_JHT, workers_pb2.PROGRAM_JKK]
    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, npp, kind=workers_pb2.MEMBERSHIP_KIND_INFORMAL_SECTOR)
    assert violated_fields(err.value) == {"kind"}


@pytest.mark.rule("M-7")
def test_m7_informal_sector_participants_are_enrolled_by_the_marketing_officer(caller, binjai_npp):
    group = register_employer(caller, kind=employers_pb2.EMPLOYER_KIND_INFORMAL_SECTOR_GROUP, name="Paguyuban Nelayan")
    with pytest.raises(grpc.RpcError) as err:
        enrol(caller, group)  # the administration officer
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    participant = workers_of(caller, "KC-BINJAI", "MARKETING_OFFICER").EnrolWorker(enrol_request(group)).worker
    assert participant.kind == workers_pb2.MEMBERSHIP_KIND_INFORMAL_SECTOR
    with pytest.raises(grpc.RpcError) as err:  # and the marketing officer does not enrol employees
        workers_of(caller, "KC-BINJAI", "MARKETING_OFFICER").EnrolWorker(enrol_request(binjai_npp))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.rule("O-2")
def test_o2_enrolling_into_another_branchs_employer_is_refused(caller):
    jaksel = register_employer(caller, "KC-JAKSEL")
    for office in ("KC-BINJAI", "KC-MEDAN"):
        with pytest.raises(grpc.RpcError) as err:
            enrol(caller, jaksel, office=office)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND  # another branch's employer: as if absent


@pytest.mark.rule("M-3")
def test_m3_concurrent_enrolments_get_distinct_kpjs_and_one_person_is_enrolled_once(caller, binjai_npp):
    from concurrent.futures import ThreadPoolExecutor

    stub = workers_of(caller)
    nik = new_nik()
    requests = [enrol_request(binjai_npp) for _ in range(12)] + [enrol_request(binjai_npp, nik=nik) for _ in range(6)]

    def call(request):
        try:
            return stub.EnrolWorker(request).worker.kpj
        except grpc.RpcError as error:
            return error.code()

    with ThreadPoolExecutor(max_workers=9) as pool:
        results = list(pool.map(call, requests))
    distinct, same_person = results[:12], results[12:]
    assert all(isinstance(k, str) and is_valid_kpj(k) for k in distinct) and len(set(distinct)) == 12
    assert sorted(map(str, same_person)).count(str(grpc.StatusCode.ALREADY_EXISTS)) == 5
    assert len([k for k in same_person if isinstance(k, str)]) == 1
