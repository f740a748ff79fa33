"""The billing coverage report (C-5): membership's active workers against the period's bills.

Read-only and within the caller's branch scope (O-2): a branch the caller does not read is
refused as for ListBills. The comparison and its reasons are the domain's
(`domain.coverage`); this module loads the facts and maps the answer.
"""
from __future__ import annotations

from jamsos.contributions.v1 import billing_pb2
from services.chassis.convert import to_period
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.bill_queries import BillRepository
from services.contributions.adapters.coverage_queries import coverage_facts
from services.contributions.application.billing.mapping import coverage_to_proto
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.coverage import employer_coverage
from services.contributions.domain.periods import Period


class BillingCoverage:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, request: billing_pb2.GetBillingCoverageRequest) -> billing_pb2.GetBillingCoverageResponse:
        scope = self.ctx.authorise_read()
        branch = request.branch_code.strip()
        if not branch:
            raise InvalidArgument.field("branch_code", "required: the branch whose employers are compared")
        period = Period(*to_period(request, "period"))
        npp = request.npp.strip() or None
        with self.ctx.base.read_session() as session:
            BillRepository(session, scope).require_listable(branch)
            facts = coverage_facts(session, branch, period, npp)
        report = [(npp, name, employer_coverage(f)) for npp, name, f in facts.employers]
        return coverage_to_proto(period, branch, report, facts.worker_names)
