"""The PWBD list (M-2) in the membership database: candidates and their notice letters.

Candidate status is the domain's `PwbdStatus` (OPEN, NOTIFIED, REGISTERED); the gRPC
contract shows OPEN and NOTIFIED as "unregistered".
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Row, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from services.membership.adapters.tables import employers, pwbd_candidates, pwbd_notice_letters
from services.membership.domain.pwbd import PwbdStatus

UNREGISTERED = (PwbdStatus.OPEN.value, PwbdStatus.NOTIFIED.value)
# Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
CHUNK = 500


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class PwbdRepository:
    def __init__(self, session: Session):
        self.session = session

    # ---- import ------------------------------------------------------------------
    def employers_for_matching(self, branch_code: str, tax_numbers: Iterable[str]) -> list[Row]:
        """Registered employers a candidate of `branch_code` could be: the branch's own
        (for name + address) and, nationally, those holding one of `tax_numbers` (an NPWP
        identifies a company wherever it registered). A few queries, not one per row."""
        columns = (employers.c.npp, employers.c.legal_name, employers.c.address, employers.c.tax_number,
                   employers.c.name_normalised, employers.c.address_normalised)
        found = {r.npp: r for r in self.session.execute(select(*columns).where(employers.c.branch_code == branch_code))}
        for chunk in _chunks(sorted(set(tax_numbers))):
            for r in self.session.execute(select(*columns).where(employers.c.tax_number.in_(chunk))):
                found[r.npp] = r
        return [found[npp] for npp in sorted(found)]

    def candidates_of_branch(self, branch_code: str) -> list[Row]:
        """Match keys of every candidate already on the branch's list (any status)."""
        return list(self.session.execute(
            select(pwbd_candidates.c.candidate_id, pwbd_candidates.c.tax_number,
                   pwbd_candidates.c.name_normalised, pwbd_candidates.c.address_normalised)
            .where(pwbd_candidates.c.branch_code == branch_code)
        ).all())

    def add_many(self, rows: list[dict]) -> None:
        if rows:  # one executemany (insertmanyvalues batches it on PostgreSQL)
            self.session.execute(insert(pwbd_candidates), rows)

    # ---- registration drops a company from the list ------------------------------
    def unregistered_like(self, tax_number: str | None, name_normalised: str, address_normalised: str) -> list[Row]:
        """Unregistered candidates, in any branch, with this NPWP or this normalised
        name and address: the shortlist the domain's `match_candidate` then confirms."""
        keys = [and_(pwbd_candidates.c.name_normalised == name_normalised,
                     pwbd_candidates.c.address_normalised == address_normalised)]
        if tax_number:
            keys.append(pwbd_candidates.c.tax_number == tax_number)
        return list(self.session.execute(
            select(pwbd_candidates).where(pwbd_candidates.c.status.in_(UNREGISTERED), or_(*keys))
        ).all())

    def mark_registered(self, candidate_ids: list[str], npp: str) -> None:
        if candidate_ids:
            self.session.execute(update(pwbd_candidates).where(pwbd_candidates.c.candidate_id.in_(candidate_ids))
                                 .values(status=PwbdStatus.REGISTERED.value, registered_npp=npp))

    # ---- the list and its letters --------------------------------------------------
    def get(self, candidate_id: str, *, for_update: bool = False) -> Row | None:
        stmt = select(pwbd_candidates).where(pwbd_candidates.c.candidate_id == candidate_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.execute(stmt).first()

    def unregistered_page(self, branch_code: str, after_id: str | None, limit: int) -> list[Row]:
        """Keyset page ordered by candidate id (UUIDv7, so in order of import)."""
        stmt = select(pwbd_candidates).where(
            pwbd_candidates.c.branch_code == branch_code, pwbd_candidates.c.status.in_(UNREGISTERED))
        if after_id is not None:
            stmt = stmt.where(pwbd_candidates.c.candidate_id > after_id)
        return list(self.session.execute(stmt.order_by(pwbd_candidates.c.candidate_id).limit(limit)).all())

    def totals(self, branch_code: str) -> dict[str, int]:
        """Count of the branch's candidates by status, for the gap report (M-2)."""
        rows = self.session.execute(
            select(pwbd_candidates.c.status, func.count()).where(pwbd_candidates.c.branch_code == branch_code)
            .group_by(pwbd_candidates.c.status)
        ).all()
        return {status: count for status, count in rows}

    def letters_of(self, candidate_ids: list[str]) -> dict[str, list[Row]]:
        letters: dict[str, list[Row]] = defaultdict(list)
        for chunk in _chunks(candidate_ids):
            for r in self.session.execute(select(pwbd_notice_letters).where(pwbd_notice_letters.c.candidate_id.in_(chunk))
                                          .order_by(pwbd_notice_letters.c.sent_on, pwbd_notice_letters.c.id)):
                letters[r.candidate_id].append(r)
        return letters

    def has_letter(self, candidate_id: str, letter_number: str) -> bool:
        return self.session.execute(select(pwbd_notice_letters.c.id).where(
            pwbd_notice_letters.c.candidate_id == candidate_id, pwbd_notice_letters.c.letter_number == letter_number
        )).first() is not None

    def add_letter(self, candidate_id: str, letter_number: str, sent_on: date, recorded_by: str, status: str) -> None:
        self.session.execute(insert(pwbd_notice_letters).values(
            candidate_id=candidate_id, letter_number=letter_number, sent_on=sent_on, recorded_by=recorded_by))
        self.session.execute(update(pwbd_candidates).where(pwbd_candidates.c.candidate_id == candidate_id)
                             .values(status=status))
