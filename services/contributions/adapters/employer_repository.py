"""Employers as the money side and billing know them (`money_bills.employer`: the read
model, or the branch of their bills), within the caller's branch scope (O-2)."""
from __future__ import annotations

from services.chassis.errors import NotFound
from services.chassis.repository import ScopedRepository
from services.contributions.adapters import money_bills


class EmployerRepository(ScopedRepository):
    def readable(self, npp: str, *, key: str | None = None) -> money_bills.EmployerFacts:  # type: ignore[override]
        """The employer, or NotFound, also outside the caller's branches. `key` is the NPP
        as the caller wrote it (the lookup uses `npp`), for the answer and the audit."""
        facts = self._known(npp, key)
        self.scope.require_read_record(facts.branch_code, "employer", npp if key is None else key)
        return facts

    def writable(self, npp: str, *, key: str | None = None) -> money_bills.EmployerFacts:  # type: ignore[override]
        """The employer, for a change: NotFound when unknown or hidden, PermissionDenied when
        the caller may only read it."""
        facts = self._known(npp, key)
        self.scope.require_write_record(facts.branch_code, "employer", facts.npp)
        return facts

    def require_writable(self, facts: money_bills.EmployerFacts) -> None:
        """An employer found by `visible`, now to be changed: PermissionDenied when the
        caller may only read it."""
        self.scope.require_write_record(facts.branch_code, "employer", facts.npp)

    def visible(self, npp: str) -> money_bills.EmployerFacts | None:
        """The employer, or None when unknown or of a branch the caller may not read (the
        hidden one audited): for use cases where an unknown employer is a normal case."""
        facts = self.found_or_hidden(lambda: money_bills.employer(self.session, npp))
        if facts is not None and not self.scope.sees(facts.branch_code, "employer", facts.npp):
            return None
        return facts

    def _known(self, npp: str, key: str | None) -> money_bills.EmployerFacts:
        facts = self.found_or_hidden(lambda: money_bills.employer(self.session, npp)) if npp else None
        if facts is None:
            raise NotFound("employer", npp if key is None else key)
        return facts
