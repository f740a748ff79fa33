"""Matching PWBD candidates with registered employers (M-2), efficiently.

The rule itself is the domain's `pwbd.match_candidate` (NPWP first, then normalised
name plus address, an NPWP that differs vetoes a name match). Here it runs on a short
list picked from dictionaries, so an import of thousands of rows costs a few queries and
a dictionary lookup per row instead of a scan of every employer per row.
"""
from __future__ import annotations

from collections import defaultdict

from services.membership.adapters.pwbd_repository import MatchableEmployer, PwbdRepository
from services.membership.domain.employers import Employer
from services.membership.domain.pwbd import PwbdCandidate, match_candidate, normalise_address, normalise_company_name


def match_key(name: str, address: str) -> tuple[str, str]:
    return normalise_company_name(name), normalise_address(address)


class EmployerIndex:
    """Registered employers by NPWP and by normalised (name, address)."""

    def __init__(self, employers: list[MatchableEmployer]):
        self._by_npwp: dict[str, list[MatchableEmployer]] = defaultdict(list)
        self._by_key: dict[tuple[str, str], list[MatchableEmployer]] = defaultdict(list)
        for employer in employers:
            if employer.tax_number:
                self._by_npwp[employer.tax_number].append(employer)
            self._by_key[(employer.name_normalised, employer.address_normalised)].append(employer)

    def match(self, candidate: PwbdCandidate) -> str | None:
        """The NPP `candidate` already is registered under, or None (M-2)."""
        shortlist: dict[str, MatchableEmployer] = {}
        if candidate.tax_number:
            shortlist.update((e.npp, e) for e in self._by_npwp.get(candidate.tax_number, ()))
        for employer in self._by_key.get(match_key(candidate.name, candidate.address), ()):
            shortlist.setdefault(employer.npp, employer)
        if not shortlist:
            return None
        return match_candidate(candidate, [shortlist[npp] for npp in sorted(shortlist)])


def drop_registered(repo: PwbdRepository, employer: Employer) -> list[str]:
    """M-2: a company that registers leaves the PWBD list (in whichever branch it was
    listed): its unregistered candidates become REGISTERED with the new NPP. Returns
    the candidate ids so marked."""
    name, address = match_key(employer.legal_name, employer.address)
    shortlist = repo.unregistered_like(employer.tax_number, name, address)
    matched = [c.candidate_id for c in shortlist if match_candidate(c.candidate, [employer]) == employer.npp]
    repo.mark_registered(matched, employer.npp)
    return matched
