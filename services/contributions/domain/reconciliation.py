"""C-7: contribution reconciliation (rekonsiliasi iuran) for one employer and period.

The worksheet (kertas kerja) compares what was billed (the SPI, C-5), what the employer
reported and what the bank received, and lists the differences. An administration officer
prepares it, another officer validates it (O-4: no one approves their own work), and only
a validated worksheet is posted; posting is when the JHT contributions go to the members'
accounts (`jht_ledger.post_contribution`, done by the application layer on `post`).

How the amounts are read:
* matched payments pay the contribution first, then the penalty (denda, C-6);
* UNDER_PAYMENT: contribution billed but not (yet) received;
* OVER_PAYMENT: received beyond contribution plus penalty due; kept as the employer's credit;
* UNMATCHED_PAYMENT: one line per received payment not matched to this bill, to resolve;
* PENALTY: penalty due as of the worksheet date minus penalty already charged: the
  penalty correction (koreksi denda), negative when too much was charged;
* REPORTED_DIFFERENCE (beyond the four kinds of C-7): reported minus billed, for the
  officer to explain, usually a worker or wage change not yet billed (`correction_lines`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import InvalidArgument, RuleViolation, Violations
from services.chassis.roles import require_second_person
from services.contributions.domain.penalty import LatePenalty, late_payment_penalty
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import ContributionRules


class DifferenceKind(str, Enum):
    UNDER_PAYMENT = "UNDER_PAYMENT"
    OVER_PAYMENT = "OVER_PAYMENT"
    UNMATCHED_PAYMENT = "UNMATCHED_PAYMENT"
    PENALTY = "PENALTY"
    REPORTED_DIFFERENCE = "REPORTED_DIFFERENCE"


class WorksheetState(str, Enum):
    DRAFT = "DRAFT"
    VALIDATED = "VALIDATED"
    POSTED = "POSTED"


@dataclass(frozen=True)
class ReceivedPayment:
    """A bank receipt for the employer-period; `matched` False when it could not be tied to
    this bill (wrong or missing reference) and waits for the officer."""

    bank_reference: str
    amount_rupiah: int
    received_on: date
    matched: bool = True


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    amount_rupiah: int
    bank_reference: str | None = None


@dataclass(frozen=True)
class ReconciliationWorksheet:
    """C-7 worksheet. Immutable: `validate` and `post` return the next state."""

    worksheet_id: str
    npp: str
    period: Period
    billed_rupiah: int
    reported_rupiah: int
    payments: tuple[ReceivedPayment, ...]
    penalty: LatePenalty
    penalty_billed_rupiah: int
    differences: tuple[Difference, ...]
    prepared_by: str
    state: WorksheetState = WorksheetState.DRAFT
    validated_by: str | None = None
    validated_on: date | None = None
    posted_by: str | None = None
    posted_on: date | None = None

    @property
    def matched_received_rupiah(self) -> int:
        return sum(p.amount_rupiah for p in self.payments if p.matched)

    @property
    def penalty_due_rupiah(self) -> int:
        return self.penalty.total_rupiah

    def amount_of(self, kind: DifferenceKind) -> int:
        return sum(d.amount_rupiah for d in self.differences if d.kind is kind)

    def validate(self, officer: str, on: date) -> ReconciliationWorksheet:
        """C-7: an officer validates the draft; O-4: not the officer who prepared it."""
        _require_officer(officer)
        if self.state is not WorksheetState.DRAFT:
            raise RuleViolation("C-7", f"only a draft worksheet can be validated (it is {self.state.value})")
        require_second_person(self.prepared_by, officer, "reconciliation worksheet")
        return replace(self, state=WorksheetState.VALIDATED, validated_by=officer, validated_on=on)

    def post(self, officer: str, on: date) -> ReconciliationWorksheet:
        """C-7: post the contributions, only from a validated worksheet."""
        _require_officer(officer)
        if self.state is not WorksheetState.VALIDATED:
            raise RuleViolation("C-7", f"only a validated worksheet can be posted (it is {self.state.value})")
        return replace(self, state=WorksheetState.POSTED, posted_by=officer, posted_on=on)


def prepare_worksheet(*, worksheet_id: str, npp: str, period: Period, billed_rupiah: int,
                      reported_rupiah: int, payments: Iterable[ReceivedPayment], due_date: date,
                      as_of: date, rules: ContributionRules, prepared_by: str,
                      penalty_billed_rupiah: int = 0) -> ReconciliationWorksheet:
    """C-7: a DRAFT worksheet with its differences, as of `as_of`.

    `rules` is the version in force for the period (C-6 penalty rate); `due_date` the
    period's due date (`due_dates.due_date`)."""
    payments = tuple(payments)
    problems = Violations()
    for name, value in (("billed_rupiah", billed_rupiah), ("reported_rupiah", reported_rupiah),
                        ("penalty_billed_rupiah", penalty_billed_rupiah)):
        if not isinstance(value, int) or value < 0:
            problems.add(name, "must be a non-negative whole number of rupiah")
    for i, p in enumerate(payments):
        if not isinstance(p.amount_rupiah, int) or p.amount_rupiah <= 0:
            problems.add(f"payments[{i}].amount_rupiah", "must be positive")
    if not worksheet_id or not npp:
        problems.add("worksheet_id" if not worksheet_id else "npp", "required")
    problems.raise_if_any()
    _require_officer(prepared_by)

    matched = [(p.received_on, p.amount_rupiah) for p in payments if p.matched]
    penalty = late_payment_penalty(billed_rupiah, due_date, matched, as_of, rules)
    received = sum(amount for _, amount in matched)
    differences = []
    if received < billed_rupiah:
        differences.append(Difference(DifferenceKind.UNDER_PAYMENT, billed_rupiah - received))
    if received > billed_rupiah + penalty.total_rupiah:
        differences.append(Difference(DifferenceKind.OVER_PAYMENT, received - billed_rupiah - penalty.total_rupiah))
    differences.extend(Difference(DifferenceKind.UNMATCHED_PAYMENT, p.amount_rupiah, p.bank_reference)
                       for p in payments if not p.matched)
    if penalty.total_rupiah != penalty_billed_rupiah:
        differences.append(Difference(DifferenceKind.PENALTY, penalty.total_rupiah - penalty_billed_rupiah))
    if reported_rupiah != billed_rupiah:
        differences.append(Difference(DifferenceKind.REPORTED_DIFFERENCE, reported_rupiah - billed_rupiah))
    return ReconciliationWorksheet(
        worksheet_id=worksheet_id, npp=npp, period=period, billed_rupiah=billed_rupiah,
        reported_rupiah=reported_rupiah, payments=payments, penalty=penalty,
        penalty_billed_rupiah=penalty_billed_rupiah, differences=tuple(differences), prepared_by=prepared_by,
    )


def _require_officer(officer: str) -> None:
    if not isinstance(officer, str) or not officer.strip():
        raise InvalidArgument.field("officer", "required")
