"""JHT (old-age savings) claims: who may take the balance out (B-JHT-1) and by when it must
be paid (B-JHT-3). The amount is not computed here: it is the member's whole ledger balance
on the settlement day, which contributions owns and answers with (JhtSettled).

The numbers (age 55, 5 years of membership, the 1-month wait, 30 days to pay, the 7-day
warning) are a dated rule table; the version in force on the claim date decides. One
version from PP 14/1993, the Jamsostek-era regulation the rule book follows (seed 003;
the date is the regulation's, to confirm). Later regulations (PP 46/2015 and after: age
56, 10 years for a partial withdrawal) would be new versions.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.rule_tables import RuleTable, parse_iso_date

from .dates import add_months, age_on, whole_months_between
from .member_facts import MemberFacts
from .programs import JhtReason

RULE = "B-JHT-1"


@dataclass(frozen=True)
class JhtRules:
    effective_from: date
    source: str
    retirement_age: int  # B-JHT-1: the balance is paid at this age
    minimum_membership_months: int  # B-JHT-1: after termination, at least this much membership
    waiting_period_months: int  # B-JHT-1: ... and this long since leaving work
    payment_days: int  # B-JHT-3: paid within this many days of the complete claim
    at_risk_days: int  # B-JHT-3: a claim with this many days left or fewer is at risk

    def __post_init__(self) -> None:
        for name in ("retirement_age", "minimum_membership_months", "waiting_period_months", "payment_days",
                     "at_risk_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidArgument.field(name, "must be a non-negative whole number")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_from"] = self.effective_from.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JhtRules:
        values = dict(data)
        values["effective_from"] = parse_iso_date("effective_from", values.get("effective_from"))
        try:
            return cls(**values)
        except TypeError as exc:
            raise InvalidArgument.field("version", f"not a JHT rules version: {exc}") from None


JHT_RULES: RuleTable[JhtRules] = RuleTable((
    JhtRules(effective_from=date(1993, 2, 27), source="PP 14/1993 (seed 003): B-JHT-1, B-JHT-3",
             retirement_age=55, minimum_membership_months=60, waiting_period_months=1, payment_days=30,
             at_risk_days=7),
), rule_id=RULE)


def check_eligibility(reason: JhtReason, member: MemberFacts, claimed_on: date, rules: JhtRules, *,
                      death_date: date | None = None) -> None:
    """B-JHT-1: raise RuleViolation("B-JHT-1", code=...) when the balance may not be paid yet.

    AGE_55 needs the age; DEATH a recorded (or stated) death; TERMINATION a terminated
    worker with enough membership whose waiting period is over. Total disability, leaving
    the country and joining the civil service are proven by documents (B-JHT-2).
    """
    if member.status == "DECEASED" and reason is not JhtReason.DEATH:
        raise RuleViolation(RULE, f"KPJ {member.kpj} is deceased: the heirs claim for the reason DEATH",
                            code="MEMBER_DECEASED")
    if reason is JhtReason.AGE_55:
        age = age_on(member.birth_date, claimed_on)
        if age < rules.retirement_age:
            raise RuleViolation(RULE, f"KPJ {member.kpj} is {age} on {claimed_on.isoformat()}; the balance is paid "
                                      f"at {rules.retirement_age}", code="UNDER_55")
    elif reason is JhtReason.DEATH:
        died = member.death_date or death_date
        if died is None:
            raise RuleViolation(RULE, f"no death is recorded for KPJ {member.kpj}: give the date of death",
                                code="DEATH_NOT_RECORDED")
    elif reason is JhtReason.TERMINATION:
        _check_termination(member, claimed_on, rules)


def _check_termination(member: MemberFacts, claimed_on: date, rules: JhtRules) -> None:
    if member.status != "NON_ACTIVE" or member.end_date is None:
        raise RuleViolation(RULE, f"KPJ {member.kpj} is still employed at {member.npp}: no termination is recorded",
                            code="STILL_EMPLOYED")
    months = whole_months_between(member.member_since, member.end_date)
    if months < rules.minimum_membership_months:
        raise RuleViolation(RULE, f"KPJ {member.kpj} was a member for {months} months (since "
                                  f"{member.member_since.isoformat()}); termination needs "
                                  f"{rules.minimum_membership_months}", code="MEMBERSHIP_UNDER_5_YEARS")
    waited_until = add_months(member.end_date, rules.waiting_period_months)
    if claimed_on < waited_until:
        raise RuleViolation(RULE, f"the waiting period after leaving work on {member.end_date.isoformat()} ends on "
                                  f"{waited_until.isoformat()}", code="WAITING_PERIOD_NOT_OVER")


class Deadline(str, Enum):
    """B-JHT-3, as the branch sees an open claim: on time, at risk, overdue, or on hold (a
    confirmation letter waits for its answer: the claim is not complete, its clock stands)."""

    ON_TIME = "ON_TIME"
    AT_RISK = "AT_RISK"
    OVERDUE = "OVERDUE"
    ON_HOLD = "ON_HOLD"


def payment_due_on(complete_on: date, rules: JhtRules) -> date:
    """B-JHT-3: the last day to pay a claim whose documents were complete on `complete_on`."""
    return complete_on + timedelta(days=rules.payment_days)


def due_after_hold(due_on: date, held_on: date, answered_on: date) -> date:
    """B-JHT-3 counts 30 days of the complete claim: a claim waiting for the answer to its
    confirmation letter is not complete, so the days it waited move the last day to pay.
    The days before the hold still count (a claim late when held is late when answered)."""
    return due_on + timedelta(days=max(0, (answered_on - held_on).days))


def deadline_on(due_on: date, today: date, rules: JhtRules) -> Deadline:
    """How an open claim due on `due_on` stands today."""
    left = (due_on - today).days
    if left < 0:
        return Deadline.OVERDUE
    return Deadline.AT_RISK if left <= rules.at_risk_days else Deadline.ON_TIME
