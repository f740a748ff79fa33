"""B-JHT-3 as a gauge: how many open JHT claims are at risk of the 30-day limit, and how
many are past it. Counted from the database (every branch), never incremented, so it is
right after a restart; refreshed at start, after every change of a JHT claim, by the daily
payout and whenever the at-risk list is read. A recount is two counts over the claims: calls
that arrive while one runs are folded into one more recount after it, not one each."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, timedelta

from services.benefits.adapters.claim_repository import ClaimRepository
from services.benefits.adapters.metrics import JHT_CLAIMS_BY_DEADLINE
from services.benefits.application.rule_book import tables_of
from services.chassis.application import Application
from services.chassis.context import request_context, system_principal

log = logging.getLogger("jamsos.benefits.deadlines")
SYSTEM = system_principal("benefits-deadlines")


class DeadlineGauge:
    def __init__(self, base: Application, today: Callable[[], date]):
        self.base = base
        self.today = today
        self._lock = threading.Lock()
        self._running = False
        self._again = False  # a change committed while a recount ran: count once more after it

    def refresh(self) -> dict[str, int]:
        """Recount from the database; returns the counts set on the gauge."""
        today = self.today()
        # The warning window of the rules in force today (a claim's own version differs only
        # if a new JHT version changed it meanwhile).
        with request_context(SYSTEM, None), self.base.read_session() as session:
            warn = tables_of(session).jht.in_force_on(today).at_risk_days
            claims = ClaimRepository.for_system(session)
            overdue = claims.count_due(overdue_before=today)
            due_soon = claims.count_due(due_by=today + timedelta(days=warn))
        counts = {"at_risk": due_soon - overdue, "overdue": overdue}
        for deadline, value in counts.items():
            JHT_CLAIMS_BY_DEADLINE.labels(self.base.service, deadline).set(value)
        return counts

    def refresh_quietly(self) -> None:
        """After a commit: a failed recount must not fail the change that is already durable.
        A recount already running may have counted before this commit, so it runs once more
        when it ends; this caller returns at once instead of counting the same rows again."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        try:
            while True:
                try:
                    self.refresh()
                except Exception:  # the gauge is recomputed on the next change or run anyway
                    log.exception("refreshing the B-JHT-3 gauge failed")
                with self._lock:
                    if not self._again:
                        return
                    self._again = False
        finally:
            with self._lock:
                self._running = False
