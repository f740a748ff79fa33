"""Standing use cases (C-8): GetStanding, RecomputeStanding, ListArrears.

Each takes the caller's scope (authorised by the entrypoint, O-3) and a command
(`money.standing_commands`) and returns a result; the entrypoint maps proto to command and
back. RecomputeStanding walks the branch in batches of employers, each its own transaction
(`money.batched_runs`): a run cut off half-way resumes, when the request is sent again,
after the last batch it committed, as of the day it started.
"""
from __future__ import annotations

from collections.abc import Callable

from services.chassis.errors import InvalidArgument, NotFound
from services.chassis.metrics import BUSINESS_EVENTS
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import money_bills
from services.contributions.adapters.employer_repository import EmployerRepository
from services.contributions.adapters.run_progress import RunProgress, RunProgressStore
from services.contributions.adapters.standing_repository import StandingRepository, StandingStore
from services.contributions.application.context import ContributionsContext
from services.contributions.application.money.batched_runs import BatchDone, BatchedRun, RunOutcome, run_in_batches
from services.contributions.application.money.standing_commands import (
    ArrearsPage, GetStanding, GetStandingRun, ListArrears, Recomputed, RecomputeStanding,
)
from services.contributions.application.money.standing_state import StandingView, compute_standing, recompute_standing

RUN_KIND = "STANDING"


class StandingUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        # Sees the run's progress after each committed batch (a log line, a test's fault).
        self.after_batch: Callable[[RunProgress], None] = lambda progress: None

    def get_standing(self, scope: BranchScope, command: GetStanding) -> StandingView:
        as_of = command.as_of or self.ctx.today()
        with self.ctx.base.read_session() as session:
            facts = EmployerRepository(session, scope).readable(command.npp, key=command.npp)
            return compute_standing(session, facts, as_of)

    def recompute(self, scope: BranchScope, command: RecomputeStanding) -> RunOutcome:
        """C-8: recompute a branch's employers (or one) as of today, batch by batch;
        StandingChanged only on change. The scope may change the branch (entrypoint)."""
        branch, npp = command.branch_code, command.npp
        if npp is not None:
            with self.ctx.base.read_session() as session:
                facts = EmployerRepository(session, scope).readable(npp, key=npp)
            if facts.branch_code != branch:
                raise InvalidArgument.field("npp", f"employer {npp} is not of branch {branch}")

        def next_keys(session, progress: RunProgress, limit: int) -> list[str]:
            if npp is not None:
                return [npp] if progress.last_key is None else []
            return StandingStore(session).employers_after(branch, progress.last_key, limit)

        def do_batch(uow: UnitOfWork, progress: RunProgress, npps: list[str]) -> BatchDone:
            assert progress.as_of is not None  # set when the run started
            changed = [n for n in npps if (outcome := recompute_standing(uow, n, progress.as_of)) and outcome[1]]
            return BatchDone(changed=len(changed), items=changed)

        run = BatchedRun(
            run_id=f"{RUN_KIND}/{command.run_key}", kind=RUN_KIND, request_fingerprint=command.request_fingerprint,
            count_items=lambda session: 1 if npp is not None else StandingStore(session).count_employers(branch),
            next_keys=next_keys, do_batch=do_batch, start_values={"as_of": self.ctx.today()})
        return run_in_batches(self.ctx.base, run, self.ctx.run_batch_size, self.after_batch)

    def answer_recompute(self, uow: UnitOfWork, run: RunOutcome) -> Recomputed:
        """The run's answer (stored once per request id by the entrypoint's mutation): the
        employers it changed, with their standing as of the run's day."""
        session, as_of = uow.session, run.progress.as_of
        assert as_of is not None
        changed = []
        for npp in RunProgressStore(session).items(run.progress.run_id):
            facts = money_bills.employer(session, npp)
            if facts is not None:
                changed.append(compute_standing(session, facts, as_of))
        uow.after_commit(lambda: BUSINESS_EVENTS.labels("contributions", "standing_recomputed").inc())
        return Recomputed(run.progress.items_done, tuple(changed), run)

    def get_run(self, scope: BranchScope, command: GetStandingRun) -> RunProgress:
        """The caller's own run (its key is the caller's): another caller's is NotFound."""
        with self.ctx.base.read_session() as session:
            progress = RunProgressStore(session).get(f"{RUN_KIND}/{command.run_key}")  # type: ignore[arg-type]
        if progress is None:
            raise NotFound("standing run", command.request_id)
        return progress

    def list_arrears(self, scope: BranchScope, command: ListArrears) -> ArrearsPage:
        """C-8: employers of a branch with overdue open bills, by NPP, computed live."""
        as_of = command.as_of or self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = StandingRepository(session, scope)
            repo.require_listable(command.branch_code)
            npps = repo.employers_in_arrears(command.branch_code, as_of, command.after_npp, command.size + 1)
            views = []
            for npp in npps[:command.size]:
                facts = money_bills.employer(session, npp)
                assert facts is not None  # it has bills
                views.append(compute_standing(session, facts, as_of))
        more = len(npps) > command.size
        return ArrearsPage(tuple(views), npps[command.size - 1] if more else None)


def build(ctx: ContributionsContext) -> StandingUseCases:
    return StandingUseCases(ctx)
