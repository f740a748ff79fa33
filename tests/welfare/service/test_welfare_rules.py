"""The welfare rule tables as data: a new version from its date, added by the head office
with its reason; the date of an application picks the version (W-S-1, W-K-2)."""
from __future__ import annotations

from datetime import date

import grpc
import pytest

from jamsos.welfare.v1 import rules_pb2 as pb
from jamsos.welfare.v1 import rules_pb2_grpc as pb_grpc
from jamsos.welfare.v1 import scholarships_pb2 as sch
from tests.welfare.service.support import TODAY, d, rid, umk_version, violated_fields
from tests.welfare.service.test_welfare_scholarships import DOCS, award, check, child, scholarships

SCHOLARSHIP = pb.WELFARE_RULE_TABLE_SCHOLARSHIP


def rules(welfare, office: str = "KP", role: str = "HEAD_OFFICE_ADMIN"):
    return welfare.stub(pb_grpc.WelfareRuleServiceStub, office, role)


def seeded(welfare) -> dict[str, int]:
    """The figures of the rule book's version (the first of the table)."""
    version = rules(welfare, "KC-BINJAI", "SERVICE_OFFICER").ListWelfareRuleVersions(
        pb.ListWelfareRuleVersionsRequest(table=SCHOLARSHIP)).versions[0]
    return {f.name: f.value for f in version.figures}


def add(welfare, effective: date, figures: dict[str, int], office: str = "KP", role: str = "HEAD_OFFICE_ADMIN"):
    return rules(welfare, office, role).AddWelfareRuleVersion(pb.AddWelfareRuleVersionRequest(
        request_id=rid(), table=SCHOLARSHIP, effective_from=d(effective), reason="Peraturan Direksi 2025",
        figures=[pb.RuleFigure(name=k, value=v) for k, v in figures.items()]))


def awarded_monthly(welfare, kpj: str, applied: date) -> int:
    application = scholarships(welfare).SubmitScholarshipApplication(sch.SubmitScholarshipApplicationRequest(
        request_id=rid(), kpj=kpj, child=child(), documents=DOCS, applied_on=d(applied))).application
    assert check(welfare, application.application_id).eligible
    return award(welfare, application.application_id).monthly_amount.rupiah


@pytest.mark.rule("W-S-1")
def test_a_new_version_rules_the_applications_of_its_date(welfare):
    assert seeded(welfare)["senior_high_monthly_rupiah"] == 200_000
    added = add(welfare, date(2025, 7, 1), {**seeded(welfare), "senior_high_monthly_rupiah": 250_000}).version
    assert added.created_by and added.reason == "Peraturan Direksi 2025"
    welfare.feed(umk_version("KC-BINJAI", 2_900_000))
    kpj = welfare.worker(welfare.employer())
    welfare.runtime.app.ctx.today = lambda: date(2025, 7, 15)
    try:
        assert awarded_monthly(welfare, kpj, date(2025, 6, 20)) == 200_000  # the seeded version
        assert awarded_monthly(welfare, kpj, date(2025, 7, 2)) == 250_000  # the new one
    finally:
        welfare.runtime.app.ctx.today = lambda: TODAY
    listed = rules(welfare).ListWelfareRuleVersions(pb.ListWelfareRuleVersionsRequest(table=SCHOLARSHIP)).versions
    assert [(v.effective_from.year, v.effective_from.month) for v in listed] == [(2000, 1), (2025, 7)]


def test_only_the_head_office_adds_versions_and_never_back_dated(welfare):
    with pytest.raises(grpc.RpcError) as refused:
        add(welfare, date(2025, 8, 1), seeded(welfare), office="KW-SUMBAGUT", role="HEAD_OFFICE_ADMIN")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as refused:
        add(welfare, date(2025, 8, 1), seeded(welfare), office="KC-BINJAI", role="BRANCH_HEAD")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as back:
        add(welfare, date(2025, 6, 1), seeded(welfare))
    assert violated_fields(back.value) == {"effective_from"}


def test_a_version_names_every_figure_of_its_table(welfare):
    figures = seeded(welfare)
    del figures["months"]
    with pytest.raises(grpc.RpcError) as bad:
        add(welfare, date(2025, 9, 1), figures)
    assert violated_fields(bad.value) == {"months"}
    with pytest.raises(grpc.RpcError) as bad:
        add(welfare, date(2025, 9, 1), {**seeded(welfare), "bonus_rupiah": 5})
    assert violated_fields(bad.value) == {"bonus_rupiah"}
    with pytest.raises(grpc.RpcError) as bad:
        add(welfare, date(2025, 9, 1), {**seeded(welfare), "months": 0})
    assert violated_fields(bad.value) == {"months"}
    add(welfare, date(2025, 9, 1), seeded(welfare))
    with pytest.raises(grpc.RpcError) as twice:
        add(welfare, date(2025, 9, 1), seeded(welfare))
    assert twice.value.code() == grpc.StatusCode.ALREADY_EXISTS
