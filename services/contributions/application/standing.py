"""Standing use cases (C-8): GetStanding, RecomputeStanding, ListArrears."""
from __future__ import annotations

from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import standing_pb2
from services.chassis.convert import decode_page_token, encode_page_token, page_size, to_date
from services.chassis.errors import InvalidArgument, NotFound
from services.chassis.metrics import BUSINESS_EVENTS
from services.chassis.scope import BranchScope
from services.contributions.adapters import money_bills
from services.contributions.adapters.money_tables import employer_standing
from services.contributions.adapters.tables import bills
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.application.standing_state import compute_standing, recompute_standing, standing_to_proto



class StandingUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get_standing(self, request: standing_pb2.GetStandingRequest) -> standing_pb2.GetStandingResponse:
        scope = self.ctx.authorise_read()
        as_of = to_date(request, "as_of", required=False) or self.ctx.today()
        with self.ctx.base.read_session() as session:
            facts = _known_employer(session, request.npp, scope)
            view = compute_standing(session, facts, as_of)
        return standing_pb2.GetStandingResponse(standing=standing_to_proto(view))

    def recompute(self, request: standing_pb2.RecomputeStandingRequest) -> standing_pb2.RecomputeStandingResponse:
        """C-8: recompute a branch's employers (or one) as of today; StandingChanged only on change."""
        scope = self.ctx.authorise(ContributionsAction.RECOMPUTE_STANDING)
        branch = _required(request.branch_code, "branch_code")
        scope.require_write(branch, "standing")
        today = self.ctx.today()

        def use_case(uow):
            if request.npp:
                facts = _known_employer(uow.session, request.npp, scope)
                if facts.branch_code != branch:
                    raise InvalidArgument.field("npp", f"employer {request.npp} is not of branch {branch}")
                npps = [request.npp]
            else:
                npps = sorted(set(money_bills.employers_with_bills(uow.session, branch)) | set(
                    uow.session.execute(select(employer_standing.c.npp)
                                        .where(employer_standing.c.branch_code == branch)).scalars()))
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
        scope.require_read(branch, "arrears")
        as_of = to_date(request, "as_of", required=False) or self.ctx.today()
        size = page_size(request.page)
        after = (decode_page_token(request.page.page_token) or {}).get("npp", "")
        with self.ctx.base.read_session() as session:
            npps = list(session.execute(
                select(bills.c.npp).where(bills.c.branch_code == branch, bills.c.status == money_bills.OPEN,
                                          bills.c.due_date < as_of, bills.c.total_rupiah > bills.c.paid_rupiah,
                                          bills.c.npp > after)
                .distinct().order_by(bills.c.npp).limit(size + 1)).scalars())
            views = [compute_standing(session, money_bills.employer(session, npp), as_of) for npp in npps[:size]]
        token = encode_page_token({"npp": npps[size - 1]}) if len(npps) > size else ""
        return standing_pb2.ListArrearsResponse(employers=[standing_to_proto(v) for v in views],
                                                page=types_pb2.PageResponse(next_page_token=token))


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidArgument.field(field, "required")
    return value.strip()


def _known_employer(session, npp: str, scope: BranchScope) -> money_bills.EmployerFacts:
    facts = money_bills.employer(session, _required(npp, "npp"))
    if facts is None:
        raise NotFound("employer", npp)
    scope.require_read_record(facts.branch_code, "employer", npp)
    return facts


def build(ctx: ContributionsContext) -> StandingUseCases:
    return StandingUseCases(ctx)
