"""Starting a billing run and reporting its progress (C-5, O-2, O-3).

A run bills one period for one branch (its administration officer) or for every branch
(the head office). It is split into one job per branch, written as rows in the run's
transaction: the job workers of any replica claim them from the database (this
process's are woken at once), or they are billed inline when this process runs no job
workers. Asking again for a period whose run is unfinished resumes that run; asking
after it completed starts a new run that bills only employers still without the
period's bill (late registrations), so nothing is ever billed twice.

A run records how far the read model had applied membership's events when it started
(per partition of membership's topic), and GetBillingRun reports it. A caller that has just
changed membership can ask the run to wait until the read model has applied up to the
positions membership reports for its events (`wait_for`), for a bounded time: past it the
run is refused (C-5, READ_MODEL_BEHIND), never started on stale data. The wait happens
before the run's transaction, which holds no lock meanwhile.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, UTC

from jamsos.contributions.v1 import billing_pb2
from services.chassis.config import topic_of
from services.chassis.context import HEAD, current_principal
from services.chassis.convert import to_period
from services.chassis.errors import InvalidArgument, PermissionDenied, RuleViolation, Violations
from services.contributions.adapters.read_model_store import read_model_queries
from services.contributions.adapters import billing_facts
from services.contributions.adapters.rule_repository import RuleRepository
from services.contributions.adapters.billing_run_repository import BillingJobStore, BillingRunRepository
from services.contributions.application.billing import jobs
from services.contributions.application.billing.job_workers import BillingJobWorkers
from services.contributions.application.billing.mapping import ALL_BRANCHES, run_to_proto, run_to_proto_filtered
from services.chassis.roles import Role, known_roles
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import rules_for_period


WATCH_INTERVAL_SECONDS = 0.25  # WatchBillingRun polls the run's jobs this often
# StartBillingRun's wait for the read model (`wait_for`): the default and the most a caller
# may ask (under a client's usual call deadline), and how often it looks again.
DEFAULT_WAIT_SECONDS = 5
MAX_WAIT_SECONDS = 20
WAIT_POLL_SECONDS = 0.1
SOURCE_TOPIC = topic_of("membership")  # what the read model replicates
Positions = dict[tuple[str, int], int]


class BillingRuns:
    def __init__(self, ctx: ContributionsContext, inline: bool, inline_workers: int = 1,
                 workers: BillingJobWorkers | None = None):
        self.ctx = ctx
        self.inline = inline  # BILLING_JOBS_INLINE: inline even with job workers running
        self.inline_workers = inline_workers
        self.workers = workers
        self.chunk_size = jobs.CHUNK_SIZE  # employers per transaction on the inline path

    @property
    def bills_inline(self) -> bool:
        """Inline when asked to, or when no job worker of this process would take the jobs."""
        return self.inline or self.workers is None or not self.workers.running

    def start(self, request: billing_pb2.StartBillingRunRequest) -> billing_pb2.StartBillingRunResponse:
        branch = request.branch_code.strip()
        self._authorise_start(branch)  # before the request is read: a caller without the role learns nothing
        period = Period(*to_period(request, "period"))
        if period > Period.of(self.ctx.today()):
            raise InvalidArgument.field("period", f"{period} is in the future: a period is billed once it has begun")
        scope = branch or ALL_BRANCHES
        wait_for, wait_seconds = self._wait_point(request)
        with self.ctx.base.read_session() as session:  # C-5: refuse a period no rule version covers
            rules_for_period(RuleRepository(session).load_contribution_rules(), period.year, period.month)
        if wait_for:
            self._wait_for_read_model(wait_for, wait_seconds)

        def use_case(uow):
            run_id = self._unfinished_run(uow.session, period, scope)
            if run_id is None:
                run_id = self._create_run(uow, period, scope, branch)
                BillingJobStore(uow.session).record_positions(run_id, read_model_queries(uow.session).positions())
            uow.audit("billing.start_run", run_id, {"period": str(period), "scope": scope})
            return billing_pb2.StartBillingRunResponse(run=self._progress(uow.session, run_id))

        response = self.ctx.base.mutate("BillingService/StartBillingRun", request, billing_pb2.StartBillingRunResponse, use_case)
        if not self.bills_inline:
            assert self.workers is not None
            self.workers.wake()  # committed: this process's idle workers claim the jobs now
            return response
        jobs.run_jobs_inline(self.ctx.base.unit_of_work, response.run.run_id, workers=self.inline_workers,
                             chunk_size=self.chunk_size, today=self.ctx.today())
        with self.ctx.base.read_session() as session:
            return billing_pb2.StartBillingRunResponse(run=self._progress(session, response.run.run_id))

    def get(self, request: billing_pb2.GetBillingRunRequest) -> billing_pb2.GetBillingRunResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            # Of a run over every branch, the caller sees the jobs of the branches it reads (O-2).
            progress = BillingRunRepository(session, scope).visible_progress(request.run_id)
            positions = BillingJobStore(session).positions(request.run_id)
        run = run_to_proto(progress.run, progress.jobs)
        if len(progress.visible_jobs) != len(progress.jobs):
            run = run_to_proto_filtered(run, progress.visible_jobs)
        return billing_pb2.GetBillingRunResponse(run=with_positions(run, positions))

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
    def _wait_point(request: billing_pb2.StartBillingRunRequest) -> tuple[Positions, float]:
        """`wait_for` as (topic, partition) -> offset, and the wait in seconds."""
        v = Violations()
        wanted: Positions = {}
        for i, position in enumerate(request.wait_for):
            topic = position.topic.strip() or SOURCE_TOPIC
            if topic != SOURCE_TOPIC:
                v.add(f"wait_for[{i}].topic", f"the read model replicates {SOURCE_TOPIC} only")
            if position.partition < 0:
                v.add(f"wait_for[{i}].partition", "must not be negative")
            if position.offset < 0:
                v.add(f"wait_for[{i}].offset", "must not be negative")
            key = (topic, position.partition)
            wanted[key] = max(wanted.get(key, 0), position.offset)
        if not 0 <= request.wait_seconds <= MAX_WAIT_SECONDS:
            v.add("wait_seconds", f"must be 1..{MAX_WAIT_SECONDS} (0: {DEFAULT_WAIT_SECONDS})")
        elif request.wait_seconds and not request.wait_for:
            v.add("wait_seconds", "only with wait_for")
        v.raise_if_any()
        return wanted, float(request.wait_seconds or DEFAULT_WAIT_SECONDS)

    def _wait_for_read_model(self, wanted: Positions, seconds: float) -> None:
        """Until the read model has applied every wanted position, or C-5 READ_MODEL_BEHIND."""
        deadline = time.monotonic() + seconds
        while True:
            with self.ctx.base.read_session() as session:
                applied = read_model_queries(session).positions()
            behind = {key: offset for key, offset in wanted.items() if applied.get(key, -1) < offset}
            if not behind:
                return
            if time.monotonic() >= deadline:
                shown = ", ".join(f"partition {p}: {applied.get((t, p), -1)} of {o}"
                                  for (t, p), o in sorted(behind.items()))
                raise RuleViolation("C-5", f"the read model has not applied membership's events up to "
                                    f"the positions asked within {seconds:g} s ({shown}): not billed on stale data",
                                    code="READ_MODEL_BEHIND")
            time.sleep(WAIT_POLL_SECONDS)

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
        return run_id

    @staticmethod
    def _progress(session, run_id: str) -> billing_pb2.BillingRun:
        store = BillingJobStore(session)
        return with_positions(run_to_proto(*store.progress(run_id)), store.positions(run_id))


def with_positions(run: billing_pb2.BillingRun, positions: Positions) -> billing_pb2.BillingRun:
    """The run with the read-model positions it billed from (issue 12 b)."""
    run.read_model_positions.extend(billing_pb2.ReadModelPosition(topic=t, partition=p, offset=o)
                                    for (t, p), o in sorted(positions.items()))
    return run
