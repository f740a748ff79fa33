"""The claims workflow, one state machine for every program (JHT, JKK, JK, JPK).

    SUBMITTED -> DOCUMENTS_CHECKED -> ASSESSED -> APPROVED -> PAID
        any open state before approval -> REJECTED (with the rule not met and why)
        SUBMITTED / DOCUMENTS_CHECKED / ASSESSED -> ON_HOLD (confirmation letter, stage 1)
        ON_HOLD -> the state it was held in, once the letter is answered

A claim is complete when its checklist is (B-JHT-2, B-JKK-9): that day starts the 30 days
of B-JHT-3, and the claim carries its last day to pay (`due_on`). A confirmation letter
stops that clock: while ON_HOLD the claim is not complete, and the days until the answer
move `due_on` (`jht.due_after_hold`). The officer who checked the documents or assessed the amount never approves
the claim (O-4). Every transition returns a new Claim with one more history step (who,
office, when, why), so the claim carries its own history; nothing here reads a clock.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum

from services.chassis.errors import RuleViolation
from services.chassis.roles import require_second_person

from .accident_reports import AccidentReport, ReportStage
from .benefit_items import Assessment
from .claim_details import ClaimDetails, rules_day
from .documents import Document, missing_documents, require_complete
from .jht import JHT_RULES, Deadline, JhtRules, deadline_on, due_after_hold, payment_due_on
from .payouts import BankAccount
from .programs import Program


class ClaimState(str, Enum):
    SUBMITTED = "SUBMITTED"
    DOCUMENTS_CHECKED = "DOCUMENTS_CHECKED"  # the claim is complete (B-JHT-3 counts from here)
    ASSESSED = "ASSESSED"  # the amount is computed and itemised
    APPROVED = "APPROVED"  # by a second person (O-4)
    PAID = "PAID"
    REJECTED = "REJECTED"
    ON_HOLD = "ON_HOLD"  # a doubtful claim waiting for the answer to a confirmation letter


CLOSED_STATES = frozenset({ClaimState.PAID, ClaimState.REJECTED})
HOLDABLE_STATES = frozenset({ClaimState.SUBMITTED, ClaimState.DOCUMENTS_CHECKED, ClaimState.ASSESSED})
REJECTABLE_STATES = HOLDABLE_STATES | {ClaimState.ON_HOLD}


class Step(str, Enum):
    SUBMIT = "SUBMIT"
    RECEIVE_DOCUMENTS = "RECEIVE_DOCUMENTS"
    CHECK_DOCUMENTS = "CHECK_DOCUMENTS"
    ASSESS = "ASSESS"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    HOLD = "HOLD"
    RESUME = "RESUME"
    REPORT_ACCIDENT = "REPORT_ACCIDENT"
    SETTLE = "SETTLE"  # JHT: contributions paid out the balance (JhtSettled)
    PAY = "PAY"


# The rule a claim of each program is made under: what a refused step names when no
# narrower rule applies (a closed claim, a claim not on hold).
PROGRAM_RULE = {Program.JHT: "B-JHT-1", Program.JKK: "B-JKK-1", Program.JK: "B-JK-1", Program.JPK: "B-JPK-1"}


@dataclass(frozen=True)
class Actor:
    """Who acts, from which office: a user, or the service itself (`system`)."""

    user_id: str
    office_code: str


@dataclass(frozen=True)
class HistoryEntry:
    step: Step
    from_state: ClaimState | None
    to_state: ClaimState
    by: str
    office: str
    at: datetime
    why: str = ""
    rule_id: str = ""


@dataclass(frozen=True)
class Rejection:
    rule_id: str  # the rule not met, e.g. B-JHT-1
    code: str  # machine-readable, e.g. MEMBERSHIP_UNDER_5_YEARS
    reason: str


@dataclass(frozen=True)
class Claim:
    claim_id: str
    kpj: str
    npp: str
    branch_code: str
    program: Program
    reason: str
    claimed_on: date
    details: ClaimDetails
    beneficiary: BankAccount
    state: ClaimState = ClaimState.SUBMITTED
    held_from: ClaimState | None = None
    documents: frozenset[Document] = frozenset()
    documents_checked_by: str | None = None
    complete_on: date | None = None
    due_on: date | None = None  # B-JHT-3: the last day to pay a complete JHT claim
    held_on: date | None = None  # while ON_HOLD: the day the confirmation letter stopped the clock
    assessed_by: str | None = None
    assessment: Assessment | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    settled_amount: int | None = None  # JHT: the balance contributions paid out
    paid_on: date | None = None
    rejection: Rejection | None = None
    accident_reports: tuple[AccidentReport, ...] = ()  # JKK: stage I, then stage II (B-JKK-1)
    history: tuple[HistoryEntry, ...] = ()

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def missing_documents(self) -> tuple[Document, ...]:
        return missing_documents(self.program, self.reason, self.documents)

    @property
    def rule_id(self) -> str:
        return PROGRAM_RULE[self.program]

    @property
    def rules_day(self) -> date:
        """The day whose rule version prices the claim (claim date, accident, death, care)."""
        return rules_day(self.details, self.claimed_on)

    @property
    def payment_due_on(self) -> date | None:
        """B-JHT-3: a complete JHT claim is paid within 30 days (moved by any days on hold)."""
        return self.due_on if self.program is Program.JHT else None

    def deadline(self, today: date, rules: JhtRules | None = None) -> Deadline | None:
        """B-JHT-3 as it stands today for an open claim (`rules`: the claim date's JHT
        version); ON_HOLD while its clock stands; None once paid or rejected."""
        due = self.payment_due_on
        if due is None or self.is_closed:
            return None
        if self.state is ClaimState.ON_HOLD:
            return Deadline.ON_HOLD
        return deadline_on(due, today, rules or JHT_RULES.in_force_on(self.claimed_on))

    def days_left(self, today: date) -> int | None:
        """B-JHT-3: days left to pay; on hold, the days that were left when the clock stopped."""
        due = self.payment_due_on
        if due is None:
            return None
        counted_to = self.held_on if self.state is ClaimState.ON_HOLD and self.held_on else today
        return (due - counted_to).days

    def report(self, stage: ReportStage) -> AccidentReport | None:
        return next((r for r in self.accident_reports if r.stage is stage), None)

    def _step(self, step: Step, to_state: ClaimState, actor: Actor, at: datetime, why: str = "",
              rule_id: str = "") -> tuple[HistoryEntry, ...]:
        entry = HistoryEntry(step, self.state, to_state, actor.user_id, actor.office_code, at, why, rule_id)
        return (*self.history, entry)

    def _require(self, states: Iterable[ClaimState], doing: str, rule_id: str, code: str) -> None:
        allowed = frozenset(states)
        if self.state not in allowed:
            names = ", ".join(sorted(s.value for s in allowed))
            raise RuleViolation(rule_id, f"claim {self.claim_id} is {self.state.value}: it can be {doing} "
                                         f"only when {names}", code=code)

    # ---- documents (B-JHT-2, B-JKK-9) -----------------------------------------------------
    def receive_documents(self, received: Iterable[Document], actor: Actor, at: datetime, on_day: date,
                          jht_rules: JhtRules | None = None) -> Claim:
        """Record documents received; once the checklist is complete the claim is
        DOCUMENTS_CHECKED, complete on `on_day`, checked by `actor` (O-4 remembers who);
        a JHT claim is then due within `jht_rules.payment_days` (the claim date's version)."""
        self._require({ClaimState.SUBMITTED, ClaimState.DOCUMENTS_CHECKED}, "given documents", self.rule_id,
                      "CLAIM_NOT_OPEN_FOR_DOCUMENTS")
        documents = self.documents | frozenset(received)
        added = sorted(d.value for d in documents - self.documents)
        changed = replace(self, documents=documents)
        if self.state is ClaimState.SUBMITTED and not changed.missing_documents:
            due = None
            if self.program is Program.JHT:
                due = payment_due_on(on_day, jht_rules or JHT_RULES.in_force_on(self.claimed_on))
            return replace(changed, state=ClaimState.DOCUMENTS_CHECKED, complete_on=on_day, due_on=due,
                           documents_checked_by=actor.user_id,
                           history=self._step(Step.CHECK_DOCUMENTS, ClaimState.DOCUMENTS_CHECKED, actor, at,
                                              "complete: " + ", ".join(added) if added else "complete"))
        missing = ", ".join(d.value for d in changed.missing_documents)
        why = ("received: " + ", ".join(added) if added else "nothing new") + (f"; missing: {missing}" if missing else "")
        return replace(changed, history=self._step(Step.RECEIVE_DOCUMENTS, self.state, actor, at, why))

    # ---- assessment ----------------------------------------------------------------------
    def assess(self, assessment: Assessment, actor: Actor, at: datetime) -> Claim:
        """The amount, itemised; a complete claim only (the refusal lists what is missing).
        An assessed claim may be assessed again before approval (a corrected receipt)."""
        if self.state is ClaimState.SUBMITTED:
            require_complete(self.program, self.reason, self.documents)
        self._require({ClaimState.DOCUMENTS_CHECKED, ClaimState.ASSESSED}, "assessed", self.rule_id,
                      "CLAIM_NOT_READY_FOR_ASSESSMENT")
        why = f"lump sum Rp{assessment.lump_sum:,}, total Rp{assessment.total:,}"
        return replace(self, state=ClaimState.ASSESSED, assessment=assessment, assessed_by=actor.user_id,
                       history=self._step(Step.ASSESS, ClaimState.ASSESSED, actor, at, why))

    # ---- approval (O-4) ------------------------------------------------------------------
    def approve(self, actor: Actor, at: datetime, on_day: date) -> Claim:
        self._require({ClaimState.ASSESSED}, "approved", "O-4", "CLAIM_NOT_ASSESSED")
        for first in {self.documents_checked_by, self.assessed_by} - {None}:
            assert first is not None
            require_second_person(first, actor.user_id, f"claim {self.claim_id}")
        return replace(self, state=ClaimState.APPROVED, approved_by=actor.user_id, approved_on=on_day,
                       history=self._step(Step.APPROVE, ClaimState.APPROVED, actor, at))

    # ---- rejection, hold -----------------------------------------------------------------
    def reject(self, rejection: Rejection, actor: Actor, at: datetime) -> Claim:
        self._require(REJECTABLE_STATES, "rejected", self.rule_id, "CLAIM_NOT_REJECTABLE")
        return replace(self, state=ClaimState.REJECTED, held_from=None, held_on=None, rejection=rejection,
                       history=self._step(Step.REJECT, ClaimState.REJECTED, actor, at,
                                          f"{rejection.code}: {rejection.reason}", rejection.rule_id))

    def hold(self, letter_number: str, question: str, actor: Actor, at: datetime, on_day: date | None = None) -> Claim:
        """A doubtful claim waits for the answer to the confirmation letter (stage 1); from
        `on_day` (the office's day; default the day of `at`) its B-JHT-3 clock stands."""
        self._require(HOLDABLE_STATES, "put on hold", self.rule_id, "CLAIM_NOT_HOLDABLE")
        return replace(self, state=ClaimState.ON_HOLD, held_from=self.state, held_on=on_day or at.date(),
                       history=self._step(Step.HOLD, ClaimState.ON_HOLD, actor, at, f"letter {letter_number}: {question}"))

    def resume(self, letter_number: str, answer: str, actor: Actor, at: datetime, on_day: date | None = None) -> Claim:
        """The letter is answered on `on_day`: the claim goes back to where it was, and a
        complete JHT claim's last day to pay moves by the days it waited (B-JHT-3)."""
        self._require({ClaimState.ON_HOLD}, "resumed", self.rule_id, "CLAIM_NOT_ON_HOLD")
        back = self.held_from or ClaimState.SUBMITTED
        why, due, rule_id = f"letter {letter_number} answered: {answer}", self.due_on, ""
        if due is not None and self.held_on is not None:
            answered = on_day or at.date()
            due = due_after_hold(due, self.held_on, answered)
            waited = max(0, (answered - self.held_on).days)
            why, rule_id = f"{why}; {waited} days on hold, due on {due.isoformat()}", "B-JHT-3"
        return replace(self, state=back, held_from=None, held_on=None, due_on=due,
                       history=self._step(Step.RESUME, back, actor, at, why, rule_id))

    def report_accident(self, report: AccidentReport, actor: Actor, at: datetime) -> Claim:
        """B-JKK-1: the employer's report of a stage, kept on the claim; a late one is flagged."""
        if self.program is not Program.JKK:
            raise RuleViolation("B-JKK-1", f"claim {self.claim_id} is a {self.program.value} claim: accident "
                                           f"reports belong to JKK claims", code="NOT_A_JKK_CLAIM")
        if self.is_closed or self.state is ClaimState.APPROVED:
            raise RuleViolation("B-JKK-1", f"claim {self.claim_id} is {self.state.value}: no more reports",
                                code="CLAIM_CLOSED")
        if self.report(report.stage) is not None:
            raise RuleViolation("B-JKK-1", f"the {report.stage.value} report of claim {self.claim_id} is already "
                                           f"recorded", code="ALREADY_REPORTED")
        late = f", late ({report.hours_taken} hours)" if report.late else ""
        outcome = f": {report.outcome.value}" if report.outcome else ""
        return replace(self, accident_reports=(*self.accident_reports, report),
                       history=self._step(Step.REPORT_ACCIDENT, self.state, actor, at,
                                          f"{report.stage.value}{outcome}{late}", "B-JKK-1"))

    def note(self, step: Step, actor: Actor, at: datetime, why: str, rule_id: str = "") -> Claim:
        """A history step that changes no state (an accident report, a late report flagged)."""
        return replace(self, history=self._step(step, self.state, actor, at, why, rule_id))

    # ---- payout --------------------------------------------------------------------------
    def settle(self, amount: int, on_day: date, actor: Actor, at: datetime) -> Claim:
        """JHT: contributions paid out the whole balance, `amount` (B-JHT-1)."""
        if self.program is not Program.JHT:
            raise ValueError("only a JHT claim is settled by contributions")
        self._require({ClaimState.APPROVED}, "settled", "B-JHT-1", "CLAIM_NOT_APPROVED")
        return replace(self, settled_amount=amount,
                       history=self._step(Step.SETTLE, self.state, actor, at,
                                          f"balance Rp{amount:,} settled on {on_day.isoformat()}", "B-JHT-1"))

    def mark_paid(self, on_day: date, actor: Actor, at: datetime, why: str = "") -> Claim:
        self._require({ClaimState.APPROVED}, "paid", "O-4", "CLAIM_NOT_APPROVED")
        return replace(self, state=ClaimState.PAID, paid_on=on_day,
                       history=self._step(Step.PAY, ClaimState.PAID, actor, at, why))

    @property
    def payable_now(self) -> int:
        """What the claim pays at once: the settled balance (JHT) or the assessed lump sum."""
        if self.program is Program.JHT:
            return self.settled_amount or 0
        return self.assessment.lump_sum if self.assessment else 0


def submitted(claim: Claim, actor: Actor, at: datetime, why: str = "") -> Claim:
    """A new claim with its first history step."""
    entry = HistoryEntry(Step.SUBMIT, None, ClaimState.SUBMITTED, actor.user_id, actor.office_code, at, why)
    return replace(claim, state=ClaimState.SUBMITTED, history=(entry,))
