"""Claims in the database, within the caller's branch scope (O-2).

A claim is one `claims` row plus what it carries (documents, history, assessed lines,
accident reports); `save(before, after)` writes only what a transition added, so the
history is append-only. Another branch's claim is NotFound, as if it did not exist, and
lists are filtered by the scope inside this class, never by the caller.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update

from services.benefits.adapters.tables import claims as claim_tables
from services.benefits.domain.accident_reports import AccidentReport, ReportStage
from services.benefits.domain.benefit_items import Assessment, BenefitItem, PeriodicBenefit
from services.benefits.domain.claim_details import details_from_dict
from services.benefits.domain.claims import Claim, ClaimState, HistoryEntry, Rejection, Step
from services.benefits.domain.documents import Document
from services.benefits.domain.jkk import JkkOutcome
from services.benefits.domain.payouts import BankAccount
from services.benefits.domain.programs import Program
from services.chassis.repository import ScopedRepository

claims, documents, history = claim_tables["claims"], claim_tables["documents"], claim_tables["history"]
items, reports, letters = claim_tables["items"], claim_tables["reports"], claim_tables["letters"]
OPEN_STATES = [s.value for s in ClaimState if s not in (ClaimState.PAID, ClaimState.REJECTED)]
# B-JHT-3's clock runs for an open claim except while a confirmation letter holds it.
CLOCK_RUNNING = [s for s in OPEN_STATES if s != ClaimState.ON_HOLD.value]


@dataclass(frozen=True)
class Letter:
    """A confirmation letter (stage 1) asking about a doubtful claim, and its answer."""

    letter_number: str
    claim_id: str
    question: str
    issued_on: date
    issued_by: str
    answer: str | None = None
    answered_on: date | None = None


class ClaimRepository(ScopedRepository):
    # ---- one claim -----------------------------------------------------------------------
    def readable_claim(self, claim_id: str) -> Claim:
        row = self.readable(select(claims).where(claims.c.claim_id == claim_id), claims.c.branch_code, "claim", claim_id)
        return self._load([row], with_history=True)[0]

    def writable_claim(self, claim_id: str) -> Claim:
        row = self.writable(select(claims).where(claims.c.claim_id == claim_id), claims.c.branch_code, "claim", claim_id)
        return self._load([row], with_history=True)[0]

    def system_claim(self, claim_id: str) -> Claim | None:
        """For consumers and jobs (`for_system`): the claim, locked, or None."""
        row = self.session.execute(select(claims).where(claims.c.claim_id == claim_id).with_for_update()).first()
        return self._load([row], with_history=True)[0] if row else None

    def of_member_everywhere(self, kpj: str, program: Program) -> list[Claim]:
        """Every claim of the member under `program`, whatever its branch (a member who moved
        keeps the claims of the old branch): only to refuse a duplicate, never shown."""
        with self.every_branch():
            rows = self.session.execute(select(claims).where(claims.c.kpj == kpj, claims.c.program == program.value)
                                        .order_by(claims.c.claim_id)).all()
            return self._load(rows, with_history=False)

    def add(self, claim: Claim) -> None:
        self.session.execute(insert(claims).values(claim_id=claim.claim_id, **_row(claim),
                                                   created_at=datetime.now(UTC)))
        self._append(None, claim)

    def save(self, before: Claim, after: Claim) -> None:
        self.session.execute(update(claims).where(claims.c.claim_id == after.claim_id).values(**_row(after)))
        self._append(before, after)

    def _append(self, before: Claim | None, after: Claim) -> None:
        cid = after.claim_id
        new_documents = after.documents - (before.documents if before else frozenset())
        if new_documents:
            self.session.execute(insert(documents), [{"claim_id": cid, "code": d.value} for d in sorted(new_documents)])
        done = len(before.history) if before else 0
        if len(after.history) > done:
            self.session.execute(insert(history), [_history_row(cid, seq, e) for seq, e in
                                                   enumerate(after.history[done:], start=done + 1)])
        if after.assessment is not None and (before is None or before.assessment != after.assessment):
            self.session.execute(delete(items).where(items.c.claim_id == cid))
            lines = _item_rows(cid, after.assessment)
            if lines:
                self.session.execute(insert(items), lines)
        known = {r.stage for r in before.accident_reports} if before else set()
        added = [r for r in after.accident_reports if r.stage not in known]
        if added:
            self.session.execute(insert(reports), [
                {"claim_id": cid, "stage": r.stage.value, "occurred_at": r.occurred_at, "reported_at": r.reported_at,
                 "late": r.late, "outcome": r.outcome.value if r.outcome else None} for r in added])

    # ---- lists (scoped) ------------------------------------------------------------------
    def page(self, *, branch_code: str | None = None, state: ClaimState | None = None, program: Program | None = None,
             kpj: str | None = None, before_id: str | None = None, limit: int) -> list[Claim]:
        """Newest first (claim ids are time-ordered), after the page token's claim; a branch
        named that the caller may not read is refused (O-2)."""
        self._require_branch(branch_code)
        statement = select(claims)
        for column, value in ((claims.c.branch_code, branch_code), (claims.c.state, state and state.value),
                              (claims.c.program, program and program.value), (claims.c.kpj, kpj)):
            if value:
                statement = statement.where(column == value)
        if before_id:
            statement = statement.where(claims.c.claim_id < before_id)
        return self._page(statement.order_by(claims.c.claim_id.desc()), limit)

    def at_risk(self, *, due_by: date, branch_code: str | None, after: tuple[date, str] | None,
                limit: int) -> list[Claim]:
        """B-JHT-3: open JHT claims due on or before `due_by`, the most urgent first (a claim
        on hold is not: its clock stands until the letter is answered)."""
        self._require_branch(branch_code)
        statement = select(claims).where(claims.c.program == Program.JHT.value, claims.c.state.in_(CLOCK_RUNNING),
                                         claims.c.due_on.is_not(None), claims.c.due_on <= due_by)
        if branch_code:
            statement = statement.where(claims.c.branch_code == branch_code)
        if after:
            day, cid = after
            statement = statement.where((claims.c.due_on > day) | ((claims.c.due_on == day) & (claims.c.claim_id > cid)))
        return self._page(statement.order_by(claims.c.due_on, claims.c.claim_id), limit)

    def _require_branch(self, branch_code: str | None) -> None:
        if branch_code:
            self.scope.require_read(branch_code, f"claims of {branch_code}")

    def _page(self, statement: Select[Any], limit: int) -> list[Claim]:
        rows = self.session.execute(self.scoped(statement, claims.c.branch_code).limit(limit)).all()
        return self._load(rows, with_history=False)

    def count_due(self, *, due_by: date | None = None, overdue_before: date | None = None) -> int:
        """Open JHT claims whose clock runs (every branch: for the platform's gauge) due by a
        day or overdue; a claim on hold counts again once its letter is answered."""
        statement = select(func.count()).select_from(claims).where(
            claims.c.program == Program.JHT.value, claims.c.state.in_(CLOCK_RUNNING), claims.c.due_on.is_not(None))
        if due_by is not None:
            statement = statement.where(claims.c.due_on <= due_by)
        if overdue_before is not None:
            statement = statement.where(claims.c.due_on < overdue_before)
        return int(self.session.execute(statement).scalar_one())

    # ---- confirmation letters ------------------------------------------------------------
    def letters_of(self, claim_id: str) -> list[Letter]:
        rows = self.session.execute(select(letters).where(letters.c.claim_id == claim_id).order_by(letters.c.id)).all()
        return [Letter(r.letter_number, r.claim_id, r.question, r.issued_on, r.issued_by, r.answer, r.answered_on)
                for r in rows]

    def letter_number_used(self, letter_number: str) -> bool:
        return self.session.execute(select(letters.c.id).where(letters.c.letter_number == letter_number)).first() is not None

    def add_letter(self, letter: Letter) -> None:
        self.session.execute(insert(letters).values(letter_number=letter.letter_number, claim_id=letter.claim_id,
                                                    question=letter.question, issued_on=letter.issued_on,
                                                    issued_by=letter.issued_by))

    def answer_letter(self, letter_number: str, answer: str, on_day: date) -> None:
        self.session.execute(update(letters).where(letters.c.letter_number == letter_number)
                             .values(answer=answer, answered_on=on_day))

    # ---- loading -------------------------------------------------------------------------
    def _load(self, rows: Sequence[Any], *, with_history: bool) -> list[Claim]:
        ids = [r.claim_id for r in rows]
        if not ids:
            return []
        docs: dict[str, set[Document]] = {}
        for r in self.session.execute(select(documents).where(documents.c.claim_id.in_(ids))).all():
            docs.setdefault(r.claim_id, set()).add(Document(r.code))
        lines: dict[str, list[Any]] = {}
        for r in self.session.execute(select(items).where(items.c.claim_id.in_(ids)).order_by(items.c.position)).all():
            lines.setdefault(r.claim_id, []).append(r)
        found_reports: dict[str, list[AccidentReport]] = {}
        for r in self.session.execute(select(reports).where(reports.c.claim_id.in_(ids)).order_by(reports.c.stage)).all():
            found_reports.setdefault(r.claim_id, []).append(AccidentReport(
                ReportStage(r.stage), _utc(r.occurred_at), _utc(r.reported_at), bool(r.late),
                JkkOutcome(r.outcome) if r.outcome else None))
        steps: dict[str, list[HistoryEntry]] = {}
        if with_history:
            for r in self.session.execute(select(history).where(history.c.claim_id.in_(ids))
                                          .order_by(history.c.claim_id, history.c.seq)).all():
                steps.setdefault(r.claim_id, []).append(HistoryEntry(
                    Step(r.step), ClaimState(r.from_state) if r.from_state else None, ClaimState(r.to_state),
                    r.by_user, r.office_code, _utc(r.at), r.why, r.rule_id))
        return [_claim(r, docs.get(r.claim_id, set()), lines.get(r.claim_id), found_reports.get(r.claim_id, []),
                       steps.get(r.claim_id, [])) for r in rows]


def _utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _claim(row: Any, docs: set[Document], lines: list[Any] | None, found_reports: list[AccidentReport],
           steps: list[HistoryEntry]) -> Claim:
    program = Program(row.program)
    assessment = None
    if row.assessed_by is not None:
        assessment = Assessment(
            tuple(BenefitItem(r.code, r.rule_id, r.description, int(r.amount),
                              None if r.claimed is None else int(r.claimed)) for r in lines or [] if not r.periodic),
            tuple(PeriodicBenefit(r.code, r.rule_id, int(r.amount), int(r.months)) for r in lines or [] if r.periodic))
    rejection = Rejection(row.rejection_rule, row.rejection_code, row.rejection_reason) if row.rejection_rule else None
    return Claim(
        claim_id=row.claim_id, kpj=row.kpj, npp=row.npp, branch_code=row.branch_code, program=program,
        reason=row.reason, claimed_on=row.claimed_on, details=details_from_dict(program, json.loads(row.details)),
        beneficiary=BankAccount(row.beneficiary_name, row.beneficiary_bank, row.beneficiary_account),
        state=ClaimState(row.state), held_from=ClaimState(row.held_from) if row.held_from else None,
        documents=frozenset(docs), documents_checked_by=row.documents_checked_by, complete_on=row.complete_on,
        due_on=row.due_on, held_on=row.held_on,
        assessed_by=row.assessed_by, assessment=assessment, approved_by=row.approved_by, approved_on=row.approved_on,
        settled_amount=None if row.settled_amount is None else int(row.settled_amount), paid_on=row.paid_on,
        rejection=rejection, accident_reports=tuple(found_reports), history=tuple(steps))


def _row(claim: Claim) -> dict[str, Any]:
    assessment = claim.assessment
    return {
        "kpj": claim.kpj, "npp": claim.npp, "branch_code": claim.branch_code, "program": claim.program.value,
        "reason": claim.reason, "state": claim.state.value, "held_from": claim.held_from.value if claim.held_from else None,
        "held_on": claim.held_on,
        "claimed_on": claim.claimed_on, "details": json.dumps(claim.details.to_dict(), sort_keys=True),
        "beneficiary_name": claim.beneficiary.holder_name, "beneficiary_bank": claim.beneficiary.bank_name,
        "beneficiary_account": claim.beneficiary.account_number, "complete_on": claim.complete_on,
        "due_on": claim.payment_due_on, "documents_checked_by": claim.documents_checked_by,
        "assessed_by": claim.assessed_by, "lump_sum": assessment.lump_sum if assessment else None,
        "total": assessment.total if assessment else None, "approved_by": claim.approved_by,
        "approved_on": claim.approved_on, "settled_amount": claim.settled_amount, "paid_on": claim.paid_on,
        "rejection_rule": claim.rejection.rule_id if claim.rejection else None,
        "rejection_code": claim.rejection.code if claim.rejection else None,
        "rejection_reason": claim.rejection.reason if claim.rejection else None,
    }


def _history_row(claim_id: str, seq: int, entry: HistoryEntry) -> dict[str, Any]:
    return {"claim_id": claim_id, "seq": seq, "step": entry.step.value,
            "from_state": entry.from_state.value if entry.from_state else None, "to_state": entry.to_state.value,
            "by_user": entry.by[:100], "office_code": entry.office[:50], "at": entry.at, "why": entry.why,
            "rule_id": entry.rule_id}


def _item_rows(claim_id: str, assessment: Assessment) -> list[dict[str, Any]]:
    lines = [{"periodic": False, "code": i.code, "rule_id": i.rule_id, "description": i.description,
              "amount": i.amount, "claimed": i.claimed, "months": None} for i in assessment.items]
    lines += [{"periodic": True, "code": p.code, "rule_id": p.rule_id, "description": f"{p.months} x Rp{p.monthly:,}",
               "amount": p.monthly, "claimed": None, "months": p.months} for p in assessment.periodic]
    return [{"claim_id": claim_id, "position": n, **line} for n, line in enumerate(lines)]
