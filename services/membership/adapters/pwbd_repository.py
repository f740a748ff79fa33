"""The PWBD list (M-2) in the membership database: candidates and their notice letters.

Candidate status is the domain's `PwbdStatus` (OPEN, NOTIFIED, REGISTERED); the gRPC
contract shows OPEN and NOTIFIED as "unregistered". A candidate by id is `writable` only
for the caller's branch (O-2: another branch's is NotFound, audited). The matching reads
are national on purpose: an NPWP identifies a company wherever it registered, and a
company that registers leaves the list in whichever branch it was listed (M-2).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, and_, func, insert, or_, select, update

from services.chassis.repository import ScopedRepository
from services.membership.adapters.tables import employers, pwbd_candidates, pwbd_notice_letters
from services.membership.domain.pwbd import (
    PwbdCandidate, PwbdEntry, PwbdStatus, normalise_address, normalise_company_name,
)

UNREGISTERED = (PwbdStatus.OPEN.value, PwbdStatus.NOTIFIED.value)
# Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
CHUNK = 500


@dataclass(frozen=True)
class MatchableEmployer:
    """A registered employer as matching needs it (the domain's `RegisteredEmployer`),
    with its stored match keys."""

    npp: str
    legal_name: str
    address: str
    tax_number: str | None
    name_normalised: str
    address_normalised: str


@dataclass(frozen=True)
class ListedKey:
    """The match keys of a candidate already on a branch's list."""

    candidate_id: str
    tax_number: str | None
    name_normalised: str
    address_normalised: str


@dataclass(frozen=True)
class NewCandidate:
    """A candidate an import adds to the list (OPEN)."""

    candidate_id: str
    candidate: PwbdCandidate
    sector: str | None


@dataclass(frozen=True)
class StoredCandidate:
    """A candidate on the list: the domain's candidate and what has happened to it."""

    candidate_id: str
    candidate: PwbdCandidate
    sector: str | None
    status: PwbdStatus
    registered_npp: str | None

    @property
    def branch_code(self) -> str:
        return self.candidate.branch_code

    def entry(self) -> PwbdEntry:
        return PwbdEntry(self.candidate, self.status, self.registered_npp)


@dataclass(frozen=True)
class NoticeLetter:
    letter_number: str
    sent_on: date
    recorded_by: str


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _stored(row: Row[Any]) -> StoredCandidate:
    candidate = PwbdCandidate(name=row.name, branch_code=row.branch_code, address=row.address,
                              tax_number=row.tax_number, worker_estimate=row.estimated_workers, source=row.source)
    return StoredCandidate(row.candidate_id, candidate, row.sector, PwbdStatus(row.status), row.registered_npp)


class PwbdRepository(ScopedRepository):
    """One transaction's (or read's) view of the PWBD list; `scope` is the caller's (O-2)."""

    # ---- import ------------------------------------------------------------------
    def employers_for_matching(self, branch_code: str, tax_numbers: Iterable[str]) -> list[MatchableEmployer]:
        """Registered employers a candidate of `branch_code` could be: the branch's own
        (for name + address) and, nationally, those holding one of `tax_numbers` (an NPWP
        identifies a company wherever it registered). A few queries, not one per row."""
        columns = (employers.c.npp, employers.c.legal_name, employers.c.address, employers.c.tax_number,
                   employers.c.name_normalised, employers.c.address_normalised)
        found = {r.npp: r for r in self.session.execute(select(*columns).where(employers.c.branch_code == branch_code))}
        with self.every_branch():  # national, so across the row security of branches
            for chunk in _chunks(sorted(set(tax_numbers))):
                for r in self.session.execute(select(*columns).where(employers.c.tax_number.in_(chunk))):
                    found[r.npp] = r
        return [MatchableEmployer(**found[npp]._mapping) for npp in sorted(found)]

    def candidates_of_branch(self, branch_code: str) -> list[ListedKey]:
        """Match keys of every candidate already on the branch's list (any status)."""
        rows = self.session.execute(
            select(pwbd_candidates.c.candidate_id, pwbd_candidates.c.tax_number,
                   pwbd_candidates.c.name_normalised, pwbd_candidates.c.address_normalised)
            .where(pwbd_candidates.c.branch_code == branch_code)
        ).all()
        return [ListedKey(**r._mapping) for r in rows]

    def add_many(self, new: Sequence[NewCandidate]) -> None:
        """The accepted rows of an import, OPEN, with their match keys."""
        if not new:
            return
        now = datetime.now(UTC)
        # One executemany (insertmanyvalues batches it on PostgreSQL).
        self.session.execute(insert(pwbd_candidates), [{
            "candidate_id": n.candidate_id, "branch_code": n.candidate.branch_code, "name": n.candidate.name,
            "name_normalised": normalise_company_name(n.candidate.name), "address": n.candidate.address,
            "address_normalised": normalise_address(n.candidate.address), "tax_number": n.candidate.tax_number,
            "sector": n.sector, "estimated_workers": n.candidate.worker_estimate, "status": PwbdStatus.OPEN.value,
            "registered_npp": None, "source": n.candidate.source, "created_at": now,
        } for n in new])

    # ---- registration drops a company from the list ------------------------------
    def unregistered_like(self, tax_number: str | None, name_normalised: str,
                          address_normalised: str) -> list[StoredCandidate]:
        """Unregistered candidates, in any branch, with this NPWP or this normalised
        name and address: the shortlist the domain's `match_candidate` then confirms."""
        keys = [and_(pwbd_candidates.c.name_normalised == name_normalised,
                     pwbd_candidates.c.address_normalised == address_normalised)]
        if tax_number:
            keys.append(pwbd_candidates.c.tax_number == tax_number)
        with self.every_branch():  # any branch's list, across the row security of branches
            rows = self.session.execute(
                select(pwbd_candidates).where(pwbd_candidates.c.status.in_(UNREGISTERED), or_(*keys))
            ).all()
        return [_stored(r) for r in rows]

    def mark_registered(self, candidate_ids: list[str], npp: str) -> None:
        """The candidates `unregistered_like` matched leave the list, in whichever branch (M-2)."""
        if candidate_ids:
            with self.every_branch():
                self.session.execute(update(pwbd_candidates).where(pwbd_candidates.c.candidate_id.in_(candidate_ids))
                                     .values(status=PwbdStatus.REGISTERED.value, registered_npp=npp))

    # ---- the list and its letters --------------------------------------------------
    def get(self, candidate_id: str) -> StoredCandidate | None:
        """The candidate, unscoped: for re-reading one `writable` already let through."""
        row = self.session.execute(
            select(pwbd_candidates).where(pwbd_candidates.c.candidate_id == candidate_id)).first()
        return _stored(row) if row else None

    def writable(self, candidate_id: str) -> StoredCandidate:  # type: ignore[override]
        """The candidate, locked for the change: NotFound when unknown or of a branch the
        caller may not read, PermissionDenied when it may only read it."""
        return _stored(super().writable(
            select(pwbd_candidates).where(pwbd_candidates.c.candidate_id == candidate_id),
            pwbd_candidates.c.branch_code, "PWBD candidate", candidate_id))

    def unregistered_page(self, branch_code: str, after_id: str | None, limit: int) -> list[StoredCandidate]:
        """Keyset page ordered by candidate id (UUIDv7, so in order of import); a branch
        the caller may not read is refused (O-2)."""
        self.scope.require_read(branch_code, "PWBD list")
        stmt = select(pwbd_candidates).where(
            pwbd_candidates.c.branch_code == branch_code, pwbd_candidates.c.status.in_(UNREGISTERED))
        if after_id is not None:
            stmt = stmt.where(pwbd_candidates.c.candidate_id > after_id)
        rows = self.session.execute(self.scoped(stmt, pwbd_candidates.c.branch_code)
                                    .order_by(pwbd_candidates.c.candidate_id).limit(limit)).all()
        return [_stored(r) for r in rows]

    def totals(self, branch_code: str) -> dict[str, int]:
        """Count of the branch's candidates by status, for the gap report (M-2)."""
        self.scope.require_read(branch_code, "PWBD list")
        rows = self.session.execute(
            select(pwbd_candidates.c.status, func.count()).where(pwbd_candidates.c.branch_code == branch_code)
            .group_by(pwbd_candidates.c.status)
        ).all()
        return {status: count for status, count in rows}

    def letters_of(self, candidate_ids: list[str]) -> dict[str, list[NoticeLetter]]:
        letters: dict[str, list[NoticeLetter]] = defaultdict(list)
        for chunk in _chunks(candidate_ids):
            for r in self.session.execute(select(pwbd_notice_letters).where(pwbd_notice_letters.c.candidate_id.in_(chunk))
                                          .order_by(pwbd_notice_letters.c.sent_on, pwbd_notice_letters.c.id)):
                letters[r.candidate_id].append(NoticeLetter(r.letter_number, r.sent_on, r.recorded_by))
        return letters

    def has_letter(self, candidate_id: str, letter_number: str) -> bool:
        return self.session.execute(select(pwbd_notice_letters.c.id).where(
            pwbd_notice_letters.c.candidate_id == candidate_id, pwbd_notice_letters.c.letter_number == letter_number
        )).first() is not None

    def add_letter(self, candidate_id: str, letter_number: str, sent_on: date, recorded_by: str,
                   status: PwbdStatus) -> None:
        self.session.execute(insert(pwbd_notice_letters).values(
            candidate_id=candidate_id, letter_number=letter_number, sent_on=sent_on, recorded_by=recorded_by))
        self.session.execute(update(pwbd_candidates).where(pwbd_candidates.c.candidate_id == candidate_id)
                             .values(status=status.value))
