"""SubmitClaim: a member of the read model opens a claim at the branch the member belongs to
(M-4, B-JHT-1, B-JKK-1, B-JK-1). Unknown KPJ and another branch's member are NotFound alike."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.benefits.adapters.claim_repository import ClaimRepository, Letter
from services.benefits.adapters.read_model_store import MemberRepository, ReadModelStore
from services.benefits.application.claim_events import claim_submitted, emit_claim
from services.benefits.application.rule_book import tables_of
from services.benefits.domain.claim_assessment import require_jpk_claim_in_time
from services.benefits.domain.claim_details import JpkDetails
from services.benefits.domain.claim_submission import NewClaim, duplicate_of, open_claim
from services.benefits.domain.claims import Actor, Claim
from services.chassis.errors import AlreadyExists
from services.chassis.ids import uuid7
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ClaimView:
    """A claim as answered: the claim and its confirmation letters."""

    claim: Claim
    letters: tuple[Letter, ...] = ()


def actor_of(scope: BranchScope) -> Actor:
    return Actor(scope.principal.user_id, scope.principal.office_code)


def now() -> datetime:
    return datetime.now(UTC)


class ClaimSubmission:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def submit(self, uow: UnitOfWork, scope: BranchScope, kpj: str, command: NewClaim) -> ClaimView:
        member = MemberRepository(uow.session, scope).for_change(kpj)  # O-2: another branch's member is NotFound
        claims = ClaimRepository(uow.session, scope)
        tables = tables_of(uow.session)
        claim = open_claim(uuid7(), command, member, today=self.ctx.today(), now=now(), actor=actor_of(scope),
                           tables=tables)
        if isinstance(claim.details, JpkDetails):  # B-JPK-6 on the employer's standing history
            store = ReadModelStore(uow.session)
            require_jpk_claim_in_time(claim.details, claim.claimed_on,
                                      store.in_arrears_on(claim.npp, claim.details.care_date),
                                      store.arrears_paid_off_on(claim.npp, claim.claimed_on), tables)
        earlier = duplicate_of(claim, claims.of_member_everywhere(kpj, claim.program))
        if earlier is not None:
            raise AlreadyExists("claim", kpj, f"KPJ {kpj} already has a {claim.program.value} claim for this "
                                              f"({earlier.state.value})")
        claims.add(claim)
        emit_claim(uow, claim, claim_submitted(claim))
        uow.audit("claim.submit", claim.claim_id, {"kpj": kpj, "program": claim.program.value, "reason": claim.reason,
                                                   "branch_code": claim.branch_code})
        uow.count(f"claim_submitted_{claim.program.value.lower()}")
        return ClaimView(claim)
