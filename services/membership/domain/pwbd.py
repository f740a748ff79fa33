"""PWBD (Perusahaan Wajib Belum Daftar): companies that must register but have not (M-2).

The administration office builds the list from potential-employer data, matches each
candidate against registered employers, and may issue a notice letter to each one left.
Matching: first by tax number (NPWP); otherwise by normalised name plus normalised
address. When both sides have an NPWP and they differ, they are different companies and
name and address are not tried.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Protocol

from services.chassis.errors import FieldViolation, InvalidArgument, RuleViolation, Violations

from .numbers import normalise_npwp
from .values import clean_text, collect

# Legal-form words dropped from a company name before comparing (PT Maju Jaya Tbk = Maju Jaya).
LEGAL_FORMS = frozenset({"PT", "CV", "UD", "PD", "TBK", "PERSERO", "FA", "FIRMA"})

# Address words spelled several ways, mapped to one spelling.
ADDRESS_WORDS = {
    "JALAN": "JL", "JLN": "JL", "NOMOR": "NO", "NOMER": "NO", "NMR": "NO", "GANG": "GG",
    "KELURAHAN": "KEL", "KECAMATAN": "KEC", "KABUPATEN": "KAB",
    "DESA": "DS", "BLOK": "BLK", "KOMPLEK": "KOMP", "KOMPLEKS": "KOMP", "PERUMAHAN": "PERUM",
}

_DOTTED_ABBREVIATION = re.compile(r"\b(?:[A-Z]\.){2,}")
_NOT_WORD = re.compile(r"[^A-Z0-9]+")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)  # P.T. -> PT
    return _NOT_WORD.sub(" ", text).split()


def normalise_company_name(name: str) -> str:
    """Upper case, punctuation removed, legal forms (PT, CV, UD, Tbk, Persero...) dropped,
    spaces collapsed: "PT. Maju Jaya, Tbk" -> "MAJU JAYA"."""
    return " ".join(word for word in _words(name) if word not in LEGAL_FORMS)


def normalise_address(address: str) -> str:
    """Upper case, punctuation removed, common words unified (Jalan/Jln -> JL, Nomor -> NO),
    spaces collapsed: "Jln. Sudirman No.12" -> "JL SUDIRMAN NO 12"."""
    return " ".join(ADDRESS_WORDS.get(word, word) for word in _words(address))


def _npwp_key(text: str | None) -> str | None:
    """An NPWP as a comparison key, or None when absent or malformed (legacy data)."""
    if not text:
        return None
    try:
        return normalise_npwp(text)
    except InvalidArgument:
        return None


class RegisteredEmployer(Protocol):
    npp: str
    legal_name: str
    address: str
    tax_number: str | None


@dataclass(frozen=True)
class PwbdCandidate:
    """A company from potential-employer data that may have to register (M-2)."""

    name: str
    branch_code: str
    address: str = ""
    tax_number: str | None = None  # NPWP, 16-digit form
    worker_estimate: int = 0
    source: str | None = None  # where the data came from (e.g. the manpower office)


def match_candidate(candidate: PwbdCandidate, employers: Iterable[RegisteredEmployer]) -> str | None:
    """The NPP of the registered employer this candidate is, or None (M-2).

    First an equal NPWP; else an equal normalised name and normalised address, skipping
    employers whose NPWP differs from the candidate's. Several name matches: the lowest NPP.
    """
    employers = list(employers)
    candidate_npwp = _npwp_key(candidate.tax_number)
    if candidate_npwp:
        for employer in employers:
            if _npwp_key(employer.tax_number) == candidate_npwp:
                return employer.npp
    name, address = normalise_company_name(candidate.name), normalise_address(candidate.address)
    if not name or not address:
        return None
    matches = [
        employer.npp for employer in employers
        if normalise_company_name(employer.legal_name) == name
        and normalise_address(employer.address) == address
        and not (candidate_npwp and _npwp_key(employer.tax_number)
                 and _npwp_key(employer.tax_number) != candidate_npwp)
    ]
    return min(matches) if matches else None


def _worker_estimate(value: object, v: Violations) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    v.add("worker_estimate", f"{value!r} is not a whole number of workers (0 or more)")
    return 0


def validate_pwbd_row(
    row: Mapping[str, object], known_branches: Collection[str] | None = None
) -> PwbdCandidate | list[FieldViolation]:
    """One row of a bulk PWBD import (M-2): a clean candidate, or the list of problems.

    Keys: name (required), branch_code (required), address, tax_number (NPWP, 15 or 16
    digits when present), worker_estimate (whole number >= 0, default 0), source.
    """
    v = Violations()
    name = clean_text(row.get("name"), "name", v, max_length=200)
    branch = clean_text(row.get("branch_code"), "branch_code", v, max_length=32)
    if branch:
        branch = branch.upper()
        if known_branches is not None and branch not in known_branches:
            v.add("branch_code", f"{branch} is not a branch office")
    address = clean_text(row.get("address"), "address", v, max_length=500, required=False) or ""
    raw_npwp = row.get("tax_number")
    if isinstance(raw_npwp, int) and not isinstance(raw_npwp, bool):
        raw_npwp = str(raw_npwp).zfill(15)  # a spreadsheet cell read as a number lost its leading 0
    npwp = None
    if raw_npwp is not None and str(raw_npwp).strip():
        npwp = collect(v, normalise_npwp, str(raw_npwp))
    estimate = _worker_estimate(row.get("worker_estimate"), v)
    source = clean_text(row.get("source"), "source", v, max_length=200, required=False)
    if v.items:
        return v.items
    assert name is not None and branch is not None  # clean_text recorded a violation otherwise
    return PwbdCandidate(name, branch, address, npwp, estimate, source)


class PwbdStatus(str, Enum):
    OPEN = "OPEN"  # not registered, no letter yet
    NOTIFIED = "NOTIFIED"  # at least one notice letter sent
    REGISTERED = "REGISTERED"  # matched to a registered employer


@dataclass(frozen=True)
class PwbdEntry:
    """A candidate on the PWBD list with what has happened to it (M-2)."""

    candidate: PwbdCandidate
    status: PwbdStatus = PwbdStatus.OPEN
    matched_npp: str | None = None
    notices: tuple[date, ...] = field(default_factory=tuple)

    def record_notice(self, sent_on: date) -> PwbdEntry:
        """A notice letter was sent (M-2); refused once the company has registered."""
        if self.status is PwbdStatus.REGISTERED:
            raise RuleViolation("M-2", f"the company is registered as NPP {self.matched_npp}: no notice letter")
        return replace(self, status=PwbdStatus.NOTIFIED, notices=self.notices + (sent_on,))

    def mark_registered(self, npp: str) -> PwbdEntry:
        return replace(self, status=PwbdStatus.REGISTERED, matched_npp=npp)
