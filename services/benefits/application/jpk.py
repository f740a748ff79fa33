"""Component `jpk`: the health facility registry (B-JPK-4), the member's first-level
facility (B-JPK-3), the coverage check a facility asks before treating someone and the care
records it counts on (B-JPK-1..7, M-6).

Split by responsibility:
- `jpk_facilities` RegisterFacility, ListFacilities, ChooseFacility, GetMemberFacility
- `jpk_coverage`   CheckJpkCoverage, RecordJpkCare
- `jpk_commands`   the commands and results
"""
from __future__ import annotations

from dataclasses import dataclass

from services.benefits.application.jpk_coverage import CoverageUseCases
from services.benefits.application.jpk_facilities import FacilityUseCases
from services.chassis.service_context import ServiceContext


@dataclass
class JpkUseCases:
    ctx: ServiceContext
    facilities: FacilityUseCases
    coverage: CoverageUseCases


def build(ctx: ServiceContext) -> JpkUseCases:
    return JpkUseCases(ctx, FacilityUseCases(ctx), CoverageUseCases(ctx))
