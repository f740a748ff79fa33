"""Worker enrolment, transfer (mutasi), changes, termination and death (M-3, M-4, M-5, M-8)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.chassis.errors import AlreadyExists, InvalidArgument, RuleViolation
from services.membership.domain.employers import EmployerKind
from services.membership.domain.employment_history import EndReason
from services.membership.domain.numbers import make_kpj, make_nik, make_npp
from services.membership.domain.person import MaritalStatus, Sex
from services.membership.domain.roles import MembershipAction
from services.membership.domain.worker_rules import worker_rules_on
from services.membership.domain.workers import (
    ALL_PROGRAMS,
    EnrolWorker,
    IdentityOnRecord,
    MembershipKind,
    Program,
    WorkerStatus,
    enrol,
    enrolment_action,
    membership_kind_for,
    validate_enrolment,
)

TODAY = date(2024, 6, 1)
BORN = date(1990, 2, 3)
NIK = make_nik("127501", BORN, Sex.FEMALE, 7)
KPJ = make_kpj(5001)
SAWIT, BANK = make_npp(17), make_npp(18)
SITI = EnrolWorker(
    nik=NIK, name="Siti Aminah", birth_date=BORN, sex="FEMALE", marital_status="MARRIED",
    monthly_wage_rupiah=3_500_000, employer_npp=SAWIT, branch_code="KC-BINJAI", start_date=date(2015, 1, 5),
)


def fields(error: InvalidArgument) -> set[str]:
    return {v.field for v in error.violations}


def reason(error: InvalidArgument, field: str) -> str:
    return next(v.reason for v in error.violations if v.field == field)


@pytest.fixture
def siti():
    return enrol(SITI, today=TODAY, kpj=KPJ).worker


class TestEnrolment:
    @pytest.mark.rule("M-3")
    def test_m3_new_member_gets_the_issued_kpj_and_all_programs(self):
        outcome = enrol(SITI, today=TODAY, kpj=KPJ)
        worker = outcome.worker
        assert worker.kpj == KPJ and worker.nik == NIK and worker.status is WorkerStatus.ACTIVE
        assert worker.sex is Sex.FEMALE and worker.marital_status is MaritalStatus.MARRIED
        assert worker.programs == ALL_PROGRAMS and worker.kind is MembershipKind.EMPLOYEE
        assert outcome.opened.npp == SAWIT and outcome.opened.start_date == date(2015, 1, 5)
        assert outcome.closed is None and not outcome.kpj_reused

    @pytest.mark.rule("M-4")
    def test_m4_enrolment_takes_chosen_programs(self):
        worker = enrol(replace(SITI, programs=["JKK", Program.JK]), today=TODAY, kpj=KPJ).worker
        assert worker.programs == {Program.JKK, Program.JK}

    @pytest.mark.rule("M-4")
    def test_m4_empty_or_unknown_programs_are_rejected(self):
        for programs in ([], ["JKN"]):
            with pytest.raises(InvalidArgument) as caught:
                validate_enrolment(replace(SITI, programs=programs), TODAY)
            assert fields(caught.value) == {"programs"}

    @pytest.mark.rule("M-3")
    def test_m3_nik_must_agree_with_birth_date_and_sex(self):
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, sex="MALE"), TODAY)
        assert fields(caught.value) == {"sex"}
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, nik="1275010302900001"), TODAY)  # a man's NIK
        assert fields(caught.value) == {"sex"}
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, nik="12345"), TODAY)
        assert fields(caught.value) == {"nik"}

    @pytest.mark.rule("M-3")
    def test_m3_bad_nik_region_is_reported_even_when_other_fields_are_bad(self):
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, nik="99" + NIK[2:], birth_date=None), TODAY)
        assert fields(caught.value) == {"nik", "birth_date"}

    @pytest.mark.rule("M-4")
    def test_m4_birth_date_in_the_future_is_rejected(self):
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, birth_date=date(2024, 6, 2)), TODAY)
        assert "in the future" in reason(caught.value, "birth_date")

    @pytest.mark.rule("M-4")
    def test_m4_worker_must_be_at_least_the_minimum_working_age_at_start(self):
        born = date(2000, 3, 10)
        young = replace(SITI, nik=make_nik("127501", born, Sex.FEMALE), birth_date=born,
                        start_date=date(2015, 3, 9))
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(young, TODAY)
        assert "minimum working age is 15" in reason(caught.value, "birth_date")
        # 10 Mar 2015 is the 15th birthday: old enough
        of_age = replace(young, start_date=date(2015, 3, 10))
        assert validate_enrolment(of_age, TODAY) is None
        assert enrol(of_age, today=TODAY, kpj=KPJ).worker.start_date == date(2015, 3, 10)

    @pytest.mark.rule("M-4")
    def test_m4_a_hundred_year_old_starting_work_is_a_data_error(self):
        born = date(1915, 1, 1)
        old = replace(SITI, nik=make_nik("127501", born, Sex.FEMALE), birth_date=born, start_date=date(2015, 1, 1))
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(old, TODAY)
        assert fields(caught.value) == {"birth_date"}

    @pytest.mark.rule("M-4")
    def test_m4_start_before_birth_is_rejected(self):
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, start_date=date(1980, 1, 1)), TODAY)
        assert fields(caught.value) == {"start_date"}

    @pytest.mark.rule("M-4")
    @pytest.mark.parametrize("wage", [-1, 0, 3_500_000.0, "3500000", True, None,
                                      1_000_000_000])  # the bound itself: Rp1 billion a month
    def test_m4_wage_is_whole_positive_rupiah_below_the_absurdity_bound(self, wage):
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(replace(SITI, monthly_wage_rupiah=wage), TODAY)
        assert fields(caught.value) == {"monthly_wage_rupiah"}

    @pytest.mark.rule("M-4")
    def test_m4_one_rupiah_and_wage_just_below_the_bound_are_accepted(self):
        assert worker_rules_on(TODAY).absurd_monthly_wage_rupiah == 1_000_000_000
        for wage in (1, 999_999_999):  # the bound, Rp1,000,000,000, minus one rupiah
            command = replace(SITI, monthly_wage_rupiah=wage)
            assert validate_enrolment(command, TODAY) is None
            assert enrol(command, today=TODAY, kpj=KPJ).worker.monthly_wage_rupiah == wage

    @pytest.mark.rule("M-4")
    def test_m4_every_bad_field_is_reported_at_once(self):
        bad = EnrolWorker(nik="", name=" ", birth_date=None, sex="X", marital_status="?", monthly_wage_rupiah=-5,
                          employer_npp="123", branch_code="", start_date=None)
        with pytest.raises(InvalidArgument) as caught:
            validate_enrolment(bad, TODAY)
        assert fields(caught.value) == {"nik", "name", "birth_date", "sex", "marital_status",
                                        "monthly_wage_rupiah", "employer_npp", "branch_code", "start_date"}

    @pytest.mark.rule("M-7")
    def test_m7_informal_participants_are_their_own_kind_registered_by_marketing(self):
        assert membership_kind_for(EmployerKind.INFORMAL_SECTOR_GROUP) is MembershipKind.INFORMAL_SECTOR
        assert membership_kind_for(EmployerKind.CONSTRUCTION_PROJECT) is MembershipKind.EMPLOYEE
        assert enrolment_action(MembershipKind.INFORMAL_SECTOR) is MembershipAction.REGISTER_INFORMAL_PARTICIPANT
        assert enrolment_action(MembershipKind.EMPLOYEE) is MembershipAction.ENROL_WORKER


class TestTransfer:
    @pytest.mark.rule("M-3")
    def test_m3_known_nik_at_a_new_employer_keeps_the_kpj_and_closes_the_old_job(self, siti):
        outcome = enrol(replace(SITI, employer_npp=BANK, branch_code="KC-MEDAN", start_date=date(2020, 3, 1),
                                monthly_wage_rupiah=5_000_000), today=TODAY, existing=siti)
        assert outcome.worker.kpj == KPJ and outcome.kpj_reused and outcome.is_transfer
        assert outcome.worker.employer_npp == BANK and outcome.worker.branch_code == "KC-MEDAN"
        assert outcome.closed.npp == SAWIT and outcome.closed.end_date == date(2020, 2, 29)
        assert outcome.closed.end_reason is EndReason.TRANSFERRED
        assert outcome.opened.start_date == date(2020, 3, 1)

    @pytest.mark.rule("M-3")
    def test_m3_transfer_method_is_the_same_mutasi(self, siti):
        outcome = siti.transfer(to_npp=BANK, to_branch_code="KC-MEDAN", start_date=date(2020, 3, 1), today=TODAY)
        assert outcome.worker.kpj == KPJ and outcome.worker.monthly_wage_rupiah == siti.monthly_wage_rupiah
        assert outcome.closed.end_date == date(2020, 2, 29)

    @pytest.mark.rule("M-3")
    def test_m3_enrolling_an_active_worker_again_at_the_same_employer_is_a_duplicate(self, siti):
        with pytest.raises(AlreadyExists, match=KPJ):
            enrol(replace(SITI, start_date=date(2020, 1, 1)), today=TODAY, existing=siti)

    @pytest.mark.rule("M-3")
    def test_m3_new_employment_must_start_after_the_current_one(self, siti):
        with pytest.raises(RuleViolation) as caught:
            enrol(replace(SITI, employer_npp=BANK, start_date=siti.start_date), today=TODAY, existing=siti)
        assert caught.value.rule_id == "M-3"

    @pytest.mark.rule("M-3")
    def test_m3_terminated_member_is_re_enrolled_with_the_same_kpj_after_the_end(self, siti):
        ended = siti.terminate(date(2019, 12, 31), "RESIGNED", today=TODAY)
        outcome = enrol(replace(SITI, start_date=date(2020, 2, 1)), today=TODAY, existing=ended)
        assert outcome.worker.kpj == KPJ and outcome.worker.status is WorkerStatus.ACTIVE
        assert outcome.closed is None and outcome.kpj_reused
        assert outcome.worker.end_date is None and outcome.worker.end_reason is None
        with pytest.raises(RuleViolation, match="M-3"):
            enrol(replace(SITI, start_date=date(2019, 12, 31)), today=TODAY, existing=ended)

    @pytest.mark.rule("M-8")
    def test_m8_a_deceased_person_cannot_be_enrolled(self, siti):
        dead = siti.record_death(date(2023, 1, 1), today=TODAY)
        with pytest.raises(RuleViolation) as caught:
            enrol(replace(SITI, employer_npp=BANK, start_date=date(2024, 1, 1)), today=TODAY, existing=dead)
        assert caught.value.rule_id == "M-8"

    @pytest.mark.rule("M-3")
    def test_m3_re_enrolment_must_agree_with_the_stored_person(self, siti):
        # The NIK keeps only two digits of the year: a stored record from another
        # century is the only way birth dates can differ here.
        stored = replace(siti, birth_date=date(1890, 2, 3))
        with pytest.raises(InvalidArgument) as caught:
            enrol(replace(SITI, employer_npp=BANK, start_date=date(2020, 1, 1)), today=TODAY, existing=stored)
        assert "disagrees with the record of KPJ" in reason(caught.value, "birth_date")

    @pytest.mark.rule("M-3")
    def test_m3_new_member_without_an_issued_kpj_is_a_programming_error(self):
        with pytest.raises(ValueError):
            enrol(SITI, today=TODAY)


class TestTermination:
    @pytest.mark.rule("M-8")
    def test_m8_termination_records_date_and_reason_and_makes_the_worker_non_active(self, siti):
        ended = siti.terminate(date(2024, 5, 31), "laid_off", today=TODAY)
        assert ended.status is WorkerStatus.NON_ACTIVE
        assert (ended.end_date, ended.end_reason) == (date(2024, 5, 31), EndReason.LAID_OFF)
        assert ended.kpj == siti.kpj and siti.status is WorkerStatus.ACTIVE

    @pytest.mark.rule("M-8")
    def test_m8_termination_reason_must_be_a_phk_reason(self, siti):
        for bad in ("TRANSFERRED", "FIRED_FOR_FUN"):
            with pytest.raises(InvalidArgument) as caught:
                siti.terminate(date(2024, 5, 31), bad, today=TODAY)
            assert fields(caught.value) == {"reason"}

    @pytest.mark.rule("M-8")
    def test_m8_termination_cannot_precede_the_start_or_lie_in_the_future(self, siti):
        with pytest.raises(RuleViolation, match="M-8"):
            siti.terminate(date(2014, 12, 31), "RESIGNED", today=TODAY)
        with pytest.raises(InvalidArgument) as caught:
            siti.terminate(date(2024, 6, 2), "RESIGNED", today=TODAY)
        assert fields(caught.value) == {"termination_date"}

    @pytest.mark.rule("M-8")
    def test_m8_terminating_twice_or_after_death_is_refused(self, siti):
        ended = siti.terminate(date(2024, 5, 31), "RETIRED", today=TODAY)
        with pytest.raises(RuleViolation, match="already non-active"):
            ended.terminate(date(2024, 5, 31), "RETIRED", today=TODAY)
        dead = siti.record_death(date(2024, 5, 1), today=TODAY)
        with pytest.raises(RuleViolation) as caught:
            dead.terminate(date(2024, 5, 31), "OTHER", today=TODAY)
        assert caught.value.rule_id == "M-8"


class TestDeath:
    @pytest.mark.rule("M-8")
    def test_m8_death_of_an_active_worker_ends_the_employment_that_day(self, siti):
        dead = siti.record_death(date(2024, 5, 1), today=TODAY)
        assert dead.status is WorkerStatus.DECEASED and dead.death_date == date(2024, 5, 1)
        assert (dead.end_date, dead.end_reason) == (date(2024, 5, 1), EndReason.DECEASED)

    @pytest.mark.rule("M-8")
    def test_m8_death_after_termination_keeps_the_termination(self, siti):
        ended = siti.terminate(date(2023, 12, 31), "RESIGNED", today=TODAY)
        dead = ended.record_death(date(2024, 5, 1), today=TODAY)
        assert dead.status is WorkerStatus.DECEASED and dead.end_reason is EndReason.RESIGNED
        with pytest.raises(RuleViolation, match="correct the termination"):
            ended.record_death(date(2023, 6, 1), today=TODAY)

    @pytest.mark.rule("M-8")
    def test_m8_death_is_recorded_once_and_not_in_the_future(self, siti):
        dead = siti.record_death(date(2024, 5, 1), today=TODAY)
        with pytest.raises(RuleViolation, match="M-8"):
            dead.record_death(date(2024, 5, 2), today=TODAY)
        with pytest.raises(InvalidArgument) as caught:
            siti.record_death(date(2024, 7, 1), today=TODAY)
        assert fields(caught.value) == {"death_date"}


class TestChanges:
    @pytest.mark.rule("M-4")
    def test_m4_wage_change_applies_to_active_workers_only(self, siti):
        assert siti.change_wage(4_000_000, on=TODAY).monthly_wage_rupiah == 4_000_000
        with pytest.raises(InvalidArgument):
            siti.change_wage(-1, on=TODAY)
        ended = siti.terminate(date(2024, 5, 31), "RESIGNED", today=TODAY)
        with pytest.raises(RuleViolation, match="M-4"):
            ended.change_wage(4_000_000, on=TODAY)

    @pytest.mark.rule("M-6")
    def test_m6_marital_status_change_is_recorded(self, siti):
        assert siti.change_details(marital_status="WIDOWED").marital_status is MaritalStatus.WIDOWED
        with pytest.raises(InvalidArgument) as caught:
            siti.change_details(marital_status="COMPLICATED")
        assert fields(caught.value) == {"marital_status"}

    @pytest.mark.rule("M-5")
    def test_m5_member_is_found_by_nik_and_birth_date(self, siti):
        record = IdentityOnRecord(siti.kpj, siti.nik, siti.birth_date, siti.name, siti.status, siti.branch_code)
        assert record.matches(NIK[:6] + " " + NIK[6:], BORN)
        assert not record.matches(NIK, date(1990, 2, 4))
        assert not record.matches("not a nik", BORN)
