"""Opening a claim: is this member entitled to claim this, on this day? (M-4, B-JHT-1,
B-JKK-1, B-JK-1)

Checked on the facts of the read model: the program is one the worker is enrolled in; no
date lies in the future; JHT's reason is met (age, death, termination with 5 years and a
1-month wait); a work accident happened while the worker was employed, not before the
enrolment; a death is not before the enrolment, has heirs, and the money goes to one of
those who inherit. A claim that passes starts SUBMITTED with its first history step.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services.chassis.errors import InvalidArgument, RuleViolation

from .accident_reports import ReportStage, accident_report
from .benefit_tables import SEEDED, BenefitTables
from .claim_details import ClaimDetails, JhtDetails, JkDetails, JkkDetails, JpkDetails
from .claims import Actor, Claim, ClaimState, submitted
from .jht import check_eligibility
from .jk import heirs_in_order
from .member_facts import MemberFacts, require_member_on
from .payouts import BankAccount
from .programs import JhtReason, Program, require_enrolled, validate_reason


@dataclass(frozen=True)
class NewClaim:
    program: Program
    reason: str
    details: ClaimDetails
    beneficiary: BankAccount
    claimed_on: date | None = None  # None: today
    stage_one_reported_at: datetime | None = None  # JKK: the employer's stage I report, if made


def open_claim(claim_id: str, command: NewClaim, member: MemberFacts, *, today: date, now: datetime,
               actor: Actor, tables: BenefitTables = SEEDED) -> Claim:
    """The new claim, or the error that refuses it (InvalidArgument, RuleViolation), on the
    versions of `tables` in force on the claim's own days."""
    claimed_on = command.claimed_on or today
    if claimed_on > today:
        raise InvalidArgument.field("claimed_on", f"{claimed_on.isoformat()} is in the future")
    reason = validate_reason(command.program, command.reason)
    require_enrolled(member.programs, command.program, member.kpj)
    details, npp = command.details, member.npp
    if isinstance(details, JhtDetails):
        _check_jht(JhtReason(reason), details, member, claimed_on, today, tables)
    elif isinstance(details, JkkDetails):
        npp = _check_jkk(details, member, claimed_on, now)
    elif isinstance(details, JkDetails):
        _check_jk(details, command.beneficiary, member, claimed_on, today)
    elif isinstance(details, JpkDetails):
        _check_jpk(details, claimed_on, today)
    claim = submitted(Claim(claim_id=claim_id, kpj=member.kpj, npp=npp, branch_code=member.branch_code,
                            program=command.program, reason=reason, claimed_on=claimed_on, details=details,
                            beneficiary=command.beneficiary), actor, now, f"{command.program.value} {reason}")
    if isinstance(details, JkkDetails) and command.stage_one_reported_at is not None:
        report = accident_report(ReportStage.STAGE_ONE, details.accident_at, command.stage_one_reported_at, now=now,
                                 rules=tables.accident_reports.in_force_on(details.accident_date),
                                 fields=("jkk.accident_at", "jkk.stage_one_reported_at"))
        claim = claim.report_accident(report, actor, now)
    return claim


def _recorded_death(member: MemberFacts, stated: date | None, field: str, today: date) -> date | None:
    if stated is not None and stated > today:
        raise InvalidArgument.field(field, f"{stated.isoformat()} is in the future")
    if stated is not None and member.death_date is not None and stated != member.death_date:
        raise InvalidArgument.field(field, f"membership recorded the death on {member.death_date.isoformat()}")
    return stated or member.death_date


def _check_jht(reason: JhtReason, details: JhtDetails, member: MemberFacts, claimed_on: date, today: date,
               tables: BenefitTables) -> None:
    died = _recorded_death(member, details.death_date, "jht.death_date", today)
    check_eligibility(reason, member, claimed_on, tables.jht.in_force_on(claimed_on), death_date=died)


def _check_jkk(details: JkkDetails, member: MemberFacts, claimed_on: date, now: datetime) -> str:
    """B-JKK-1: covered while employed; returns the employer at the accident (it reports)."""
    if details.accident_at > now:
        raise InvalidArgument.field("jkk.accident_at", f"{details.accident_at.isoformat()} is in the future")
    day = details.accident_date
    if day > claimed_on:
        raise InvalidArgument.field("claimed_on", f"the claim date is before the accident on {day.isoformat()}")
    require_member_on(member, day, "B-JKK-1", "accident", "ACCIDENT_BEFORE_ENROLMENT")
    employment = member.employment_on(day)
    if employment is None:
        raise RuleViolation("B-JKK-1", f"KPJ {member.kpj} had no employment on {day.isoformat()}: the accident is "
                                       f"not a work accident of a covered employer", code="NOT_EMPLOYED_ON_ACCIDENT_DATE")
    return employment.npp


def _check_jk(details: JkDetails, beneficiary: BankAccount, member: MemberFacts, claimed_on: date,
              today: date) -> None:
    """B-JK-1: a death after enrolment, heirs who inherit, and the money to one of them."""
    died = _recorded_death(member, details.death_date, "jk.death_date", today)
    assert died is not None  # the details always state it
    if died > claimed_on:
        raise InvalidArgument.field("claimed_on", f"the claim date is before the death on {died.isoformat()}")
    require_member_on(member, died, "B-JK-1", "death", "DEATH_BEFORE_ENROLMENT")
    inheriting = heirs_in_order(details.heirs)
    if not inheriting:
        raise RuleViolation("B-JK-1", "a death benefit needs the heirs: name the spouse and children, else the "
                                      "blood relatives, else whoever the will names", code="NO_HEIRS")
    names = {_name_key(h.name) for h in inheriting}
    if _name_key(beneficiary.holder_name) not in names:
        listed = ", ".join(h.name for h in inheriting)
        raise RuleViolation("B-JK-1", f"the benefit is paid to an heir who inherits ({listed}), not to "
                                      f"{beneficiary.holder_name}", code="BENEFICIARY_NOT_AN_HEIR")


def _check_jpk(details: JpkDetails, claimed_on: date, today: date) -> None:
    if details.care_date > today:
        raise InvalidArgument.field("jpk.care_date", f"{details.care_date.isoformat()} is in the future")
    if details.care_date > claimed_on:
        raise InvalidArgument.field("claimed_on", "the claim date is before the care")
    if details.claimed <= 0:
        raise InvalidArgument.field("jpk.claimed", "must be a positive amount of rupiah")


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def duplicate_of(new: Claim, existing: Sequence[Claim]) -> Claim | None:
    """An earlier claim the new one repeats: one open JHT claim at a time, one death benefit
    per member, one JKK claim per accident; a rejected claim may be filed again."""
    for old in existing:
        if old.program is not new.program or old.state is ClaimState.REJECTED:
            continue
        if new.program is Program.JHT and old.state is not ClaimState.PAID:
            return old
        if new.program is Program.JK:
            return old
        if isinstance(new.details, JkkDetails) and isinstance(old.details, JkkDetails) \
                and old.details.accident_at == new.details.accident_at:
            return old
        if isinstance(new.details, JpkDetails) and old.details == new.details:
            return old
    return None
