"""Member cards (M-5, B-JPK-1): the KPJ card and the KPK health card.

- IssueCard (administration or service officer of the worker's branch, O-2, O-3) records
  an issuance: card number, type, holder, employer, date, issuing user. It is idempotent
  twice over: the same request id returns the stored answer, and a card already issued
  for the same employment (KPJ, type, employer NPP) is returned instead of a second one.
  A new employment (transfer) gets a new card, since the card shows the employer.
- A KPK is issued only to an active member enrolled in JPK (B-JPK-1); no card at all for
  a deceased member (M-8).
- DownloadCard renders the latest issued card on demand as PNG (default) or PDF, for
  anyone who may read the worker (O-2). A worker with no card of that type is NOT_FOUND:
  a download is a read, so it never issues a card by itself (an auditor's download must
  not change anything, O-3).
"""
from __future__ import annotations

from jamsos.membership.v1 import cards_pb2
from services.chassis.convert import from_date
from services.chassis.errors import InvalidArgument, NotFound, RuleViolation
from services.chassis.unit_of_work import UnitOfWork
from services.membership.adapters.card_rendering import CardView, mask_nik, render_pdf, render_png
from services.membership.adapters.card_repository import CardRepository, IssuedCard, card_number
from services.membership.adapters.worker_repository import PROGRAM_ORDER, WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.domain.numbers import validate_kpj
from services.membership.domain.roles import MembershipAction
from services.membership.domain.workers import Program, Worker, WorkerStatus

CARD_TYPES = {cards_pb2.CARD_TYPE_KPJ: "KPJ", cards_pb2.CARD_TYPE_KPK: "KPK"}
CARD_TYPE_TO_PROTO = {v: k for k, v in CARD_TYPES.items()}
FORMATS = {
    cards_pb2.CARD_FORMAT_UNSPECIFIED: ("png", "image/png", render_png),
    cards_pb2.CARD_FORMAT_PNG: ("png", "image/png", render_png),
    cards_pb2.CARD_FORMAT_PDF: ("pdf", "application/pdf", render_pdf),
}


def _card_type(value: int) -> str:
    if value not in CARD_TYPES:
        raise InvalidArgument.field("card_type", "is required: CARD_TYPE_KPJ or CARD_TYPE_KPK")
    return CARD_TYPES[value]


def card_to_proto(card: IssuedCard) -> cards_pb2.Card:
    return cards_pb2.Card(
        card_number=card.card_number, card_type=CARD_TYPE_TO_PROTO[card.card_type], kpj=card.kpj,
        holder_name=card.holder_name, issued_on=from_date(card.issued_on), issued_by=card.issued_by,
        npp=card.npp, branch_code=card.branch_code,
    )


def check_eligible(worker: Worker, card_type: str) -> None:
    """M-8: no card for a deceased member; B-JPK-1: a KPK only for an active JPK member."""
    if worker.status is WorkerStatus.DECEASED:
        raise RuleViolation("M-8", f"KPJ {worker.kpj} is recorded deceased on {worker.death_date}: no card is issued")
    if card_type == "KPK":
        if Program.JPK not in worker.programs:
            raise RuleViolation("B-JPK-1", f"KPJ {worker.kpj} is not enrolled in JPK: no health card (KPK)")
        if not worker.is_active:
            raise RuleViolation("B-JPK-1", f"KPJ {worker.kpj} is {worker.status.value}: JPK coverage ended with "
                                           f"the employment, no health card (KPK)")


class CardUseCases:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def issue(self, request: cards_pb2.IssueCardRequest) -> cards_pb2.IssueCardResponse:
        scope = self.ctx.authorise(MembershipAction.ISSUE_CARD)
        card_type = _card_type(request.card_type)
        kpj = validate_kpj(request.kpj)
        with self.ctx.base.read_session() as session:
            WorkerRepository(session, scope).writable(kpj, lock=False)
        today = self.ctx.today()

        def use_case(uow: UnitOfWork) -> cards_pb2.IssueCardResponse:
            worker = WorkerRepository(uow.session, scope).writable(kpj)
            check_eligible(worker, card_type)
            cards = CardRepository(uow.session)
            card = cards.for_employment(kpj, card_type, worker.employer_npp)
            if card is None:
                card = IssuedCard(
                    card_number=card_number(card_type, kpj, cards.count(kpj, card_type) + 1), card_type=card_type,
                    kpj=kpj, holder_name=worker.name, npp=worker.employer_npp, branch_code=worker.branch_code,
                    issued_on=today, issued_by=scope.principal.user_id,
                )
                cards.add(card)
                uow.audit("card.issue", kpj, {"card_number": card.card_number, "card_type": card_type})
                uow.count("card_issued")
            return cards_pb2.IssueCardResponse(card=card_to_proto(card))

        return self.ctx.base.mutation(request, cards_pb2.IssueCardResponse, use_case)

    def download(self, request: cards_pb2.DownloadCardRequest) -> cards_pb2.DownloadCardResponse:
        scope = self.ctx.authorise(MembershipAction.READ)
        card_type = _card_type(request.card_type)
        kpj = validate_kpj(request.kpj)
        if request.format not in FORMATS:
            raise InvalidArgument.field("format", f"{request.format} is not a known format: PNG or PDF")
        extension, media_type, render = FORMATS[request.format]
        with self.ctx.base.read_session() as session:
            worker = WorkerRepository(session, scope).readable(kpj)
            card = CardRepository(session).latest(kpj, card_type)
        if card is None:
            raise NotFound("card", f"{card_type} card of KPJ {kpj} (issue it first)")
        view = CardView(
            card_type=card_type, card_number=card.card_number, holder_name=card.holder_name, kpj=kpj,
            nik_masked=mask_nik(worker.nik), npp=card.npp,
            programs=tuple(p.value for p in PROGRAM_ORDER if p in worker.programs), issued_on=card.issued_on,
        )
        return cards_pb2.DownloadCardResponse(
            card=card_to_proto(card), content=render(view), media_type=media_type,
            filename=f"{card.card_number.lower()}.{extension}",
        )


def build(ctx: MembershipContext) -> CardUseCases:
    return CardUseCases(ctx)
