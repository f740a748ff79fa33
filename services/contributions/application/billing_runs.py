"""Starting a billing run and reporting its progress (C-5, O-2, O-3).

A run bills one period for one branch (its administration officer) or for every branch
(the head office). It is split into one job per branch; the jobs are published on the
billing-jobs topic for any replica to take, or billed inline when this process runs no
consumers. Asking again for a period whose run is unfinished resumes that run; asking
after it completed starts a new run that bills only employers still without the
period's bill (late registrations), so nothing is ever billed twice.
"""
from __future__ import annotations

import uuid
import zlib
from datetime import datetime, timezone

from sqlalchemy import insert, select, text

from jamsos.contributions.v1 import billing_pb2
from services.chassis.context import HEAD, current_principal
from services.chassis.convert import from_period, to_period
from services.chassis.errors import InvalidArgument, NotFound, PermissionDenied
from services.contributions.adapters import billing_facts
from services.contributions.adapters import rule_repository as rules_repo
from services.contributions.adapters.tables import billing_jobs, billing_runs, rm_employers
from services.contributions.application import billing_jobs as jobs
from services.contributions.application.billing_messages import ALL_BRANCHES, run_to_proto
from services.chassis.roles import Role, known_roles
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import rules_for_period


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
        with self.ctx.base.read_session() as session:  # C-RULES: refuse a period no rule version covers
            rules_for_period(rules_repo.load_contribution_rules(session), period.year, period.month)

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
                                 chunk_size=self.chunk_size)
            with self.ctx.base.read_session() as session:
                response = billing_pb2.StartBillingRunResponse(run=self._progress(session, response.run.run_id))
        return response

    def get(self, request: billing_pb2.GetBillingRunRequest) -> billing_pb2.GetBillingRunResponse:
        scope = self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            run = self._progress(session, request.run_id)
        if run.branch_code:
            scope.require_read_record(run.branch_code, "billing run", run.run_id)
        else:  # a run over every branch: show the jobs of the branches the caller reads (O-2)
            visible = [j for j in run.jobs if scope.can_read(j.branch_code)]
            if len(visible) != len(run.jobs):
                run = run_to_proto_filtered(run, visible)
        return billing_pb2.GetBillingRunResponse(run=run)

    def _authorise_start(self, branch: str) -> None:
        """O-3: administration officers; O-2: a branch's own run, or the head office for all."""
        scope = self.ctx.authorise(ContributionsAction.START_BILLING_RUN)
        principal = current_principal()
        if principal.is_service:
            return
        if branch:
            if Role.ADMINISTRATION_OFFICER not in known_roles(principal.roles):
                raise PermissionDenied("O-3: a branch billing run is the branch administration officer's")
            scope.require_write(branch, "billing run")
        elif principal.office_level != HEAD:
            raise PermissionDenied("O-2: only the head office bills every branch at once")

    def _unfinished_run(self, session, period: Period, scope: str) -> str | None:
        """The period's unfinished run of this scope; on PostgreSQL, two requests for the same
        period and scope are serialised here so that they cannot both create a run."""
        if session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"billing-run:{period}:{scope}".encode())
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return session.execute(select(billing_runs.c.run_id).where(
            billing_runs.c.period_year == period.year, billing_runs.c.period_month == period.month,
            billing_runs.c.scope == scope, billing_runs.c.status != jobs.COMPLETED,
        ).order_by(billing_runs.c.created_at).limit(1)).scalar()

    def _create_run(self, uow, period: Period, scope: str, branch: str) -> str:
        session, now = uow.session, datetime.now(timezone.utc)
        run_id = str(uuid.uuid4())
        branches = [branch] if branch else list(session.execute(
            select(rm_employers.c.branch_code).distinct().order_by(rm_employers.c.branch_code)).scalars())
        session.execute(insert(billing_runs).values(
            run_id=run_id, period_year=period.year, period_month=period.month, scope=scope,
            status=jobs.PENDING if branches else jobs.COMPLETED, requested_by=current_principal().user_id,
            created_at=now, completed_at=None if branches else now))
        if branches:
            session.execute(insert(billing_jobs), [{
                "run_id": run_id, "branch_code": b, "status": jobs.PENDING,
                "employers_total": billing_facts.count_employers(session, b), "employers_done": 0,
                "bills_issued": 0, "last_npp": None, "updated_at": now} for b in branches])
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
        run = session.execute(select(billing_runs).where(billing_runs.c.run_id == run_id)).first()
        if run is None:
            raise NotFound("billing run", run_id)
        rows = session.execute(select(billing_jobs).where(billing_jobs.c.run_id == run_id)
                               .order_by(billing_jobs.c.branch_code)).all()
        return run_to_proto(run, rows)


def run_to_proto_filtered(run: billing_pb2.BillingRun, visible) -> billing_pb2.BillingRun:
    trimmed = billing_pb2.BillingRun()
    trimmed.CopyFrom(run)
    del trimmed.jobs[:]
    trimmed.jobs.extend(visible)
    trimmed.employers_total = sum(j.employers_total for j in visible)
    trimmed.employers_done = sum(j.employers_done for j in visible)
    trimmed.bills_issued = sum(j.bills_issued for j in visible)
    return trimmed
