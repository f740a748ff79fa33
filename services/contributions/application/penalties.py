"""Penalty use cases: read penalties (C-6) and correct them with a second person (O-4).

An administration officer requests a correction (a new amount or a waiver) with a reason;
a branch head who is not the requester approves it (O-4: no one approves their own work).
Both steps are audited with the reason. One correction may wait per penalty (C-7: the
penalty correction, koreksi denda, is part of reconciliation).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

from sqlalchemy import insert, select, update

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import penalties_pb2
from services.chassis.context import current_principal
from services.chassis.convert import (
    decode_page_token, encode_page_token, from_date, from_period, from_rupiah, page_size, to_rupiah,
)
from services.chassis.errors import InvalidArgument, NotFound, RuleViolation
from services.chassis.ids import uuid7
from services.contributions.adapters.money_tables import penalties, penalty_corrections
from services.chassis.roles import require_second_person
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.application.penalty_assessment import CORRECTED, WAIVED

PENDING, APPROVED = "PENDING", "APPROVED"
STATUS_TO_PROTO = {"ASSESSED": penalties_pb2.PENALTY_STATUS_ASSESSED, CORRECTED: penalties_pb2.PENALTY_STATUS_CORRECTED,
                   WAIVED: penalties_pb2.PENALTY_STATUS_WAIVED}
CORRECTION_TO_PROTO = {PENDING: penalties_pb2.PENALTY_CORRECTION_STATUS_PENDING,
                       APPROVED: penalties_pb2.PENALTY_CORRECTION_STATUS_APPROVED}


def correction_to_proto(r) -> penalties_pb2.PenaltyCorrection:
    return penalties_pb2.PenaltyCorrection(
        correction_id=r.correction_id, penalty_id=r.penalty_id, new_amount=from_rupiah(int(r.new_amount_rupiah)),
        waive=r.waive, reason=r.reason, status=CORRECTION_TO_PROTO[r.status], requested_by=r.requested_by,
        approved_by=r.approved_by or "")


def penalties_to_proto(session, penalty_ids: Sequence[str]) -> list[penalties_pb2.Penalty]:
    """The penalties in the order of `penalty_ids`, each with its corrections."""
    if not penalty_ids:
        return []
    rows = {r.penalty_id: r for r in session.execute(select(penalties).where(penalties.c.penalty_id.in_(penalty_ids)))}
    corrections: dict[str, list] = {}
    for c in session.execute(select(penalty_corrections).where(penalty_corrections.c.penalty_id.in_(penalty_ids))
                             .order_by(penalty_corrections.c.requested_at, penalty_corrections.c.correction_id)):
        corrections.setdefault(c.penalty_id, []).append(correction_to_proto(c))
    return [penalties_pb2.Penalty(
        penalty_id=r.penalty_id, bill_number=r.bill_number, npp=r.npp, branch_code=r.branch_code,
        period=from_period(r.period_year, r.period_month), late_contribution=from_rupiah(int(r.late_contribution_rupiah)),
        months_late=r.months_late, assessed_amount=from_rupiah(int(r.assessed_rupiah)),
        amount=from_rupiah(int(r.amount_rupiah)), status=STATUS_TO_PROTO[r.status], assessed_on=from_date(r.assessed_on),
        rule_source=r.rule_source, penalty_bp_per_month=r.penalty_bp_per_month, corrections=corrections.get(pid, []),
    ) for pid in penalty_ids if (r := rows.get(pid)) is not None]


class PenaltyUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, request: penalties_pb2.GetPenaltyRequest) -> penalties_pb2.GetPenaltyResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            row = _penalty(session, request.penalty_id)
            scope.require_read_record(row.branch_code, "penalty", row.penalty_id)
            return penalties_pb2.GetPenaltyResponse(penalty=penalties_to_proto(session, [row.penalty_id])[0])

    def list(self, request: penalties_pb2.ListPenaltiesRequest) -> penalties_pb2.ListPenaltiesResponse:
        scope = self.ctx.authorise_read()
        statement = scope.filter(select(penalties.c.penalty_id), penalties.c.branch_code)
        if request.branch_code:
            scope.require_read(request.branch_code, "penalties")
            statement = statement.where(penalties.c.branch_code == request.branch_code)
        if request.npp:
            statement = statement.where(penalties.c.npp == request.npp)
        after = (decode_page_token(request.page.page_token) or {}).get("after")
        if after:
            statement = statement.where(penalties.c.penalty_id < after)
        size = page_size(request.page)
        with self.ctx.base.read_session() as session:
            ids = list(session.execute(statement.order_by(penalties.c.penalty_id.desc()).limit(size + 1)).scalars())
            found = penalties_to_proto(session, ids[:size])
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
            row = _penalty(uow.session, request.penalty_id, lock=True)
            scope.require_write_record(row.branch_code, "penalty", row.penalty_id)
            pending = uow.session.execute(select(penalty_corrections.c.correction_id).where(
                penalty_corrections.c.penalty_id == row.penalty_id, penalty_corrections.c.status == PENDING)).first()
            if pending is not None:
                raise RuleViolation("C-7", f"correction {pending.correction_id} of this penalty is waiting for approval")
            if new_amount == int(row.amount_rupiah):
                raise InvalidArgument.field("new_amount", "equals the current amount: nothing to correct")
            values = dict(correction_id=uuid7(), penalty_id=row.penalty_id, new_amount_rupiah=new_amount, waive=waive,
                          reason=reason, status=PENDING, requested_by=user, requested_at=datetime.now(timezone.utc))
            uow.session.execute(insert(penalty_corrections).values(**values))
            uow.audit("penalty.correction.request", row.penalty_id,
                      {"correction_id": values["correction_id"], "from": int(row.amount_rupiah), "to": new_amount,
                       "waive": waive}, reason)
            stored = uow.session.execute(select(penalty_corrections).where(
                penalty_corrections.c.correction_id == values["correction_id"])).one()
            return penalties_pb2.RequestPenaltyCorrectionResponse(correction=correction_to_proto(stored))

        return self.ctx.base.mutate("PenaltyService/RequestPenaltyCorrection", request,
                                    penalties_pb2.RequestPenaltyCorrectionResponse, use_case)

    def approve_correction(self, request: penalties_pb2.ApprovePenaltyCorrectionRequest
                           ) -> penalties_pb2.ApprovePenaltyCorrectionResponse:
        """O-4: a branch head approves a correction someone else requested; it then applies."""
        scope = self.ctx.authorise(ContributionsAction.APPROVE_PENALTY_CORRECTION)
        user = current_principal().user_id

        def use_case(uow):
            session = uow.session
            correction = session.execute(select(penalty_corrections).where(
                penalty_corrections.c.correction_id == request.correction_id).with_for_update()).first()
            if correction is None:
                raise NotFound("penalty correction", request.correction_id)
            row = _penalty(session, correction.penalty_id, lock=True)
            scope.require_write_record(row.branch_code, "penalty", row.penalty_id)
            if correction.status != PENDING:
                raise RuleViolation("C-7", f"correction {correction.correction_id} is {correction.status}, not pending")
            require_second_person(correction.requested_by, user, "penalty correction")
            status = WAIVED if correction.waive else CORRECTED
            session.execute(update(penalty_corrections).where(
                penalty_corrections.c.correction_id == correction.correction_id).values(
                status=APPROVED, approved_by=user, approved_at=datetime.now(timezone.utc)))
            session.execute(update(penalties).where(penalties.c.penalty_id == row.penalty_id).values(
                amount_rupiah=int(correction.new_amount_rupiah), status=status))
            uow.audit("penalty.correction.approve", row.penalty_id,
                      {"correction_id": correction.correction_id, "from": int(row.amount_rupiah),
                       "to": int(correction.new_amount_rupiah), "status": status,
                       "requested_by": correction.requested_by}, correction.reason)
            return penalties_pb2.ApprovePenaltyCorrectionResponse(
                penalty=penalties_to_proto(session, [row.penalty_id])[0])

        return self.ctx.base.mutate("PenaltyService/ApprovePenaltyCorrection", request,
                                    penalties_pb2.ApprovePenaltyCorrectionResponse, use_case)


def _penalty(session, penalty_id: str, *, lock: bool = False):
    statement = select(penalties).where(penalties.c.penalty_id == penalty_id)
    row = session.execute(statement.with_for_update() if lock else statement).first()
    if row is None:
        raise NotFound("penalty", penalty_id)
    return row


def build(ctx: ContributionsContext) -> PenaltyUseCases:
    return PenaltyUseCases(ctx)
