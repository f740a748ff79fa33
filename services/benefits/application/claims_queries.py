"""Reading claims (O-2: only the caller's branches): one claim with its whole history, lists
by branch, state and program, a worker's claims, and the claims at risk of B-JHT-3."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.benefits.adapters.claim_repository import ClaimRepository
from services.benefits.application.claims_submission import ClaimView
from services.benefits.application.deadlines import DeadlineGauge
from services.benefits.domain.claims import Claim, ClaimState
from services.benefits.application.rule_book import tables_of
from services.benefits.domain.programs import Program
from services.chassis.errors import InvalidArgument
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext


@dataclass(frozen=True)
class Page:
    """`size` claims after `cursor` (the decoded page token; None: the first page)."""

    size: int
    cursor: dict | None = None


@dataclass(frozen=True)
class ClaimPage:
    claims: tuple[Claim, ...]
    next_cursor: dict | None


class ClaimQueries:
    def __init__(self, ctx: ServiceContext, deadlines: DeadlineGauge):
        self.ctx = ctx
        self.deadlines = deadlines

    def get(self, scope: BranchScope, claim_id: str) -> ClaimView:
        with self.ctx.base.read_session() as session:
            claims = ClaimRepository(session, scope)
            return ClaimView(claims.readable_claim(claim_id), tuple(claims.letters_of(claim_id)))

    def list(self, scope: BranchScope, page: Page, *, branch_code: str | None = None, state: ClaimState | None = None,
             program: Program | None = None, kpj: str | None = None) -> ClaimPage:
        """Newest first. A branch the caller names but may not read is refused (O-2)."""
        before = str((page.cursor or {}).get("before", "")) or None
        with self.ctx.base.read_session() as session:
            found = ClaimRepository(session, scope).page(branch_code=branch_code, state=state, program=program, kpj=kpj,
                                                         before_id=before, limit=page.size + 1)
        more = len(found) > page.size
        shown = tuple(found[:page.size])
        return ClaimPage(shown, {"before": shown[-1].claim_id} if more else None)

    def at_risk(self, scope: BranchScope, page: Page, branch_code: str | None = None) -> ClaimPage:
        """B-JHT-3: open JHT claims due within the warning window or overdue, most urgent first."""
        today = self.ctx.today()
        after = _due_cursor(page.cursor)
        with self.ctx.base.read_session() as session:
            due_by = today + timedelta(days=tables_of(session).jht.in_force_on(today).at_risk_days)
            found = ClaimRepository(session, scope).at_risk(due_by=due_by, branch_code=branch_code, after=after,
                                                            limit=page.size + 1)
        self.deadlines.refresh_quietly()
        more = len(found) > page.size
        shown = tuple(found[:page.size])
        last = shown[-1] if more else None
        due = last.payment_due_on if last else None
        return ClaimPage(shown, {"due_on": due.isoformat(), "claim_id": last.claim_id} if last and due else None)


def _due_cursor(cursor: dict | None) -> tuple[date, str] | None:
    if not cursor:
        return None
    try:
        return date.fromisoformat(str(cursor["due_on"])), str(cursor["claim_id"])
    except (KeyError, ValueError):
        raise InvalidArgument.field("page.page_token", "not a token this service issued") from None
