"""Starting a billing run and reporting its progress (C-5, O-2, O-3).

A run bills one period for one branch (its administration officer) or for every branch
(the head office). It is split into one job per branch; the jobs are published on the
billing-jobs topic for any replica to take, or billed inline when this process runs no
consumers. Asking again for a period whose run is unfinished resumes that run; asking
after it completed starts a new run that bills only employers still without the
period's bill (late registrations), so nothing is ever billed twice.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, UTC

from jamsos.contributions.v1 import billing_pb2
from services.chassis.context import HEAD, current_principal
from services.chassis.convert import from_period, to_period
from services.chassis.errors import InvalidArgument, PermissionDenied
from services.contributions.adapters import billing_facts
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.adapters.billing_run_repository import BillingJobStore, BillingRunRepository
from services.contributions.application.billing import jobs
from services.contributions.application.billing.mapping import ALL_BRANCHES, run_to_proto, run_to_proto_filtered
from services.chassis.roles import Role, known_roles
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import rules_for_period


WATCH_INTERVAL_SECONDS = 0.25  # WatchBillingRun polls the run's jobs this often


class BillingRuns:
    def __init__(self, ctx: ContributionsContext, inline: bool, inline_workers: int = 1):
        self.ctx = ctx
        self.inline = inline
        self.inline_workers = inline_workers
        self.chunk_size = jobs.CHUNK_SIZE  # employers per transaction on the inline path

    def start(self, request: billing_pb2.StartBillingRunRequest) -> billing_pb2.StartBillingRunResponse:
        branch = request.branch_code.strip()
        self._authorise_start(branch)  # before the request is read: a caller without the role learns nothing
        period = Period(*to_period(request, "period"))
        if period > Period.of(self.ctx.today()):
            raise InvalidArgument.field("period", f"{period} is in the future: a period is billed once it has begun")
        scope = branch or ALL_BRANCHES
        with self.ctx.base.read_session() as session:  # C-5: refuse a period no rule version covers
            rules_for_period(RuleRepository(session).load_contribution_rules(), period.year, period.month)

        def use_case(uow):
            run_id = self._unfinished_run(uow.session, period, scope)
            if run_id is None:
                run_id = self._create_run(uow, period, scope, branch)
            elif not self.inline:
                self._publish_jobs(uow, run_id, period, jobs.unfinished_jobs(uow.session, run_id))
            uow.audit("billing.start_run", run_id, {"period": str(period), "scope": scope})
            return billing_pb2.StartBillingRunResponse(run=self._progress(uow.session, run_id))

        response = self.ctx.base.mutate("BillingService/StartBillingRun", request, billing_pb2.StartBillingRunResponse, use_case)
        if self.inline:
            jobs.run_jobs_inline(self.ctx.base.unit_of_work, response.run.run_id, workers=self.inline_workers,
                                 chunk_size=self.chunk_size, today=self.ctx.today())
            with self.ctx.base.read_session() as session:
                response = billing_pb2.StartBillingRunResponse(run=self._progress(session, response.run.run_id))
        return response

    def get(self, request: billing_pb2.GetBillingRunRequest) -> billing_pb2.GetBillingRunResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            # Of a run over every branch, the caller sees the jobs of the branches it reads (O-2).
            progress = BillingRunRepository(session, scope).visible_progress(request.run_id)
        run = run_to_proto(progress.run, progress.jobs)
        if len(progress.visible_jobs) != len(progress.jobs):
            run = run_to_proto_filtered(run, progress.visible_jobs)
        return billing_pb2.GetBillingRunResponse(run=run)

    def watch(self, request: billing_pb2.WatchBillingRunRequest, is_active: Callable[[], bool],
              interval: float = WATCH_INTERVAL_SECONDS) -> Iterator[billing_pb2.WatchBillingRunResponse]:
        """The run now, then each time it moves (polled every `interval` seconds), ending
        once it is COMPLETED or the client has gone (deadline passed or cancelled)."""
        self.ctx.authorise_read()
        if not request.run_id.strip():
            raise InvalidArgument.field("run_id", "required")
        last = None
        while True:
            run = self.get(billing_pb2.GetBillingRunRequest(run_id=request.run_id.strip())).run
            if run != last:
                yield billing_pb2.WatchBillingRunResponse(run=run)
                last = run
            if run.status == billing_pb2.BILLING_RUN_STATUS_COMPLETED or not is_active():
                return
            time.sleep(interval)
            if not is_active():
                return

    def _authorise_start(self, branch: str) -> None:
        """O-3: administration officers; O-2: a branch's own run, or the head office for all."""
        self.ctx.authorise(ContributionsAction.START_BILLING_RUN)
        principal = current_principal()
        if principal.is_service:
            return
        if branch:
            if Role.ADMINISTRATION_OFFICER not in known_roles(principal.roles):
                raise PermissionDenied("O-3: a branch billing run is the branch administration officer's")
            self.ctx.authorise_on_branch(ContributionsAction.START_BILLING_RUN, branch, "billing run")
        elif principal.office_level != HEAD:
            raise PermissionDenied("O-2: only the head office bills every branch at once")

    @staticmethod
    def _unfinished_run(session, period: Period, scope: str) -> str | None:
        return BillingJobStore(session).unfinished_run(period, scope)

    def _create_run(self, uow, period: Period, scope: str, branch: str) -> str:
        session, now = uow.session, datetime.now(UTC)
        store = BillingJobStore(session)
        run_id = str(uuid.uuid4())
        branches = [branch] if branch else store.branches_with_employers()
        store.add_run(run_id=run_id, period=period, scope=scope, status=jobs.PENDING if branches else jobs.COMPLETED,
                      requested_by=current_principal().user_id, created_at=now, completed_at=None if branches else now)
        if branches:
            store.add_jobs(run_id, {b: billing_facts.count_employers(session, b) for b in branches}, now)
            if not self.inline:
                self._publish_jobs(uow, run_id, period, branches)
        return run_id

    @staticmethod
    def _publish_jobs(uow, run_id: str, period: Period, branches: list[str]) -> None:
        for branch in branches:
            uow.emit(jobs.BILLING_JOBS_TOPIC, billing_pb2.BillingJobRequested(
                run_id=run_id, branch_code=branch, period=from_period(period.year, period.month),
            ), aggregate_type="billing_job", aggregate_id=f"{run_id}/{branch}", branch_code=branch)

    @staticmethod
    def _progress(session, run_id: str) -> billing_pb2.BillingRun:
        return run_to_proto(*BillingJobStore(session).progress(run_id))
