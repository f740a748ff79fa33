"""The benefit rule tables are dated versions in the rule store: the rule book's figures are
the seeded first versions, the head office adds a version from today on, and a claim whose
own day falls on or after it is computed with it (here B-JKK-4's medical cap). Today is
2024-06-03."""
from __future__ import annotations

import json
from datetime import date

import grpc
import pytest

from jamsos.benefits.v1 import claims_pb2 as pb
from jamsos.benefits.v1 import rules_pb2 as rpb
from jamsos.common.v1 import rule_tables_pb2
from tests.benefits.service.support import (
    HEAD, JKK_DOCUMENTS, SERVICE, at, d, jkk_request, member, outbox, report_stage_two, rid, rp,
)
from tests.service_harness import violated_fields

ADMIN = "HEAD_OFFICE_ADMIN"


def versions(callers, table=rpb.BENEFIT_RULE_TABLE_JKK) -> list[rpb.BenefitRuleVersion]:
    return list(callers.rules(SERVICE).ListBenefitRuleVersions(rpb.ListBenefitRuleVersionsRequest(table=table)).versions)


def add(callers, changes: dict, *, effective: date = date(2024, 6, 3), office: str = "KP", role: str = ADMIN,
        table=rpb.BENEFIT_RULE_TABLE_JKK, reason: str = "PP 44/2015 (test)") -> rpb.BenefitRuleVersion:
    return callers.rules(role, office=office).AddBenefitRuleVersion(rpb.AddBenefitRuleVersionRequest(
        request_id=rid("rule"), table=table, effective_from=d(effective), reason=reason,
        changes=[rpb.BenefitRuleFigure(name=k, value=v) for k, v in changes.items()])).version


def medical_line(callers, kpj: str, accident) -> int:
    """A JKK claim assessed on a medical receipt of Rp24,000,000: the MEDICAL line paid."""
    officer = callers.claims(SERVICE)
    claim = officer.SubmitClaim(jkk_request(kpj, accident, accident)).claim
    report_stage_two(callers, claim.claim_id, at(2024, 6, 3, 10), at(2024, 6, 3, 11), pb.JKK_OUTCOME_RECOVERED)
    officer.CheckDocuments(pb.CheckDocumentsRequest(request_id=rid(), claim_id=claim.claim_id, documents=JKK_DOCUMENTS))
    assessed = officer.AssessClaim(pb.AssessClaimRequest(request_id=rid(), claim_id=claim.claim_id, jkk=pb.JkkAssessment(
        medical_claimed=rp(24_000_000)))).claim
    return next(i.amount.rupiah for i in assessed.assessment.items if i.code == "MEDICAL")


@pytest.mark.rule("B-JKK-4", "B-JKK-2")
def test_b_jkk_4_a_claim_dated_after_a_new_version_uses_its_cap(service, feed, callers):
    [seed] = versions(callers)
    assert (seed.created_by, seed.effective_from) == ("seed", d(date(2010, 12, 20)))
    assert json.loads(seed.version_json)["medical_cap"] == 20_000_000
    added = add(callers, {"medical_cap": 25_000_000})
    figures = json.loads(added.version_json)
    assert (figures["medical_cap"], figures["dentures_cap"], figures["source"], added.reason) == (
        25_000_000, 2_000_000, "PP 44/2015 (test)", "PP 44/2015 (test)")  # the rest carried over
    assert [v.effective_from for v in versions(callers)] == [d(date(2010, 12, 20)), d(date(2024, 6, 3))]
    [published] = outbox(service, rule_tables_pb2.RuleVersionPublished, "benefits_jkk_rules:")
    assert json.loads(published.payload_json)["medical_cap"] == 25_000_000

    kpj, _ = member(feed)
    assert medical_line(callers, kpj, at(2024, 6, 3, 7)) == 24_000_000  # under the new cap of Rp25,000,000
    other, _ = member(feed)
    assert medical_line(callers, other, at(2024, 6, 2, 7)) == 20_000_000  # the day before: the old cap


@pytest.mark.rule("B-JKK-2", "B-JKK-3")
@pytest.mark.parametrize("options, changes, fields", [
    (dict(effective=date(2024, 6, 2)), {"medical_cap": 1}, {"effective_from"}),
    ({}, {"medical_cap": 2**62}, {"changes[0].value"}),
    ({}, {"medical_cap": -1}, {"changes[0].value"}),
    ({}, {"no_such_cap": 1}, {"changes[0].name"}),
    ({}, {"transport_caps": 1}, {"changes[0].name"}),
    ({}, {"stmb_blocks[7].rate_bp": 1}, {"changes[0].name"}),
    ({}, {"source": 1}, {"changes[0].name"}),
    ({}, {"stmb_blocks[0].months": 0}, {"changes"}),  # a block of at least one month
    ({}, {}, {"changes"}),
    (dict(reason=" "), {"medical_cap": 1}, {"reason"}),
    (dict(table=0), {"medical_cap": 1}, {"table"}),
])
def test_b_jkk_2_a_new_version_is_refused_when_not_whole_or_in_the_past(callers, options, changes, fields):
    with pytest.raises(grpc.RpcError) as bad:
        add(callers, changes, effective=options.get("effective", date(2024, 7, 1)),
            **{k: v for k, v in options.items() if k != "effective"})
    assert (bad.value.code(), violated_fields(bad.value)) == (grpc.StatusCode.INVALID_ARGUMENT, fields)


@pytest.mark.rule("O-2", "O-3")
def test_o_3_only_the_head_office_administrator_adds_a_version(callers):
    for role, office in ((SERVICE, "KC-BINJAI"), (HEAD, "KC-BINJAI"), (ADMIN, "KC-BINJAI")):
        with pytest.raises(grpc.RpcError) as refused:
            add(callers, {"care_days_per_case_per_year": 90}, role=role, office=office,
                table=rpb.BENEFIT_RULE_TABLE_JPK, effective=date(2024, 8, 1))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    add(callers, {"care_days_per_case_per_year": 90}, table=rpb.BENEFIT_RULE_TABLE_JPK, effective=date(2024, 8, 1))
    with pytest.raises(grpc.RpcError) as twice:
        add(callers, {"care_days_per_case_per_year": 91}, table=rpb.BENEFIT_RULE_TABLE_JPK, effective=date(2024, 8, 1))
    assert twice.value.code() == grpc.StatusCode.ALREADY_EXISTS
