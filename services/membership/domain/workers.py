"""Workers (tenaga kerja): enrolment, transfer (mutasi), changes, termination and death.

M-3: enrolment gives a KPJ tied to the NIK; one person has one KPJ for life, and
re-enrolment at a new employer keeps it.
M-4: the record holds NIK, name, birth date, sex, marital status, monthly wage, employer,
start date, status (active, non-active after termination, deceased) and programs.
M-8: termination (PHK) records date and reason; death records the date.

Worker is immutable: every transition returns a new Worker or raises.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any, cast

from services.chassis.errors import AlreadyExists, InvalidArgument, RuleViolation, Violations

from .employers import EmployerKind
from .employment_history import TERMINATION_REASONS, EmploymentPeriod, EndReason
from .nik import normalise_nik, parse_nik, validate_nik_against
from .numbers import validate_kpj, validate_npp
from .person import MaritalStatus, Sex
from .roles import MembershipAction
from .values import ONE_DAY, age_on, clean_text, collect, is_whole_rupiah, parse_enum, require_date
from .worker_rules import WorkerRules, worker_rules_on

NAME_MAX = 100
WAGE_FIELD = "monthly_wage_rupiah"


class WorkerStatus(str, Enum):
    ACTIVE = "ACTIVE"  # aktif
    NON_ACTIVE = "NON_ACTIVE"  # non-aktif: employment terminated (PHK)
    DECEASED = "DECEASED"  # meninggal dunia


class Program(str, Enum):
    JHT = "JHT"  # Jaminan Hari Tua, old-age savings
    JKK = "JKK"  # Jaminan Kecelakaan Kerja, work accident
    JK = "JK"  # Jaminan Kematian, death
    JPK = "JPK"  # Jaminan Pemeliharaan Kesehatan, health care


ALL_PROGRAMS = frozenset(Program)


class MembershipKind(str, Enum):
    EMPLOYEE = "EMPLOYEE"  # worker of a company or construction project
    INFORMAL_SECTOR = "INFORMAL_SECTOR"  # informal-sector participant (M-7)


def membership_kind_for(employer_kind: EmployerKind) -> MembershipKind:
    """Participants of an informal-sector group are INFORMAL_SECTOR, all others EMPLOYEE (M-7)."""
    if employer_kind is EmployerKind.INFORMAL_SECTOR_GROUP:
        return MembershipKind.INFORMAL_SECTOR
    return MembershipKind.EMPLOYEE


def enrolment_action(kind: MembershipKind) -> MembershipAction:
    """The O-3 action for enrolling this kind: informal participants are marketing's (M-7)."""
    if kind is MembershipKind.INFORMAL_SECTOR:
        return MembershipAction.REGISTER_INFORMAL_PARTICIPANT
    return MembershipAction.ENROL_WORKER


@dataclass(frozen=True)
class IdentityOnRecord:
    """What finding a KPJ by identity (M-5) reads of a record: the identity to match, the
    branch to check the caller against, the answer. Not a Worker: building one (its enums,
    its programs) for a lookup that shows three fields cost more than the fields."""

    kpj: str
    nik: str
    birth_date: date
    name: str
    status: WorkerStatus
    branch_code: str

    def matches(self, nik: str, birth_date: date) -> bool:
        """M-5: a member who lost the card finds the KPJ with NIK (spaces and dots allowed)
        plus birth date."""
        try:
            return self.nik == normalise_nik(nik) and self.birth_date == birth_date
        except InvalidArgument:
            return False


@dataclass(frozen=True)
class Worker:
    """A member's record (M-4). `employer_npp`, `branch_code` and `start_date` describe the
    current (or, when not active, the last) employment; earlier ones are EmploymentPeriods."""

    kpj: str
    nik: str
    name: str
    birth_date: date
    sex: Sex
    marital_status: MaritalStatus
    monthly_wage_rupiah: int
    employer_npp: str
    branch_code: str
    start_date: date
    status: WorkerStatus = WorkerStatus.ACTIVE
    programs: frozenset[Program] = ALL_PROGRAMS
    kind: MembershipKind = MembershipKind.EMPLOYEE
    end_date: date | None = None
    end_reason: EndReason | None = None
    death_date: date | None = None
    # Total permanent disability as an approved benefits claim established it (B-JKK-6,
    # B-JHT-1); the employment status does not change with it.
    totally_disabled_on: date | None = None

    @property
    def is_active(self) -> bool:
        return self.status is WorkerStatus.ACTIVE

    def current_period(self) -> EmploymentPeriod:
        """The current (or last) employment as a period."""
        return EmploymentPeriod(self.employer_npp, self.branch_code, self.start_date,
                                self.end_date, self.end_reason)

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)

    # ---- transitions -------------------------------------------------------------
    def terminate(self, termination_date: date, reason: EndReason | str, *, today: date) -> Worker:
        """PHK (M-8): the worker becomes NON_ACTIVE; `termination_date` is the last day worked."""
        v = Violations()
        day = require_date(termination_date, "termination_date", v)
        if day and day > today:
            v.add("termination_date", f"{day.isoformat()} is in the future")
        parsed = collect(v, parse_enum, EndReason, reason, "reason")
        if parsed is not None and parsed not in TERMINATION_REASONS:
            names = ", ".join(sorted(r.value for r in TERMINATION_REASONS))
            v.add("reason", f"{parsed.value} is not a termination reason: use one of {names}")
        v.raise_if_any()
        assert day is not None  # require_date recorded a violation otherwise
        self._refuse_if_deceased("terminated")
        if self.status is WorkerStatus.NON_ACTIVE:
            raise RuleViolation("M-8", f"KPJ {self.kpj} is already non-active since {self.end_date}")
        if day < self.start_date:
            raise RuleViolation(
                "M-8", f"termination date {day.isoformat()} is before the employment started "
                       f"on {self.start_date.isoformat()}")
        return replace(self, status=WorkerStatus.NON_ACTIVE, end_date=day, end_reason=parsed)

    def record_death(self, death_date: date, *, today: date) -> Worker:
        """Death (M-8): the worker becomes DECEASED; an open employment ends on that day."""
        v = Violations()
        day = require_date(death_date, "death_date", v)
        if day and day > today:
            v.add("death_date", f"{day.isoformat()} is in the future")
        if day and day < self.birth_date:
            v.add("death_date", f"{day.isoformat()} is before the birth date {self.birth_date.isoformat()}")
        v.raise_if_any()
        assert day is not None  # require_date recorded a violation otherwise
        self._refuse_if_deceased("recorded deceased again")
        if self.is_active:
            if day < self.start_date:
                raise RuleViolation(
                    "M-8", f"death date {day.isoformat()} is before the employment started "
                           f"on {self.start_date.isoformat()}")
            return replace(self, status=WorkerStatus.DECEASED, death_date=day,
                           end_date=day, end_reason=EndReason.DECEASED)
        if self.end_date is not None and day < self.end_date:
            raise RuleViolation(
                "M-8", f"death date {day.isoformat()} is before the recorded end of employment "
                       f"{self.end_date.isoformat()}: correct the termination first")
        return replace(self, status=WorkerStatus.DECEASED, death_date=day)

    def record_total_disability(self, on: date, *, today: date) -> Worker:
        """Total permanent disability (M-4), established by benefits: the first date stands.

        The same date again changes nothing; another date is refused (the record keeps the
        first). A deceased member's record takes it too: a disability established before the
        death may be approved after it."""
        v = Violations()
        day = require_date(on, "established_on", v)
        if day and day > today:
            v.add("established_on", f"{day.isoformat()} is in the future")
        if day and day < self.birth_date:
            v.add("established_on", f"{day.isoformat()} is before the birth date {self.birth_date.isoformat()}")
        v.raise_if_any()
        if self.totally_disabled_on == day:
            return self
        if self.totally_disabled_on is not None:
            raise RuleViolation("M-4", f"KPJ {self.kpj} is recorded totally disabled since "
                                       f"{self.totally_disabled_on.isoformat()}", code="DISABILITY_ALREADY_RECORDED")
        return replace(self, totally_disabled_on=day)

    def change_wage(self, monthly_wage_rupiah: int, *, on: date) -> Worker:
        """A new monthly wage (M-4) for an active worker, checked with the rules in force `on`."""
        v = Violations()
        wage = _wage(monthly_wage_rupiah, worker_rules_on(on), v)
        v.raise_if_any()
        assert wage is not None  # _wage recorded a violation otherwise
        if not self.is_active:
            raise RuleViolation("M-4", f"KPJ {self.kpj} is {self.status.value}: only an active worker's wage changes")
        return replace(self, monthly_wage_rupiah=wage)

    def change_details(self, *, name: str | None = None,
                       marital_status: MaritalStatus | str | None = None) -> Worker:
        """Correct the name or report a new marital status (M-4; marital status drives M-6)."""
        v = Violations()
        updates: dict[str, Any] = {}
        if name is not None:
            updates["name"] = clean_text(name, "name", v, max_length=NAME_MAX)
        if marital_status is not None:
            updates["marital_status"] = collect(v, parse_enum, MaritalStatus, marital_status, "marital_status")
        v.raise_if_any()
        self._refuse_if_deceased("changed")
        return replace(self, **updates)

    def transfer(self, *, to_npp: str, to_branch_code: str, start_date: date, today: date,
                 monthly_wage_rupiah: int | None = None) -> Enrolment:
        """Mutasi (M-3): the same person, same KPJ, at a new employer from `start_date`."""
        command = EnrolWorker(
            nik=self.nik, name=self.name, birth_date=self.birth_date, sex=self.sex,
            marital_status=self.marital_status,
            monthly_wage_rupiah=self.monthly_wage_rupiah if monthly_wage_rupiah is None else monthly_wage_rupiah,
            employer_npp=to_npp, branch_code=to_branch_code, start_date=start_date,
            programs=self.programs, kind=self.kind,
        )
        return enrol(command, today=today, existing=self)

    def _refuse_if_deceased(self, what: str) -> None:
        if self.status is WorkerStatus.DECEASED:
            raise RuleViolation("M-8", f"KPJ {self.kpj} is recorded deceased on {self.death_date}: "
                                       f"the record cannot be {what}")


@dataclass(frozen=True)
class EnrolWorker:
    """The enrolment command as received (M-3, M-4); `validate_enrolment` checks it."""

    nik: str
    name: str
    birth_date: date
    sex: Sex | str
    marital_status: MaritalStatus | str
    monthly_wage_rupiah: int
    employer_npp: str
    branch_code: str
    start_date: date
    programs: Iterable[Program | str] | None = None  # None: all four
    kind: MembershipKind | str = MembershipKind.EMPLOYEE


@dataclass(frozen=True)
class Enrolment:
    """The outcome of an enrolment: the new state, the period opened and, for a transfer
    from an active employment, the previous period closed the day before (M-3)."""

    worker: Worker
    opened: EmploymentPeriod
    closed: EmploymentPeriod | None = None
    kpj_reused: bool = False  # the person was already a member: same KPJ (M-3)

    @property
    def is_transfer(self) -> bool:
        return self.closed is not None



def _wage(value: object, rules: WorkerRules, v: Violations) -> int | None:
    if not is_whole_rupiah(value):
        v.add(WAGE_FIELD, "must be a whole number of rupiah")
        return None
    if value <= 0:
        v.add(WAGE_FIELD, "must be positive: a wage of Rp0 would bill no contribution")
        return None
    if value >= rules.absurd_monthly_wage_rupiah:
        v.add(WAGE_FIELD, f"Rp{value:,} a month is implausible (limit below "
                          f"Rp{rules.absurd_monthly_wage_rupiah:,}): check the figure")
        return None
    return value


def _programs(value: Iterable[Program | str] | None, v: Violations) -> frozenset[Program] | None:
    if value is None:
        return ALL_PROGRAMS
    if isinstance(value, str):
        value = [value]
    parsed = [collect(v, parse_enum, Program, item, "programs") for item in value]
    if not parsed:
        v.add("programs", "at least one program is required")
        return None
    return None if None in parsed else frozenset(cast("list[Program]", parsed))


def _validated(command: EnrolWorker, today: date) -> dict[str, Any]:
    v = Violations()
    clean: dict[str, Any] = {
        "nik": normalise_nik(command.nik) if collect(v, parse_nik, command.nik) else None,
        "name": clean_text(command.name, "name", v, max_length=NAME_MAX),
        "birth_date": require_date(command.birth_date, "birth_date", v),
        "sex": collect(v, parse_enum, Sex, command.sex, "sex"),
        "marital_status": collect(v, parse_enum, MaritalStatus, command.marital_status, "marital_status"),
        "employer_npp": collect(v, validate_npp, command.employer_npp, "employer_npp"),
        "branch_code": clean_text(command.branch_code, "branch_code", v, max_length=32),
        "start_date": require_date(command.start_date, "start_date", v),
        "programs": _programs(command.programs, v),
        "kind": collect(v, parse_enum, MembershipKind, command.kind, "kind"),
    }
    birth, start = clean["birth_date"], clean["start_date"]
    rules = worker_rules_on(start or today)
    clean["monthly_wage_rupiah"] = _wage(command.monthly_wage_rupiah, rules, v)
    if clean["branch_code"]:
        clean["branch_code"] = clean["branch_code"].upper()
    if birth and birth > today:
        v.add("birth_date", f"{birth.isoformat()} is in the future")
    elif birth and start:
        age = age_on(birth, start)
        if start < birth:
            v.add("start_date", f"{start.isoformat()} is before the birth date {birth.isoformat()}")
        elif age < rules.minimum_working_age:
            v.add("birth_date", f"the worker is {age} on the start date {start.isoformat()}; "
                                f"the minimum working age is {rules.minimum_working_age}")
        elif age >= rules.absurd_age:
            v.add("birth_date", f"the worker would be {age} on the start date: check the birth date")
    if clean["nik"] and birth and clean["sex"]:
        collect(v, validate_nik_against, clean["nik"], birth, clean["sex"])
    v.raise_if_any()
    return clean


def validate_enrolment(command: EnrolWorker, today: date) -> None:
    """Check an enrolment (M-3, M-4), raising InvalidArgument listing every problem:
    NIK format and agreement with birth date and sex, birth date not in the future, age
    at start between the minimum working age and the absurd age, start not before birth,
    wage a whole positive number of rupiah below the absurdity bound. The start date
    may lie ahead (an employer may enrol a new hire before the first day)."""
    _validated(command, today)


def enrol(command: EnrolWorker, *, today: date, existing: Worker | None = None,
          kpj: str | None = None) -> Enrolment:
    """Enrol a worker (M-3). `existing` is the record already held for this NIK, if any.

    - no record: a new member under `kpj` (freshly issued, required then);
    - deceased record: RuleViolation M-8, a deceased person cannot be enrolled;
    - active at the same employer: AlreadyExists (duplicate enrolment);
    - active at another employer: transfer (mutasi), same KPJ, the previous employment
      closes the day before the new start (which must come after the previous start);
    - non-active: re-enrolment with the same KPJ, starting after the last employment ended.
    The person's birth date and sex must agree with the existing record.
    """
    clean = _validated(command, today)
    opened = EmploymentPeriod(clean["employer_npp"], clean["branch_code"], clean["start_date"])
    if existing is None:
        if kpj is None:
            raise ValueError("a new member needs a freshly issued KPJ")
        worker = Worker(kpj=validate_kpj(kpj), status=WorkerStatus.ACTIVE, **clean)
        return Enrolment(worker, opened)
    if existing.nik != clean["nik"]:
        raise ValueError("existing record is for another NIK")
    _check_same_person(existing, clean)
    start = clean["start_date"]
    closed = None
    if existing.status is WorkerStatus.DECEASED:
        raise RuleViolation("M-8", f"NIK {existing.nik} (KPJ {existing.kpj}) is recorded deceased on "
                                   f"{existing.death_date}: a deceased person cannot be enrolled")
    if existing.is_active:
        if existing.employer_npp == clean["employer_npp"]:
            raise AlreadyExists("worker", existing.kpj,
                                f"M-3: NIK {existing.nik} is already an active member (KPJ {existing.kpj}) "
                                f"of employer {existing.employer_npp}")
        if start <= existing.start_date:
            raise RuleViolation("M-3", f"the new employment must start after the current one "
                                       f"(started {existing.start_date.isoformat()} at {existing.employer_npp})")
        closed = existing.current_period().close(start - ONE_DAY, EndReason.TRANSFERRED)
    elif existing.end_date is not None and start <= existing.end_date:
        raise RuleViolation("M-3", f"the new employment starts {start.isoformat()}, not after the previous "
                                   f"one ended on {existing.end_date.isoformat()}")
    # The person's own facts stay with the KPJ across employments (a disability too).
    worker = Worker(kpj=existing.kpj, status=WorkerStatus.ACTIVE, totally_disabled_on=existing.totally_disabled_on,
                    **clean)
    return Enrolment(worker, opened, closed, kpj_reused=True)


def _check_same_person(existing: Worker, clean: dict[str, Any]) -> None:
    v = Violations()
    if clean["birth_date"] != existing.birth_date:
        v.add("birth_date", f"disagrees with the record of KPJ {existing.kpj} "
                            f"({existing.birth_date.isoformat()})")
    if clean["sex"] is not existing.sex:
        v.add("sex", f"disagrees with the record of KPJ {existing.kpj} ({existing.sex.value})")
    v.raise_if_any()
