"""The four programs a claim is made under and the reasons each accepts.

A claim names its program and one reason of that program; the reason picks the document
checklist (B-JHT-2, B-JKK-9) and, for JHT, the eligibility test (B-JHT-1).
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from services.chassis.errors import InvalidArgument, RuleViolation


class Program(str, Enum):
    JHT = "JHT"  # Jaminan Hari Tua, old-age savings
    JKK = "JKK"  # Jaminan Kecelakaan Kerja, work accident
    JK = "JK"  # Jaminan Kematian, death not from a work accident
    JPK = "JPK"  # Jaminan Pemeliharaan Kesehatan, health care


class JhtReason(str, Enum):
    """B-JHT-1: when the whole balance is paid."""

    AGE_55 = "AGE_55"
    DEATH = "DEATH"
    TOTAL_DISABILITY = "TOTAL_DISABILITY"
    LEFT_COUNTRY = "LEFT_COUNTRY"  # leaves Indonesia for good
    CIVIL_SERVICE = "CIVIL_SERVICE"  # becomes a civil servant, police or military member
    TERMINATION = "TERMINATION"  # PHK, after 5 years of membership and a 1-month wait


class JkkCause(str, Enum):
    """B-JKK-1: what the work-accident program covers."""

    WORK_ACCIDENT = "WORK_ACCIDENT"  # at work, or on the way from home to work and back
    OCCUPATIONAL_DISEASE = "OCCUPATIONAL_DISEASE"


class JkReason(str, Enum):
    DEATH = "DEATH"  # B-JK-1: death not from a work accident


class JpkReason(str, Enum):
    REIMBURSEMENT = "REIMBURSEMENT"  # care paid by the member, refunded within the limits


REASONS: Mapping[Program, frozenset[str]] = MappingProxyType({
    Program.JHT: frozenset(r.value for r in JhtReason),
    Program.JKK: frozenset(r.value for r in JkkCause),
    Program.JK: frozenset(r.value for r in JkReason),
    Program.JPK: frozenset(r.value for r in JpkReason),
})


def validate_reason(program: Program, reason: str, field: str = "reason") -> str:
    """The reason code when `program` knows it; InvalidArgument naming `field` otherwise."""
    if reason not in REASONS[program]:
        accepted = ", ".join(sorted(REASONS[program]))
        raise InvalidArgument.field(field, f"{reason or '(none)'} is not a {program.value} claim reason: use {accepted}")
    return reason


def require_enrolled(programs: frozenset[str], program: Program, kpj: str) -> None:
    """M-4: a claim only under a program the worker is enrolled in."""
    if program.value not in programs:
        raise RuleViolation("M-4", f"KPJ {kpj} is not enrolled in {program.value}", code="NOT_ENROLLED_IN_PROGRAM")
