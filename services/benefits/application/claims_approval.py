"""ApproveClaim (O-4): the branch head approves a claim someone else checked and assessed.

What approval sets going, in the same transaction: ClaimApproved; for JHT the payout
request to contributions (JhtPayoutApproved, answered by JhtSettled); for the other programs
the payment order and the periodic schedules. A death established by a JK or JKK claim is
published as MemberDeceased, a total disability as MemberTotallyDisabled (M-8, W-S-2).
"""
from __future__ import annotations

from collections.abc import Callable

from services.benefits.adapters.claim_repository import ClaimRepository
from services.benefits.adapters.payout_repository import PayoutRepository
from services.benefits.application.claim_events import (
    claim_approved, claim_paid, emit_claim, emit_member, jht_payout_approved, member_deceased, member_totally_disabled,
)
from services.benefits.application.claims_submission import ClaimView, actor_of, now
from services.benefits.application.payouts_opening import open_payouts
from services.benefits.domain.accident_reports import ReportStage
from services.benefits.domain.claim_details import JkDetails
from services.benefits.domain.claims import Claim
from services.benefits.domain.jkk import JkkOutcome
from services.benefits.domain.programs import JhtReason, Program
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


class ClaimApproval:
    def __init__(self, ctx: ServiceContext, on_change: Callable[[], None]):
        self.ctx = ctx
        self.on_change = on_change

    def approve(self, uow: UnitOfWork, scope: BranchScope, claim_id: str) -> ClaimView:
        claims = ClaimRepository(uow.session, scope)
        before = claims.writable_claim(claim_id)
        today, at = self.ctx.today(), now()
        claim = before.approve(actor_of(scope), at, today)
        detail: dict = {"program": claim.program.value}
        if claim.program is Program.JHT:
            emit_claim(uow, claim, claim_approved(claim, 0))  # the amount is the balance contributions settles
            emit_claim(uow, claim, jht_payout_approved(claim, today))
        else:
            emit_claim(uow, claim, claim_approved(claim, claim.payable_now))
            order, schedules = open_payouts(PayoutRepository(uow.session, scope), claim, today)
            detail.update(lump_sum=claim.payable_now, order_id=order.order_id if order else None,
                          schedules=[s.code for s in schedules])
            if order is None and not schedules:  # nothing to pay at all: the claim is done
                claim = claim.mark_paid(today, actor_of(scope), at, "nothing to pay")
                emit_claim(uow, claim, claim_paid(claim, 0, today))
        self._member_events(uow, claim)
        claims.save(before, claim)
        uow.audit("claim.approve", claim_id, detail)
        uow.count(f"claim_approved_{claim.program.value.lower()}")
        if claim.program is Program.JHT:  # only JHT claims have a B-JHT-3 clock to count
            uow.after_commit(self.on_change)
        return ClaimView(claim, tuple(claims.letters_of(claim_id)))

    @staticmethod
    def _member_events(uow: UnitOfWork, claim: Claim) -> None:
        """Deaths and total disabilities this approval establishes, for membership and welfare."""
        if isinstance(claim.details, JkDetails):
            emit_member(uow, claim, member_deceased(claim, claim.details.death_date, work_accident=False))
        elif claim.program is Program.JKK:
            declared = claim.report(ReportStage.STAGE_TWO)
            if declared is not None and declared.outcome is JkkOutcome.DEATH:
                emit_member(uow, claim, member_deceased(claim, declared.occurred_at.date(), work_accident=True))
            elif declared is not None and declared.outcome is JkkOutcome.TOTAL_DISABILITY:
                emit_member(uow, claim, member_totally_disabled(claim, declared.occurred_at.date(), work_accident=True))
        elif claim.program is Program.JHT and claim.reason == JhtReason.TOTAL_DISABILITY.value:
            assert claim.approved_on is not None
            emit_member(uow, claim, member_totally_disabled(claim, claim.approved_on, work_accident=False))
