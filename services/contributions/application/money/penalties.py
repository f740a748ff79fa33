"""Penalty use cases: read penalties (C-6) and correct them with a second person (O-4).

An administration officer requests a correction (a new amount or a waiver) with a reason;
a branch head who is not the requester approves it (O-4: no one approves their own work),
publishing PenaltyCorrected, or rejects it with a reason.
Both steps are audited with the reason. One correction may wait per penalty (C-7: the
penalty correction, koreksi denda, is part of reconciliation).
"""
from __future__ import annotations

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import events_pb2, penalties_pb2
from services.chassis.config import topic_of
from services.chassis.context import current_principal
from services.chassis.convert import decode_page_token, encode_page_token, from_rupiah, page_size, to_rupiah
from services.chassis.errors import InvalidArgument, RuleViolation
from services.chassis.ids import uuid7
from services.chassis.roles import require_second_person
from services.contributions.adapters.penalty_repository import CORRECTED, PENDING, WAIVED, PenaltyRepository
from services.contributions.application.context import ContributionsContext
from services.contributions.application.money.mapping import correction_to_proto, penalties_to_proto
from services.contributions.domain.roles import ContributionsAction


class PenaltyUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, request: penalties_pb2.GetPenaltyRequest) -> penalties_pb2.GetPenaltyResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            repo = PenaltyRepository(session, scope)
            penalty = repo.readable(request.penalty_id)
            found = penalties_to_proto(repo.with_corrections([penalty.penalty_id]))
        return penalties_pb2.GetPenaltyResponse(penalty=found[0])

    def list(self, request: penalties_pb2.ListPenaltiesRequest) -> penalties_pb2.ListPenaltiesResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            repo = PenaltyRepository(session, scope)
            repo.require_listable(request.branch_code)
            after = (decode_page_token(request.page.page_token) or {}).get("after")
            size = page_size(request.page)
            ids = repo.page_ids(branch_code=request.branch_code, npp=request.npp, before=after, limit=size + 1)
            found = penalties_to_proto(repo.with_corrections(ids[:size]))
        token = encode_page_token({"after": ids[size - 1]}) if len(ids) > size else ""
        return penalties_pb2.ListPenaltiesResponse(penalties=found, page=types_pb2.PageResponse(next_page_token=token))

    def request_correction(self, request: penalties_pb2.RequestPenaltyCorrectionRequest
                           ) -> penalties_pb2.RequestPenaltyCorrectionResponse:
        """O-3: the administration officer proposes a corrected amount or a waiver, with a reason."""
        scope = self.ctx.authorise(ContributionsAction.REQUEST_PENALTY_CORRECTION)
        reason = request.reason.strip()
        change = request.WhichOneof("change")
        if not reason:
            raise InvalidArgument.field("reason", "required: why the penalty is wrong")
        if change is None:
            raise InvalidArgument.field("change", "give new_amount or waive")
        waive = change == "waive" and request.waive
        new_amount = 0 if change == "waive" else to_rupiah(request, "new_amount")
        if new_amount < 0:
            raise InvalidArgument.field("new_amount", "cannot be negative")
        if change == "waive" and not request.waive:
            raise InvalidArgument.field("waive", "must be true when given")
        user = current_principal().user_id

        def use_case(uow):
            repo = PenaltyRepository(uow.session, scope)
            row = repo.writable(request.penalty_id)
            pending = repo.pending_correction(row.penalty_id)
            if pending is not None:
                raise RuleViolation("C-7", f"correction {pending} of this penalty is waiting for approval")
            if new_amount == row.amount_rupiah:
                raise InvalidArgument.field("new_amount", "equals the current amount: nothing to correct")
            _refuse_below_paid(row, new_amount)
            stored = repo.add_correction(correction_id=uuid7(), penalty_id=row.penalty_id, new_amount_rupiah=new_amount,
                                         waive=waive, reason=reason, requested_by=user)
            uow.audit("penalty.correction.request", row.penalty_id,
                      {"correction_id": stored.correction_id, "from": row.amount_rupiah, "to": new_amount,
                       "waive": waive}, reason)
            return penalties_pb2.RequestPenaltyCorrectionResponse(correction=correction_to_proto(stored))

        return self.ctx.base.mutate("PenaltyService/RequestPenaltyCorrection", request,
                                    penalties_pb2.RequestPenaltyCorrectionResponse, use_case)

    def approve_correction(self, request: penalties_pb2.ApprovePenaltyCorrectionRequest
                           ) -> penalties_pb2.ApprovePenaltyCorrectionResponse:
        """O-4: a branch head approves a correction someone else requested; it then applies."""
        scope = self.ctx.authorise(ContributionsAction.APPROVE_PENALTY_CORRECTION)
        user = current_principal().user_id

        def use_case(uow):
            repo = PenaltyRepository(uow.session, scope)
            correction = repo.correction_for_change(request.correction_id)
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
            return penalties_pb2.ApprovePenaltyCorrectionResponse(
                penalty=penalties_to_proto(repo.with_corrections([row.penalty_id]))[0])

        return self.ctx.base.mutation(request, penalties_pb2.ApprovePenaltyCorrectionResponse, use_case)

    def reject_correction(self, request: penalties_pb2.RejectPenaltyCorrectionRequest
                          ) -> penalties_pb2.RejectPenaltyCorrectionResponse:
        """O-4: the branch head who would approve refuses instead, with a reason; the
        requester cannot decide on their own correction either way."""
        scope = self.ctx.authorise(ContributionsAction.REJECT_PENALTY_CORRECTION)
        reason = request.reason.strip()
        if not reason:
            raise InvalidArgument.field("reason", "required: why the correction is refused")
        user = current_principal().user_id

        def use_case(uow):
            repo = PenaltyRepository(uow.session, scope)
            correction = repo.correction_for_change(request.correction_id)
            row = repo.writable(correction.penalty_id)
            if correction.status != PENDING:
                raise RuleViolation("C-7", f"correction {correction.correction_id} is {correction.status}, not pending",
                                    code="CORRECTION_NOT_PENDING")
            require_second_person(correction.requested_by, user, "penalty correction")
            rejected = repo.reject(correction, user, reason)
            uow.audit("penalty.correction.reject", row.penalty_id,
                      {"correction_id": correction.correction_id, "requested_by": correction.requested_by}, reason)
            return penalties_pb2.RejectPenaltyCorrectionResponse(correction=correction_to_proto(rejected))

        return self.ctx.base.mutation(request, penalties_pb2.RejectPenaltyCorrectionResponse, use_case)


def _refuse_below_paid(penalty, new_amount: int) -> None:
    """C-7: a penalty is not corrected below what the employer has already paid of it; that
    money would have to be refunded or credited first, which is not a correction's to do."""
    if new_amount < penalty.paid_rupiah:
        raise RuleViolation("C-7", f"Rp{penalty.paid_rupiah:,} of this penalty is paid already; it cannot be "
                                   f"corrected to Rp{new_amount:,}", code="PENALTY_PAID_BEYOND_CORRECTION")


def build(ctx: ContributionsContext) -> PenaltyUseCases:
    return PenaltyUseCases(ctx)
