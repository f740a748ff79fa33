"""The kinds of JPK care (B-JPK-1, B-JPK-7) and of covered person, and which B-JPK-5
exclusion each extra benefit exists to lift."""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType


class CareKind(str, Enum):
    FIRST_LEVEL_OUTPATIENT = "FIRST_LEVEL_OUTPATIENT"  # rawat jalan tingkat I, at the member's own facility
    REFERRED_SPECIALIST = "REFERRED_SPECIALIST"  # rawat jalan tingkat II, on referral
    INPATIENT = "INPATIENT"  # rawat inap
    CHILDBIRTH = "CHILDBIRTH"  # persalinan (B-JPK-2)
    SPECIAL_SERVICE = "SPECIAL_SERVICE"  # glasses, dentures, hearing aids, prostheses: worker only
    EMERGENCY = "EMERGENCY"  # emergensi (B-JPK-4)
    EXTRA_CHECKUP = "EXTRA_CHECKUP"  # B-JPK-7: workers from 40
    EXTRA_HAEMODIALYSIS = "EXTRA_HAEMODIALYSIS"  # B-JPK-7: workers and families
    EXTRA_CANCER = "EXTRA_CANCER"
    EXTRA_HIV_AIDS = "EXTRA_HIV_AIDS"
    EXTRA_HEART_SURGERY = "EXTRA_HEART_SURGERY"


class PersonKind(str, Enum):
    WORKER = "WORKER"
    SPOUSE = "SPOUSE"
    CHILD = "CHILD"


#: B-JPK-7 lifts these B-JPK-5 exclusions for its own kind of care (seed 003: "manfaat tambahan").
LIFTED_BY_EXTRA: Mapping[CareKind, frozenset[str]] = MappingProxyType({
    CareKind.EXTRA_CHECKUP: frozenset({"GENERAL_CHECKUP"}),
    CareKind.EXTRA_HAEMODIALYSIS: frozenset({"HAEMODIALYSIS"}),
    CareKind.EXTRA_CANCER: frozenset({"CANCER"}),
    CareKind.EXTRA_HIV_AIDS: frozenset({"SEXUALLY_TRANSMITTED_DISEASE"}),
    CareKind.EXTRA_HEART_SURGERY: frozenset({"HEART_SURGERY", "THERAPEUTIC_CARDIAC_CATHETERISATION"}),
})
