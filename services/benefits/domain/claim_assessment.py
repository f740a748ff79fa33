"""Assessing a claim: the calculators (`jkk`, `jk`) fed with what the claim and the read
model know, with the rule version of the claim's own day (accident, death).

JHT has nothing to compute: the whole balance is what contributions settles (B-JHT-1), so
its assessment has no lines and the amount arrives with JhtSettled. A JKK claim is assessed
once the doctor's declaration is reported (stage II, B-JKK-1): the outcome comes from it.
A JPK refund pays the receipt, on a claim filed in time after any arrears (B-JPK-6).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import RuleViolation

from .accident_reports import ReportStage
from .benefit_items import Assessment, BenefitItem
from .benefit_rules import TransportMode, jk_rules_on, jkk_rules_on, jpk_rules_on
from .benefit_tables import SEEDED, BenefitTables
from .claim_details import JkDetails, JkkDetails, JpkDetails
from .claims import Claim
from .jk import assess_jk
from .jkk import DisabilityFinding, JkkCase, assess_jkk
from .jpk import claim_in_time

JHT_ASSESSMENT = Assessment(items=())


@dataclass(frozen=True)
class JkkFindings:
    """What the service officer verified from the receipts and the doctor (B-JKK-2..8)."""

    transport: tuple[tuple[TransportMode, int], ...] = ()
    stmb_months: int = 0
    stmb_extra_days: int = 0
    medical_claimed: int = 0
    dentures_claimed: int = 0
    disabilities: tuple[DisabilityFinding, ...] = ()
    left_handed: bool = False
    rehabilitation_price: int = 0
    medical_rehabilitation_claimed: int = 0


def assess_jkk_claim(claim: Claim, findings: JkkFindings, monthly_wage: int,
                     tables: BenefitTables = SEEDED) -> Assessment:
    """B-JKK-2..8 on the wage in force on the accident day, for the declared outcome, with
    the version of `tables.jkk` in force on the accident day."""
    details = claim.details
    assert isinstance(details, JkkDetails)
    declared = claim.report(ReportStage.STAGE_TWO)
    if declared is None or declared.outcome is None:
        raise RuleViolation("B-JKK-1", f"claim {claim.claim_id}: the doctor's declaration (stage II report) is "
                                       f"not recorded yet, so the outcome is unknown", code="STAGE_TWO_NOT_REPORTED")
    case = JkkCase(monthly_wage=monthly_wage, accident_date=details.accident_date, outcome=declared.outcome,
                   transport=findings.transport, stmb_months=findings.stmb_months,
                   stmb_extra_days=findings.stmb_extra_days, medical_claimed=findings.medical_claimed,
                   dentures_claimed=findings.dentures_claimed, disabilities=findings.disabilities,
                   left_handed=findings.left_handed, rehabilitation_price=findings.rehabilitation_price,
                   medical_rehabilitation_claimed=findings.medical_rehabilitation_claimed)
    return assess_jkk(case, jkk_rules_on(details.accident_date, tables.jkk))


def assess_jk_claim(claim: Claim, tables: BenefitTables = SEEDED) -> Assessment:
    """B-JK-1 with the version in force on the date of death, as the heirs chose to be paid."""
    details = claim.details
    assert isinstance(details, JkDetails)
    return assess_jk(jk_rules_on(details.death_date, tables.jk), periodic_at_once=details.periodic_at_once)


def require_jpk_claim_in_time(claim_details: JpkDetails, filed_on: date, in_arrears_on_care_day: bool,
                              arrears_paid_off_on: date | None, tables: BenefitTables = SEEDED) -> None:
    """B-JPK-6: care given while the employer was in arrears is refunded only on a claim
    filed within 3 months after the arrears were paid off (and not before they are)."""
    if not in_arrears_on_care_day:
        return
    if arrears_paid_off_on is None:
        raise RuleViolation("B-JPK-6", "the employer has not paid off the arrears it had on the day of care",
                            code="ARREARS_NOT_PAID_OFF")
    decision = claim_in_time(filed_on, arrears_paid_off_on, jpk_rules_on(claim_details.care_date, tables.jpk))
    if not decision.covered:
        raise RuleViolation(decision.rule_id, decision.message, code=decision.reason_code)


def assess_jpk_claim(claim: Claim) -> Assessment:
    """B-JPK-1: the receipt refunded as one line (the rule book caps no JPK refund)."""
    details = claim.details
    assert isinstance(details, JpkDetails)
    return Assessment((BenefitItem("JPK_REFUND", "B-JPK-1", f"care on {details.care_date.isoformat()} at "
                                   f"{details.facility_code}", details.claimed, claimed=details.claimed),))
