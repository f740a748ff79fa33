"""Standing use cases (C-8): GetStanding, RecomputeStanding, ListArrears."""
from __future__ import annotations

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import standing_pb2
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_date
from services.chassis.errors import InvalidArgument
from services.chassis.metrics import BUSINESS_EVENTS
from services.contributions.adapters import money_bills
from services.contributions.adapters.employer_repository import EmployerRepository
from services.contributions.adapters.standing_repository import StandingRepository
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.application.money.mapping import standing_to_proto
from services.contributions.application.money.standing_state import compute_standing, recompute_standing


class StandingUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get_standing(self, request: standing_pb2.GetStandingRequest) -> standing_pb2.GetStandingResponse:
        scope = self.ctx.authorise_read()
        as_of = to_date(request, "as_of", required=False) or self.ctx.today()
        with self.ctx.base.read_session() as session:
            facts = EmployerRepository(session, scope).readable(_required(request.npp, "npp"), key=request.npp)
            view = compute_standing(session, facts, as_of)
        return standing_pb2.GetStandingResponse(standing=standing_to_proto(view))

    def recompute(self, request: standing_pb2.RecomputeStandingRequest) -> standing_pb2.RecomputeStandingResponse:
        """C-8: recompute a branch's employers (or one) as of today; StandingChanged only on change."""
        self.ctx.authorise(ContributionsAction.RECOMPUTE_STANDING)  # O-3 before the request is read
        branch = _required(request.branch_code, "branch_code")
        scope = self.ctx.authorise_on_branch(ContributionsAction.RECOMPUTE_STANDING, branch, "standing")
        today = self.ctx.today()

        def use_case(uow):
            repo = StandingRepository(uow.session, scope)
            if request.npp:
                facts = EmployerRepository(uow.session, scope).readable(_required(request.npp, "npp"), key=request.npp)
                if facts.branch_code != branch:
                    raise InvalidArgument.field("npp", f"employer {request.npp} is not of branch {branch}")
                npps = [request.npp]
            else:
                npps = repo.employers_to_recompute(branch)
            changed = []
            for npp in npps:
                outcome = recompute_standing(uow, npp, today)
                if outcome is not None and outcome[1]:
                    changed.append(standing_to_proto(outcome[0]))
            return standing_pb2.RecomputeStandingResponse(evaluated=len(npps), changed=changed)

        response = self.ctx.base.mutate("StandingService/RecomputeStanding", request,
                                        standing_pb2.RecomputeStandingResponse, use_case)
        BUSINESS_EVENTS.labels("contributions", "standing_recomputed").inc()
        return response

    def list_arrears(self, request: standing_pb2.ListArrearsRequest) -> standing_pb2.ListArrearsResponse:
        """C-8: employers of a branch with overdue open bills, by NPP, computed live."""
        scope = self.ctx.authorise_read()
        branch = _required(request.branch_code, "branch_code")
        with self.ctx.base.read_session() as session:
            repo = StandingRepository(session, scope)
            repo.require_listable(branch)
            as_of = to_date(request, "as_of", required=False) or self.ctx.today()
            size = page_size(request.page)
            after = (decode_page_token(request.page.page_token) or {}).get("npp", "")
            npps = repo.employers_in_arrears(branch, as_of, after, size + 1)
            views = [compute_standing(session, money_bills.employer(session, npp), as_of) for npp in npps[:size]]
        token = encode_page_token({"npp": npps[size - 1]}) if len(npps) > size else ""
        return standing_pb2.ListArrearsResponse(employers=[standing_to_proto(v) for v in views],
                                                page=types_pb2.PageResponse(next_page_token=token))


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidArgument.field(field, "required")
    return value.strip()


def build(ctx: ContributionsContext) -> StandingUseCases:
    return StandingUseCases(ctx)
