"""Penalty use cases: read penalties (C-6) and correct them with a second person (O-4).

An administration officer requests a correction (a new amount or a waiver) with a reason;
a branch head who is not the requester approves it (O-4: no one approves their own work),
publishing PenaltyCorrected, or rejects it with a reason.
Both steps are audited with the reason. One correction may wait per penalty (C-7: the
penalty correction, koreksi denda, is part of reconciliation).
"""
from __future__ import annotations

from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_rupiah
from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.roles import require_second_person
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.penalty_repository import (
    CORRECTED, PENDING, WAIVED, PenaltyCorrection, PenaltyRepository, PenaltyWithCorrections,
)
from services.contributions.application.context import ContributionsContext
from services.contributions.application.money.penalty_commands import (
    ApprovePenaltyCorrection, GetPenalty, ListPenalties, PenaltyPage, RejectPenaltyCorrection, RequestPenaltyCorrection,
)


class PenaltyUseCases:
    """Each takes the caller's scope (O-2: the repository applies it) and its command; the
    changes run in the transaction the entrypoint opens per request id."""

    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, scope: BranchScope, query: GetPenalty) -> PenaltyWithCorrections:
        with self.ctx.base.read_session() as session:
            repo = PenaltyRepository(session, scope)
            penalty = repo.readable(query.penalty_id)
            return repo.with_corrections([penalty.penalty_id])[0]

    def list(self, scope: BranchScope, query: ListPenalties) -> PenaltyPage:
        with self.ctx.base.read_session() as session:
            repo = PenaltyRepository(session, scope)
            ids = repo.page_ids(branch_code=query.branch_code, npp=query.npp, before=query.before_id,
                                limit=query.size + 1)
            found = repo.with_corrections(ids[:query.size])
        return PenaltyPage(found, ids[query.size - 1] if len(ids) > query.size else None)

    def request_correction(self, uow: UnitOfWork, scope: BranchScope,
                           command: RequestPenaltyCorrection) -> PenaltyCorrection:
        """O-3: the administration officer proposes a corrected amount or a waiver, with a reason."""
        repo = PenaltyRepository(uow.session, scope)
        row = repo.writable(command.penalty_id)
        pending = repo.pending_correction(row.penalty_id)
        if pending is not None:
            raise RuleViolation("C-7", f"correction {pending} of this penalty is waiting for approval")
        if command.new_amount_rupiah == row.amount_rupiah:
            raise InvalidArgument.field("new_amount", "equals the current amount: nothing to correct")
        _refuse_below_paid(row, command.new_amount_rupiah)
        stored = repo.add_correction(correction_id=uuid7(), penalty_id=row.penalty_id,
                                     new_amount_rupiah=command.new_amount_rupiah, waive=command.waive,
                                     reason=command.reason, requested_by=scope.principal.user_id)
        uow.audit("penalty.correction.request", row.penalty_id,
                  {"correction_id": stored.correction_id, "from": row.amount_rupiah, "to": command.new_amount_rupiah,
                   "waive": command.waive}, command.reason)
        return stored

    def approve_correction(self, uow: UnitOfWork, scope: BranchScope,
                           command: ApprovePenaltyCorrection) -> PenaltyWithCorrections:
        """O-4: a branch head approves a correction someone else requested; it then applies."""
        user = scope.principal.user_id
        repo = PenaltyRepository(uow.session, scope)
        correction = repo.correction_for_change(command.correction_id)
        row = repo.writable(correction.penalty_id)
        if correction.status != PENDING:
            raise RuleViolation("C-7", f"correction {correction.correction_id} is {correction.status}, not pending")
        require_second_person(correction.requested_by, user, "penalty correction")
        _refuse_below_paid(row, correction.new_amount_rupiah)  # a payment may have come in meanwhile
        status = WAIVED if correction.waive else CORRECTED
        repo.approve(correction, user, status, self.ctx.today())
        uow.audit("penalty.correction.approve", row.penalty_id,
                  {"correction_id": correction.correction_id, "from": row.amount_rupiah,
                   "to": correction.new_amount_rupiah, "status": status,
                   "requested_by": correction.requested_by}, correction.reason)
        uow.emit(topic_of("contributions"), events_pb2.PenaltyCorrected(
            penalty_id=row.penalty_id, correction_id=correction.correction_id, npp=row.npp,
            bill_number=row.bill_number, branch_code=row.branch_code, previous_amount=from_rupiah(row.amount_rupiah),
            amount=from_rupiah(correction.new_amount_rupiah), waived=correction.waive,
            requested_by=correction.requested_by, approved_by=user),
            aggregate_type="employer", aggregate_id=row.npp, branch_code=row.branch_code)
        return repo.with_corrections([row.penalty_id])[0]

    def reject_correction(self, uow: UnitOfWork, scope: BranchScope,
                          command: RejectPenaltyCorrection) -> PenaltyCorrection:
        """O-4: the branch head who would approve refuses instead, with a reason; the
        requester cannot decide on their own correction either way."""
        repo = PenaltyRepository(uow.session, scope)
        correction = repo.correction_for_change(command.correction_id)
        row = repo.writable(correction.penalty_id)
        if correction.status != PENDING:
            raise RuleViolation("C-7", f"correction {correction.correction_id} is {correction.status}, not pending",
                                code="CORRECTION_NOT_PENDING")
        require_second_person(correction.requested_by, scope.principal.user_id, "penalty correction")
        rejected = repo.reject(correction, scope.principal.user_id, command.reason)
        uow.audit("penalty.correction.reject", row.penalty_id,
                  {"correction_id": correction.correction_id, "requested_by": correction.requested_by}, command.reason)
        return rejected


def _refuse_below_paid(penalty, new_amount: int) -> None:
    """C-7: a penalty is not corrected below what the employer has already paid of it; that
    money would have to be refunded or credited first, which is not a correction's to do."""
    if new_amount < penalty.paid_rupiah:
        raise RuleViolation("C-7", f"Rp{penalty.paid_rupiah:,} of this penalty is paid already; it cannot be "
                                   f"corrected to Rp{new_amount:,}", code="PENALTY_PAID_BEYOND_CORRECTION")


def build(ctx: ContributionsContext) -> PenaltyUseCases:
    return PenaltyUseCases(ctx)
