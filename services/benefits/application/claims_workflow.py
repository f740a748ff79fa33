"""The service officer's steps on a claim: documents (B-JHT-2, B-JKK-9), assessment,
rejection, the confirmation letter that holds a doubtful claim, and the employer's accident
reports (B-JKK-1). Each is one transaction on the claim, locked, in the caller's branch
(O-2), audited, with its history step on the claim."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from services.benefits.adapters.claim_repository import ClaimRepository, Letter
from services.benefits.adapters.read_model_store import ReadModelStore
from services.benefits.application.claim_events import claim_rejected, emit_claim
from services.benefits.application.claims_submission import ClaimView, actor_of, now
from services.benefits.application.rule_book import tables_of
from services.benefits.domain.accident_reports import ReportStage, accident_report
from services.benefits.domain.benefit_items import Assessment
from services.benefits.domain.claim_assessment import (
    JHT_ASSESSMENT, JkkFindings, assess_jk_claim, assess_jkk_claim, assess_jpk_claim,
)
from services.benefits.domain.claim_details import JkkDetails
from services.benefits.domain.claims import Claim
from services.benefits.domain.documents import Document
from services.benefits.domain.jht import check_eligibility
from services.benefits.domain.jkk import JkkOutcome
from services.benefits.domain.programs import JhtReason, Program
from services.benefits.domain.rejections import validate_rejection
from services.chassis.errors import AlreadyExists, FieldViolation, InvalidArgument, NotFound, RuleViolation
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


class ClaimWorkflow:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change  # after a commit: the B-JHT-3 gauge

    def _change(self, uow: UnitOfWork, scope: BranchScope, claim_id: str, action: str,
                change: Callable[[ClaimRepository, Claim, datetime], Claim], detail: dict | None = None) -> ClaimView:
        claims = ClaimRepository(uow.session, scope)
        before = claims.writable_claim(claim_id)
        after = change(claims, before, now())
        claims.save(before, after)
        uow.audit(f"claim.{action}", claim_id, {"from": before.state.value, "to": after.state.value, **(detail or {})},
                  reason=after.history[-1].why if after.history else None)
        uow.count(f"claim_{action}")
        if after.program is Program.JHT:  # only JHT claims have a B-JHT-3 clock to count
            uow.after_commit(self.on_change)
        return ClaimView(after, tuple(claims.letters_of(claim_id)))

    def check_documents(self, uow: UnitOfWork, scope: BranchScope, claim_id: str,
                        documents: Sequence[Document]) -> ClaimView:
        """B-JHT-2, B-JKK-9: documents received; the claim is complete when none is missing
        (B-JHT-3: then due within the days of the claim date's JHT version)."""
        def change(_claims: ClaimRepository, claim: Claim, at: datetime) -> Claim:
            rules = tables_of(uow.session).jht.in_force_on(claim.claimed_on)
            return claim.receive_documents(documents, actor_of(scope), at, self.ctx.today(), rules)
        return self._change(uow, scope, claim_id, "documents", change, {"documents": sorted(d.value for d in documents)})

    def assess(self, uow: UnitOfWork, scope: BranchScope, claim_id: str, findings: JkkFindings | None) -> ClaimView:
        def change(_claims: ClaimRepository, claim: Claim, at: datetime) -> Claim:
            return claim.assess(self._assessment(uow, claim, findings), actor_of(scope), at)
        return self._change(uow, scope, claim_id, "assess", change)

    def _assessment(self, uow: UnitOfWork, claim: Claim, findings: JkkFindings | None) -> Assessment:
        if findings is not None and claim.program is not Program.JKK:
            raise InvalidArgument.field("jkk", f"claim {claim.claim_id} is a {claim.program.value} claim: "
                                               f"JKK findings do not apply")
        store, tables = ReadModelStore(uow.session), tables_of(uow.session)
        if claim.program is Program.JHT:
            # The member's situation may have changed since submission (re-employed after PHK).
            member = store.member_facts(claim.kpj)
            if member is not None:
                check_eligibility(JhtReason(claim.reason), member, claim.claimed_on,
                                  tables.jht.in_force_on(claim.claimed_on),
                                  death_date=getattr(claim.details, "death_date", None))
            return JHT_ASSESSMENT
        if claim.program is Program.JK:
            return assess_jk_claim(claim, tables)
        if claim.program is Program.JKK:
            if findings is None:
                raise InvalidArgument.field("jkk", "a JKK claim is assessed with what was verified: receipts, "
                                                   "STMB months, the doctor's findings")
            assert isinstance(claim.details, JkkDetails)
            wage = store.wage_on(claim.kpj, claim.details.accident_date)
            if wage is None:
                raise RuleViolation("B-JKK-3", f"no wage of KPJ {claim.kpj} is known on the accident day",
                                    code="WAGE_UNKNOWN")
            try:
                return assess_jkk_claim(claim, findings, wage, tables)
            except InvalidArgument as error:  # the calculator names its input; the request names it under jkk
                raise InvalidArgument([FieldViolation(f"jkk.{v.field}", v.reason) for v in error.violations]) from None
        return assess_jpk_claim(claim)

    def reject(self, uow: UnitOfWork, scope: BranchScope, claim_id: str, rule_id: str, code: str,
               reason: str) -> ClaimView:
        rejection = validate_rejection(rule_id, code, reason)

        def change(_claims: ClaimRepository, claim: Claim, at: datetime) -> Claim:
            rejected = claim.reject(rejection, actor_of(scope), at)
            emit_claim(uow, rejected, claim_rejected(rejected))
            return rejected
        return self._change(uow, scope, claim_id, "reject", change, {"rule_id": rule_id, "code": rejection.code})

    def hold(self, uow: UnitOfWork, scope: BranchScope, claim_id: str, letter_number: str,
             question: str) -> ClaimView:
        """A confirmation letter (stage 1) for a doubtful claim: ON_HOLD until answered."""
        def change(claims: ClaimRepository, claim: Claim, at: datetime) -> Claim:
            if claims.letter_number_used(letter_number):
                raise AlreadyExists("confirmation letter", letter_number)
            held = claim.hold(letter_number, question, actor_of(scope), at, self.ctx.today())
            claims.add_letter(Letter(letter_number, claim_id, question, self.ctx.today(), scope.principal.user_id))
            return held
        return self._change(uow, scope, claim_id, "hold", change, {"letter_number": letter_number})

    def answer(self, uow: UnitOfWork, scope: BranchScope, claim_id: str, letter_number: str,
               answer: str) -> ClaimView:
        def change(claims: ClaimRepository, claim: Claim, at: datetime) -> Claim:
            letter = next((x for x in claims.letters_of(claim_id) if x.letter_number == letter_number), None)
            if letter is None:
                raise NotFound("confirmation letter", letter_number)
            if letter.answer is not None:
                raise RuleViolation(claim.rule_id, f"letter {letter_number} was answered on {letter.answered_on}",
                                    code="LETTER_ALREADY_ANSWERED")
            resumed = claim.resume(letter_number, answer, actor_of(scope), at, self.ctx.today())
            claims.answer_letter(letter_number, answer, self.ctx.today())
            return resumed
        return self._change(uow, scope, claim_id, "resume", change, {"letter_number": letter_number})

    def report_accident(self, uow: UnitOfWork, scope: BranchScope, claim_id: str, stage: ReportStage,
                        occurred_at: datetime, reported_at: datetime, outcome: JkkOutcome | None) -> ClaimView:
        """B-JKK-1: stage I (the accident) or II (the doctor's declaration); late is flagged."""
        def change(_claims: ClaimRepository, claim: Claim, at: datetime) -> Claim:
            details = claim.details
            if not isinstance(details, JkkDetails):
                raise RuleViolation("B-JKK-1", f"claim {claim_id} is a {claim.program.value} claim: accident "
                                               f"reports belong to JKK claims", code="NOT_A_JKK_CLAIM")
            if stage is ReportStage.STAGE_ONE and occurred_at != details.accident_at:
                raise InvalidArgument.field("occurred_at", f"the claim's accident is at {details.accident_at.isoformat()}")
            if stage is ReportStage.STAGE_TWO and occurred_at < details.accident_at:
                raise InvalidArgument.field("occurred_at", "the doctor's declaration comes before the accident")
            report = accident_report(stage, occurred_at, reported_at, now=at,
                                     rules=tables_of(uow.session).accident_reports.in_force_on(details.accident_date),
                                     fields=("occurred_at", "reported_at"), outcome=outcome)
            return claim.report_accident(report, actor_of(scope), at)
        return self._change(uow, scope, claim_id, "accident_report", change, {"stage": stage.value})
