"""Matching PWBD candidates with registered employers (M-2), efficiently.

The rule itself is the domain's `pwbd.match_candidate` (NPWP first, then normalised
name plus address, an NPWP that differs vetoes a name match). Here it runs on a short
list picked from dictionaries, so an import of thousands of rows costs a few queries and
a dictionary lookup per row instead of a scan of every employer per row.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Row
from sqlalchemy.orm import Session

from services.membership.adapters.pwbd_repository import PwbdRepository
from services.membership.domain.employers import Employer
from services.membership.domain.pwbd import PwbdCandidate, match_candidate, normalise_address, normalise_company_name


def match_key(name: str, address: str) -> tuple[str, str]:
    return normalise_company_name(name), normalise_address(address)


class EmployerIndex:
    """Registered employers by NPWP and by normalised (name, address)."""

    def __init__(self, employer_rows: list[Row]):
        self._by_npwp: dict[str, list[Row]] = defaultdict(list)
        self._by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in employer_rows:
            if row.tax_number:
                self._by_npwp[row.tax_number].append(row)
            self._by_key[(row.name_normalised, row.address_normalised)].append(row)

    def match(self, candidate: PwbdCandidate) -> str | None:
        """The NPP `candidate` already is registered under, or None (M-2)."""
        shortlist: dict[str, Row] = {}
        if candidate.tax_number:
            shortlist.update((row.npp, row) for row in self._by_npwp.get(candidate.tax_number, ()))
        for row in self._by_key.get(match_key(candidate.name, candidate.address), ()):
            shortlist.setdefault(row.npp, row)
        if not shortlist:
            return None
        return match_candidate(candidate, [shortlist[npp] for npp in sorted(shortlist)])


def candidate_of(row: Row) -> PwbdCandidate:
    """A stored candidate as the domain sees it."""
    return PwbdCandidate(name=row.name, branch_code=row.branch_code, address=row.address,
                         tax_number=row.tax_number, worker_estimate=row.estimated_workers, source=row.source)


def drop_registered(session: Session, employer: Employer) -> list[str]:
    """M-2: a company that registers leaves the PWBD list (in whichever branch it was
    listed): its unregistered candidates become REGISTERED with the new NPP. Returns
    the candidate ids so marked."""
    repo = PwbdRepository(session)
    name, address = match_key(employer.legal_name, employer.address)
    shortlist = repo.unregistered_like(employer.tax_number, name, address)
    matched = [row.candidate_id for row in shortlist if match_candidate(candidate_of(row), [employer]) == employer.npp]
    repo.mark_registered(matched, employer.npp)
    return matched
