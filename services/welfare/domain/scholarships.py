"""Scholarships for members' children (beasiswa), W-S-1 and W-S-2.

W-S-1: Rp150,000 a month for primary and junior high school, Rp200,000 for senior high
school and university, for 12 months.
W-S-2: the employer registered at least 1 year and in good standing (C-8); the worker a
member at least 1 year and active; the wage at most 300% of the UMK of the branch area;
the child's grades above 7.00 (school) or a GPA of at least 2.75 (university); or the
child is of a worker who died or is totally and permanently disabled from a work
accident; the child receives no other scholarship. The application names the 1st, 2nd or
3rd child, the level, class or semester and school, with supporting documents.

Reading of the "or": the work-accident path stands in for the conditions before it (the
worker can no longer be active, earn a wage or keep grades up for the family's sake);
the child's order, the documents and "no other scholarship" hold on both paths.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation, Violations
from services.chassis.money import apply_rate
from services.chassis.roles import require_second_person

from .dates import has_lasted, monthly
from .documents import DocumentKind, missing_documents
from .members import EmployerFacts, WorkerFacts, employer_registration_reasons, employer_standing_reasons
from .reasons import Reason
from .rule_tables import ScholarshipRules

NAME_MAX = 100


class SchoolLevel(str, Enum):
    PRIMARY = "PRIMARY"  # SD, classes 1-6
    JUNIOR_HIGH = "JUNIOR_HIGH"  # SMP, classes 7-9
    SENIOR_HIGH = "SENIOR_HIGH"  # SMA, classes 10-12
    UNIVERSITY = "UNIVERSITY"  # perguruan tinggi, semesters 1-14


CLASSES = {SchoolLevel.PRIMARY: range(1, 7), SchoolLevel.JUNIOR_HIGH: range(7, 10),
           SchoolLevel.SENIOR_HIGH: range(10, 13), SchoolLevel.UNIVERSITY: range(1, 15)}
REQUIRED_DOCUMENTS = (DocumentKind.REPORT_CARD, DocumentKind.SCHOOL_STATEMENT, DocumentKind.FAMILY_CARD_COPY,
                      DocumentKind.NO_OTHER_SCHOLARSHIP_STATEMENT)


class ScholarshipPath(str, Enum):
    ACHIEVEMENT = "ACHIEVEMENT"  # grades above the bar
    WORK_ACCIDENT = "WORK_ACCIDENT"  # a child of a worker killed or disabled at work


class ScholarshipStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    CHECKED = "CHECKED"
    REJECTED = "REJECTED"
    AWARDED = "AWARDED"
    COMPLETED = "COMPLETED"  # every payment paid


@dataclass(frozen=True)
class Child:
    name: str
    order: int  # 1st, 2nd or 3rd child
    level: SchoolLevel
    class_or_semester: int
    school_name: str
    report_grade_hundredths: int | None  # school levels: 7.25 is 725
    gpa_hundredths: int | None  # university: 2.75 is 275
    receives_other_scholarship: bool


def validate_child(child: Child) -> None:
    """The child's data as a school or university gives it (bad input, not a rule)."""
    v = Violations()
    if not child.name.strip() or len(child.name) > NAME_MAX:
        v.add("child.name", f"required, at most {NAME_MAX} characters")
    if not child.school_name.strip() or len(child.school_name) > NAME_MAX:
        v.add("child.school_name", f"required, at most {NAME_MAX} characters")
    if child.order < 1:
        v.add("child.child_order", "1 for the first child, 2 for the second, ...")
    if child.class_or_semester not in CLASSES[child.level]:
        span = CLASSES[child.level]
        v.add("child.class_or_semester", f"{child.level.value.lower()} counts {span.start}..{span.stop - 1}")
    if child.level is SchoolLevel.UNIVERSITY:
        if child.gpa_hundredths is None or not 0 <= child.gpa_hundredths <= 400:
            v.add("child.gpa_hundredths", "a university student's GPA x 100, 0..400")
    elif child.report_grade_hundredths is None or not 0 <= child.report_grade_hundredths <= 1000:
        v.add("child.report_grade_hundredths", "a pupil's report-card average x 100, 0..1000")
    v.raise_if_any()


def monthly_amount(level: SchoolLevel, rules: ScholarshipRules) -> int:
    """W-S-1: the monthly amount of the level."""
    return {SchoolLevel.PRIMARY: rules.primary_monthly_rupiah, SchoolLevel.JUNIOR_HIGH: rules.junior_high_monthly_rupiah,
            SchoolLevel.SENIOR_HIGH: rules.senior_high_monthly_rupiah,
            SchoolLevel.UNIVERSITY: rules.university_monthly_rupiah}[level]


def grade_reasons(child: Child, rules: ScholarshipRules) -> list[Reason]:
    if child.level is SchoolLevel.UNIVERSITY:
        gpa = child.gpa_hundredths or 0
        if gpa < rules.university_gpa_at_least_hundredths:
            return [Reason("W-S-2", "GPA_BELOW_MINIMUM", f"a GPA of {gpa / 100:.2f} is below "
                                                         f"{rules.university_gpa_at_least_hundredths / 100:.2f}")]
        return []
    grade = child.report_grade_hundredths or 0
    if grade <= rules.school_grade_above_hundredths:
        return [Reason("W-S-2", "GRADES_NOT_ABOVE_MINIMUM", f"grades of {grade / 100:.2f} are not above "
                                                             f"{rules.school_grade_above_hundredths / 100:.2f}")]
    return []


def regular_path_reasons(worker: WorkerFacts, employer: EmployerFacts | None, umk_rupiah: int | None, child: Child,
                         rules: ScholarshipRules, on: date) -> list[Reason]:
    """The conditions of W-S-2 before its "or": employer, membership, wage, grades."""
    if employer is None:
        reasons = [Reason("W-S-2", "EMPLOYER_UNKNOWN", f"employer {worker.npp} of KPJ {worker.kpj} is not known yet")]
    else:
        reasons = employer_registration_reasons(employer, rules.employer_registered_months, on, "W-S-2")
        reasons += employer_standing_reasons(employer, "W-S-2")
    if not has_lasted(worker.member_since, rules.membership_months, on):
        reasons.append(Reason("W-S-2", "MEMBER_UNDER_1_YEAR", f"KPJ {worker.kpj} is a member since "
                              f"{worker.member_since.isoformat()}, less than {rules.membership_months} months"))
    if not worker.is_active:
        reasons.append(Reason("W-S-2", "MEMBER_NOT_ACTIVE", f"KPJ {worker.kpj} is {worker.status}"))
    if umk_rupiah is None:
        reasons.append(Reason("W-S-2", "UMK_UNKNOWN", f"no UMK of {worker.branch_code} is in force on {on.isoformat()}"))
    else:
        cap = apply_rate(umk_rupiah, rules.wage_cap_of_umk_bp)
        if worker.monthly_wage_rupiah > cap:
            reasons.append(Reason("W-S-2", "WAGE_ABOVE_UMK_CAP", f"a wage of Rp{worker.monthly_wage_rupiah:,} is above "
                                  f"Rp{cap:,} ({rules.wage_cap_of_umk_bp / 100:g}% of the UMK of Rp{umk_rupiah:,})"))
    return reasons + grade_reasons(child, rules)


def evaluate(worker: WorkerFacts, employer: EmployerFacts | None, umk_rupiah: int | None, child: Child,
             documents: frozenset[DocumentKind], rules: ScholarshipRules, on: date
             ) -> tuple[ScholarshipPath, list[Reason]]:
    """W-S-2 on `on`: the path the child qualifies by and every reason that fails."""
    common = []
    if child.order > rules.max_child_order:
        common.append(Reason("W-S-2", "CHILD_ORDER_ABOVE_MAXIMUM",
                             f"only the first {rules.max_child_order} children may apply (child {child.order})"))
    if child.receives_other_scholarship:
        common.append(Reason("W-S-2", "RECEIVES_OTHER_SCHOLARSHIP", f"{child.name} receives another scholarship"))
    common += missing_documents(documents, REQUIRED_DOCUMENTS, "W-S-2", "the application")
    if worker.work_accident_victim:
        return ScholarshipPath.WORK_ACCIDENT, common
    return ScholarshipPath.ACHIEVEMENT, regular_path_reasons(worker, employer, umk_rupiah, child, rules, on) + common


@dataclass(frozen=True)
class ScheduledPayment:
    number: int
    due_on: date
    amount: int
    paid_on: date | None = None
    bank_reference: str | None = None


def award_schedule(level: SchoolLevel, rules: ScholarshipRules, first_payment_on: date) -> tuple[ScheduledPayment, ...]:
    """W-S-1: the monthly amount of the level, `months` times, monthly from the first payment."""
    amount = monthly_amount(level, rules)
    return tuple(ScheduledPayment(n, due, amount) for n, due in enumerate(monthly(first_payment_on, rules.months), 1))


@dataclass(frozen=True)
class ScholarshipApplication:
    application_id: str
    kpj: str
    npp: str
    branch_code: str
    child: Child
    documents: frozenset[DocumentKind]
    applied_on: date
    submitted_by: str
    status: ScholarshipStatus = ScholarshipStatus.SUBMITTED
    path: ScholarshipPath | None = None
    checked_by: str | None = None
    checked_on: date | None = None
    reasons: tuple[Reason, ...] = ()
    awarded_by: str | None = None
    awarded_on: date | None = None
    payments: tuple[ScheduledPayment, ...] = ()

    def _require(self, status: ScholarshipStatus, step: str) -> None:
        if self.status is not status:
            raise RuleViolation("W-S-2", f"application {self.application_id} is {self.status.value}: {step} needs it "
                                f"{status.value}", code=f"NOT_{status.value}")

    def checked(self, by: str, on: date, path: ScholarshipPath, reasons: list[Reason]) -> ScholarshipApplication:
        self._require(ScholarshipStatus.SUBMITTED, "the check")
        status = ScholarshipStatus.REJECTED if reasons else ScholarshipStatus.CHECKED
        return replace(self, status=status, path=path, checked_by=by, checked_on=on, reasons=tuple(reasons))

    def awarded(self, by: str, on: date, schedule: tuple[ScheduledPayment, ...]) -> ScholarshipApplication:
        """The branch head awards what another officer checked (O-4)."""
        self._require(ScholarshipStatus.CHECKED, "the award")
        assert self.checked_by is not None  # a CHECKED application was checked by someone
        require_second_person(self.checked_by, by, "scholarship")
        if schedule and schedule[0].due_on < on:
            raise InvalidArgument.field("first_payment_on", f"{schedule[0].due_on.isoformat()} is before the award")
        return replace(self, status=ScholarshipStatus.AWARDED, awarded_by=by, awarded_on=on, payments=schedule)

    def paid(self, number: int, paid_on: date, bank_reference: str) -> ScholarshipApplication:
        """One scheduled payment paid; the last one completes the award."""
        self._require(ScholarshipStatus.AWARDED, "a payment")
        payment = next((p for p in self.payments if p.number == number), None)
        if payment is None:
            raise InvalidArgument.field("number", f"the award has payments 1..{len(self.payments)}")
        if payment.paid_on is not None:
            raise RuleViolation("W-S-1", f"payment {number} was paid on {payment.paid_on.isoformat()} "
                                f"(bank reference {payment.bank_reference})", code="PAYMENT_ALREADY_PAID")
        assert self.awarded_on is not None  # an AWARDED application has its date
        if paid_on < self.awarded_on:
            raise InvalidArgument.field("paid_on", f"{paid_on.isoformat()} is before the award")
        payments = tuple(replace(p, paid_on=paid_on, bank_reference=bank_reference) if p.number == number else p
                         for p in self.payments)
        done = all(p.paid_on is not None for p in payments)
        return replace(self, payments=payments, status=ScholarshipStatus.COMPLETED if done else self.status)

    @property
    def monthly_amount_rupiah(self) -> int:
        return self.payments[0].amount if self.payments else 0

    @property
    def total_rupiah(self) -> int:
        return sum(p.amount for p in self.payments)
