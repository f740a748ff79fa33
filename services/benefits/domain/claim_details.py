"""What each program's claim states beyond the member and the reason, and the day that
picks the rule version: the claim date (JHT), the accident (JKK), the death (JK), the care
(JPK). Stored with the claim as plain data (`to_dict` / `details_from_dict`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeAlias

from .jk import Heir, HeirRelation
from .programs import Program


@dataclass(frozen=True)
class JhtDetails:
    death_date: date | None = None  # reason DEATH, when membership has not recorded it yet

    def to_dict(self) -> dict[str, Any]:
        return {"death_date": self.death_date.isoformat() if self.death_date else None}


@dataclass(frozen=True)
class JkkDetails:
    accident_at: datetime  # B-JKK-1: the accident, or the diagnosis of an occupational disease
    description: str = ""

    @property
    def accident_date(self) -> date:
        return self.accident_at.date()

    def to_dict(self) -> dict[str, Any]:
        return {"accident_at": self.accident_at.isoformat(), "description": self.description}


@dataclass(frozen=True)
class JkDetails:
    death_date: date
    heirs: tuple[Heir, ...]  # every candidate named; B-JK-1 picks the rank that inherits
    periodic_at_once: bool = False  # the heirs' choice: the periodic part at once

    def to_dict(self) -> dict[str, Any]:
        return {"death_date": self.death_date.isoformat(), "periodic_at_once": self.periodic_at_once,
                "heirs": [{"name": h.name, "relation": h.relation.value, "nik": h.nik} for h in self.heirs]}


@dataclass(frozen=True)
class JpkDetails:
    care_date: date
    facility_code: str
    care: str  # a jpk.CareKind value
    claimed: int  # the receipt, rupiah

    def to_dict(self) -> dict[str, Any]:
        return {"care_date": self.care_date.isoformat(), "facility_code": self.facility_code, "care": self.care,
                "claimed": self.claimed}


ClaimDetails: TypeAlias = JhtDetails | JkkDetails | JkDetails | JpkDetails
DETAILS_OF = {Program.JHT: JhtDetails, Program.JKK: JkkDetails, Program.JK: JkDetails, Program.JPK: JpkDetails}


def rules_day(details: ClaimDetails, claimed_on: date) -> date:
    """The day whose rule version prices the claim."""
    if isinstance(details, JkkDetails):
        return details.accident_date
    if isinstance(details, JkDetails):
        return details.death_date
    if isinstance(details, JpkDetails):
        return details.care_date
    return claimed_on


def details_from_dict(program: Program, data: Mapping[str, Any]) -> ClaimDetails:
    """The stored form back (written by `to_dict`, so trusted)."""
    if program is Program.JHT:
        died = data.get("death_date")
        return JhtDetails(date.fromisoformat(died) if died else None)
    if program is Program.JKK:
        return JkkDetails(datetime.fromisoformat(data["accident_at"]), data.get("description", ""))
    if program is Program.JK:
        heirs = tuple(Heir(h["name"], HeirRelation(h["relation"]), h.get("nik", "")) for h in data["heirs"])
        return JkDetails(date.fromisoformat(data["death_date"]), heirs, bool(data.get("periodic_at_once")))
    return JpkDetails(date.fromisoformat(data["care_date"]), data["facility_code"], data["care"], int(data["claimed"]))
