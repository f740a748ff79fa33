"""The employer's work-accident reports (B-JKK-1): stage I within 2 x 24 hours of the
accident, stage II within 2 x 24 hours of the doctor declaring the worker recovered (with
or without a disability) or dead. A late report is flagged on the claim, never refused:
the worker is covered whatever the employer's delay.

The 2 x 24 hours are a dated rule table (UU 3/1992 and PP 14/1993, the Jamsostek-era
rules the seed follows; the date is the regulation's, to confirm).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from services.chassis.errors import InvalidArgument
from services.chassis.rule_tables import RuleTable, parse_iso_date

from .jkk import JkkOutcome


class ReportStage(str, Enum):
    STAGE_ONE = "STAGE_ONE"  # the accident happened
    STAGE_TWO = "STAGE_TWO"  # the doctor declared the worker recovered or dead


@dataclass(frozen=True)
class AccidentReportRules:
    effective_from: date
    source: str
    report_within_hours: int  # B-JKK-1: 2 x 24 hours, each stage

    def __post_init__(self) -> None:
        if not isinstance(self.report_within_hours, int) or self.report_within_hours <= 0:
            raise InvalidArgument.field("report_within_hours", "must be a positive whole number of hours")

    def to_dict(self) -> dict[str, Any]:
        return {"effective_from": self.effective_from.isoformat(), "source": self.source,
                "report_within_hours": self.report_within_hours}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccidentReportRules:
        return cls(parse_iso_date("effective_from", data.get("effective_from")), str(data.get("source", "")),
                   data.get("report_within_hours", 0))


ACCIDENT_REPORT_RULES: RuleTable[AccidentReportRules] = RuleTable((
    AccidentReportRules(date(1993, 2, 27), "UU 3/1992, PP 14/1993 (seed 003): B-JKK-1", report_within_hours=48),
), rule_id="B-JKK-1")


@dataclass(frozen=True)
class AccidentReport:
    stage: ReportStage
    occurred_at: datetime  # the accident (stage I) or the doctor's declaration (stage II)
    reported_at: datetime
    late: bool
    outcome: JkkOutcome | None = None  # stage II only

    @property
    def hours_taken(self) -> int:
        return int((self.reported_at - self.occurred_at).total_seconds() // 3600)


def accident_report(stage: ReportStage, occurred_at: datetime, reported_at: datetime, *, now: datetime,
                    rules: AccidentReportRules, fields: tuple[str, str],
                    outcome: JkkOutcome | None = None) -> AccidentReport:
    """A report as received; `fields` name the two times in the request (for errors).
    Neither time may lie ahead of `now`, nor the report come before what it reports."""
    occurred_field, reported_field = fields
    if occurred_at > now:
        raise InvalidArgument.field(occurred_field, f"{occurred_at.isoformat()} is in the future")
    if reported_at > now:
        raise InvalidArgument.field(reported_field, f"{reported_at.isoformat()} is in the future")
    if reported_at < occurred_at:
        raise InvalidArgument.field(reported_field, f"the report ({reported_at.isoformat()}) comes before what it "
                                                    f"reports ({occurred_at.isoformat()})")
    if stage is ReportStage.STAGE_TWO and outcome is None:
        raise InvalidArgument.field("outcome", "stage II declares the outcome: RECOVERED, PARTIAL_DISABILITY, "
                                               "TOTAL_DISABILITY or DEATH")
    late = reported_at - occurred_at > timedelta(hours=rules.report_within_hours)
    return AccidentReport(stage, occurred_at, reported_at, late, outcome)
