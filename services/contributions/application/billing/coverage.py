"""The billing coverage report (C-5): membership's active workers against the period's bills.

Read-only and within the caller's branch scope (O-2, the repository's): a branch the
caller does not read is refused as for ListBills. The comparison and its reasons are the
domain's (`domain.coverage`); this module loads the facts and runs it.
"""
from __future__ import annotations

from services.chassis.scope import BranchScope
from services.contributions.adapters.bill_queries import BillRepository
from services.contributions.application.billing.commands import CoverageReport, EmployerCoverageRow, GetCoverage
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.coverage import employer_coverage


class BillingCoverage:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def get(self, scope: BranchScope, query: GetCoverage) -> CoverageReport:
        with self.ctx.base.read_session() as session:
            facts = BillRepository(session, scope).coverage_facts(query.branch_code, query.period, query.npp)
        return CoverageReport(query.period, query.branch_code,
                              [EmployerCoverageRow(npp, name, employer_coverage(f)) for npp, name, f in facts.employers],
                              facts.worker_names)
