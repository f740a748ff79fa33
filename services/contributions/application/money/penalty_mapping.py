"""PenaltyService's requests as commands and its results as responses (penalties.proto);
the penalty and correction messages themselves are `money.mapping`'s."""
from __future__ import annotations

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import penalties_pb2 as pb
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_rupiah
from services.chassis.errors import InvalidArgument
from services.contributions.application.money import penalty_commands as c
from services.contributions.application.money.mapping import penalties_to_proto


def get_penalty(request: pb.GetPenaltyRequest) -> c.GetPenalty:
    return c.GetPenalty(request.penalty_id)


def list_penalties(request: pb.ListPenaltiesRequest) -> c.ListPenalties:
    after = (decode_page_token(request.page.page_token) or {}).get("after")
    return c.ListPenalties(request.branch_code, request.npp, after, page_size(request.page))


def page_to_proto(page: c.PenaltyPage) -> pb.ListPenaltiesResponse:
    token = encode_page_token({"after": page.next_before_id}) if page.next_before_id else ""
    return pb.ListPenaltiesResponse(penalties=penalties_to_proto(page.penalties),
                                    page=types_pb2.PageResponse(next_page_token=token))


def request_correction(request: pb.RequestPenaltyCorrectionRequest) -> c.RequestPenaltyCorrection:
    reason = request.reason.strip()
    change = request.WhichOneof("change")
    if not reason:
        raise InvalidArgument.field("reason", "required: why the penalty is wrong")
    if change is None:
        raise InvalidArgument.field("change", "give new_amount or waive")
    new_amount = 0 if change == "waive" else to_rupiah(request, "new_amount")
    if new_amount < 0:
        raise InvalidArgument.field("new_amount", "cannot be negative")
    if change == "waive" and not request.waive:
        raise InvalidArgument.field("waive", "must be true when given")
    return c.RequestPenaltyCorrection(request.penalty_id, new_amount, change == "waive", reason)


def approve_correction(request: pb.ApprovePenaltyCorrectionRequest) -> c.ApprovePenaltyCorrection:
    return c.ApprovePenaltyCorrection(request.correction_id)


def reject_correction(request: pb.RejectPenaltyCorrectionRequest) -> c.RejectPenaltyCorrection:
    reason = request.reason.strip()
    if not reason:
        raise InvalidArgument.field("reason", "required: why the correction is refused")
    return c.RejectPenaltyCorrection(request.correction_id, reason)
