"""gRPC servicer for ClaimService: authorise (O-3) before reading the request, decode to a
command, run the use case (a mutation once per request id, in one transaction), encode."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import Message

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import claims_pb2_grpc
from jamsos.common.v1 import types_pb2
from services.benefits.application.claims import ClaimUseCases
from services.benefits.application.claims_queries import ClaimPage, Page
from services.benefits.application.claims_submission import ClaimView
from services.benefits.domain.documents import parse_documents
from services.benefits.domain.roles import BenefitsAction as A
from services.benefits.entrypoints import claims_mapping as m
from services.chassis.convert import decode_page_token, encode_page_token, page_size
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork


def page_of(request) -> Page:
    return Page(page_size(request.page), decode_page_token(request.page.page_token))


def page_to_proto(found: ClaimPage) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_page_token=encode_page_token(found.next_cursor) if found.next_cursor else "")


class ClaimServicer(claims_pb2_grpc.ClaimServiceServicer):
    def __init__(self, use_cases: ClaimUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def _mutate(self, request: Message, response_cls: type, action: A, decode: Callable[[Any], Any],
                run: Callable[[UnitOfWork, BranchScope, Any], ClaimView]) -> Any:
        scope = self.ctx.authorise(action)
        command = decode(request)

        def use_case(uow: UnitOfWork) -> Message:
            view = run(uow, scope, command)
            return response_cls(claim=m.claim_to_proto(view.claim, self.ctx.today(), view.letters))

        return self.ctx.base.mutation(request, response_cls, use_case)

    def SubmitClaim(self, request, context):
        return self._mutate(request, pb.SubmitClaimResponse, A.SUBMIT_CLAIM, m.submit_command,
                            lambda uow, scope, c: self.uc.submission.submit(uow, scope, *c))

    def CheckDocuments(self, request, context):
        return self._mutate(request, pb.CheckDocumentsResponse, A.CHECK_DOCUMENTS,
                            lambda r: (m.require_claim_id(r), parse_documents(r.documents)),
                            lambda uow, scope, c: self.uc.workflow.check_documents(uow, scope, *c))

    def AssessClaim(self, request, context):
        return self._mutate(request, pb.AssessClaimResponse, A.ASSESS_CLAIM,
                            lambda r: (m.require_claim_id(r), m.jkk_findings(r)),
                            lambda uow, scope, c: self.uc.workflow.assess(uow, scope, *c))

    def ApproveClaim(self, request, context):
        return self._mutate(request, pb.ApproveClaimResponse, A.APPROVE_CLAIM, m.require_claim_id,
                            lambda uow, scope, claim_id: self.uc.approval.approve(uow, scope, claim_id))

    def RejectClaim(self, request, context):
        return self._mutate(request, pb.RejectClaimResponse, A.REJECT_CLAIM,
                            lambda r: (m.require_claim_id(r), r.rule_id, r.reason_code, r.reason),
                            lambda uow, scope, c: self.uc.workflow.reject(uow, scope, *c))

    def PutClaimOnHold(self, request, context):
        return self._mutate(request, pb.PutClaimOnHoldResponse, A.PUT_ON_HOLD,
                            lambda r: (m.require_claim_id(r), m.text(r, "letter_number"), m.text(r, "question")),
                            lambda uow, scope, c: self.uc.workflow.hold(uow, scope, *c))

    def AnswerConfirmationLetter(self, request, context):
        return self._mutate(request, pb.AnswerConfirmationLetterResponse, A.PUT_ON_HOLD,
                            lambda r: (m.require_claim_id(r), m.text(r, "letter_number"), m.text(r, "answer")),
                            lambda uow, scope, c: self.uc.workflow.answer(uow, scope, *c))

    def ReportAccident(self, request, context):
        return self._mutate(request, pb.ReportAccidentResponse, A.REPORT_ACCIDENT,
                            lambda r: (m.require_claim_id(r), *m.report_command(r)),
                            lambda uow, scope, c: self.uc.workflow.report_accident(uow, scope, *c))

    # ---- reads ---------------------------------------------------------------------------
    def GetClaim(self, request, context):
        scope = self.ctx.authorise(A.READ)
        view = self.uc.queries.get(scope, m.require_claim_id(request))
        return pb.GetClaimResponse(claim=m.claim_to_proto(view.claim, self.ctx.today(), view.letters))

    def ListClaims(self, request, context):
        scope = self.ctx.authorise(A.READ)
        state, program = m.list_filters(request)
        found = self.uc.queries.list(scope, page_of(request), branch_code=request.branch_code.strip() or None,
                                     state=state, program=program)
        return pb.ListClaimsResponse(claims=self._claims(found), page=page_to_proto(found))

    def ListWorkerClaims(self, request, context):
        scope = self.ctx.authorise(A.READ)
        found = self.uc.queries.list(scope, page_of(request), kpj=m.require_kpj(request))
        return pb.ListWorkerClaimsResponse(claims=self._claims(found), page=page_to_proto(found))

    def ListClaimsAtRisk(self, request, context):
        scope = self.ctx.authorise(A.READ)
        found = self.uc.queries.at_risk(scope, page_of(request), request.branch_code.strip() or None)
        return pb.ListClaimsAtRiskResponse(claims=self._claims(found), page=page_to_proto(found))

    def _claims(self, found: ClaimPage) -> list[pb.Claim]:
        today = self.ctx.today()
        return [m.claim_to_proto(claim, today) for claim in found.claims]


def register(server: grpc.Server, use_cases: ClaimUseCases) -> list[str]:
    claims_pb2_grpc.add_ClaimServiceServicer_to_server(ClaimServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["ClaimService"].full_name]
