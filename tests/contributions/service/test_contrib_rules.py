"""Rule tables with effective dates (C-1..C-6, C-6a, C-9): seeded, read by anyone, changed by the head office only."""
from __future__ import annotations

import json
from datetime import date

import grpc
import pytest
from sqlalchemy import select

from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2, billing_pb2_grpc, rules_pb2, rules_pb2_grpc
from services.contributions.application.rules.mapping import contribution_rules_to_proto
from services.contributions.domain.rule_tables import SEED_CONTRIBUTION_RULES
from tests.contributions.service.read_model_support import Feed, d, employer_registered, office_tree, rp, worker_enrolled

HEAD_ADMIN = ("KP", "HEAD_OFFICE_ADMIN")


def rules(as_user, office="KC-BINJAI", role="ADMINISTRATION_OFFICER"):
    return as_user(office, role)(rules_pb2_grpc.RuleServiceStub)


def jk_half_percent_from(day: date) -> rules_pb2.ContributionRules:
    version = contribution_rules_to_proto(SEED_CONTRIBUTION_RULES.versions[-1])
    version.effective_from.CopyFrom(d(day))
    version.jk_employer_bp = 50
    version.source = "Hypothetical regulation: JK 0.5%"
    return version


def test_rule_tables_seeded_versions_are_listed_and_picked_by_date(as_user):
    stub = rules(as_user)
    versions = stub.ListRuleVersions(rules_pb2.ListRuleVersionsRequest(
        table=rules_pb2.RULE_TABLE_NAME_CONTRIBUTION_RULES)).versions
    assert [(v.effective_from.year, v.effective_from.month, v.created_by) for v in versions] == [
        (1993, 1, "seed"), (2020, 8, "seed"), (2021, 2, "seed")]
    relief = stub.GetRulesInForce(rules_pb2.GetRulesInForceRequest(date=d(date(2020, 9, 1))))
    normal = stub.GetRulesInForce(rules_pb2.GetRulesInForceRequest(date=d(date(2021, 3, 1))))
    assert (relief.contribution_rules.due_day, relief.contribution_rules.penalty_bp_per_month) == (30, 50)
    assert (normal.contribution_rules.due_day, normal.contribution_rules.penalty_bp_per_month) == (15, 200)
    c = normal.contribution_rules  # C-1..C-4 as seeded
    assert (c.jht_employer_bp, c.jht_worker_bp, c.jk_employer_bp, c.jpk_single_bp, c.jpk_married_bp, c.jpk_wage_cap.rupiah) == (
        370, 200, 30, 300, 600, 1_000_000)
    assert [r.rate_bp for r in c.jkk_rates] == [24, 54, 89, 127, 174] and not c.HasField("penalty_cap_bp")
    assert stub.GetRulesInForce(rules_pb2.GetRulesInForceRequest(date=d(date(2011, 6, 1)))).jht_return_rate.rate_bp == 1010
    assert not stub.GetRulesInForce(rules_pb2.GetRulesInForceRequest(date=d(date(2030, 6, 1)))).HasField("jht_return_rate")


def test_rule_tables_change_only_by_a_head_office_administrator(as_user):
    for office, role in (("KC-BINJAI", "ADMINISTRATION_OFFICER"), ("KW-DKI", "HEAD_OFFICE_ADMIN"),
                         ("KP", "HEAD_OFFICE_AUDITOR")):
        with pytest.raises(grpc.RpcError) as err:
            rules(as_user, office, role).AddRuleVersion(rules_pb2.AddRuleVersionRequest(
                request_id=f"v-{office}-{role}", contribution_rules=jk_half_percent_from(date(2030, 1, 1)), reason="PP xx/2030"))
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, (office, role)


def test_rule_tables_a_new_version_is_audited_idempotent_and_rules_its_own_periods_only(as_user, contributions):
    feed = Feed(contributions)
    feed(office_tree(), employer_registered("10000001"), worker_enrolled("20000000001", "10000001", 5_000_000))
    request = rules_pb2.AddRuleVersionRequest(request_id="v-2024-06", contribution_rules=jk_half_percent_from(date(2024, 6, 1)),
                                              reason="PP 99/2024 raises JK to 0.5%")
    added = rules(as_user, *HEAD_ADMIN).AddRuleVersion(request).version
    assert rules(as_user, *HEAD_ADMIN).AddRuleVersion(request).version == added  # a retry
    assert added.created_by == "kp-head_office_admin" and added.reason == "PP 99/2024 raises JK to 0.5%"
    with pytest.raises(grpc.RpcError) as err:  # the same date again, another request
        rules(as_user, *HEAD_ADMIN).AddRuleVersion(rules_pb2.AddRuleVersionRequest(
            request_id="v-again", contribution_rules=jk_half_percent_from(date(2024, 6, 1)), reason="again"))
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    audit = contributions.app.ctx.base.tables["audit"]
    with contributions.app.ctx.base.read_session() as session:
        rows = session.execute(select(audit).where(audit.c.action == "rules.add_version")).all()
    assert [(r.user_id, r.office_code, r.subject, r.reason) for r in rows] == [
        ("kp-head_office_admin", "KP", "contribution_rules@2024-06-01", "PP 99/2024 raises JK to 0.5%")]
    assert json.loads(rows[0].detail)["jk_employer_bp"] == 50

    billing = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(billing_pb2_grpc.BillingServiceStub)
    jk = {}
    for month in (5, 6):
        billing.StartBillingRun(billing_pb2.StartBillingRunRequest(
            request_id=f"run-{month}", period=types_pb2.Period(year=2024, month=month), branch_code="KC-BINJAI"))
        bill = billing.GetBill(billing_pb2.GetBillRequest(bill_number=f"SPI-2024{month:02d}-10000001")).bill
        jk[month] = [l.amount.rupiah for l in bill.lines if l.program == "JK"][0]
    assert jk == {5: 15_000, 6: 25_000}  # 0.3% before the version, 0.5% from its first period

    # May and June are billed: a version from 2024-05-01 would alter issued bills (C-5), and so would
    # a UMK from June (C-6a); a version from 2024-06-15 rules July on and is accepted.
    with pytest.raises(grpc.RpcError) as err:
        rules(as_user, *HEAD_ADMIN).AddRuleVersion(rules_pb2.AddRuleVersionRequest(
            request_id="v-retro", contribution_rules=jk_half_percent_from(date(2024, 5, 1)), reason="retroactive"))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "C-5" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        rules(as_user, *HEAD_ADMIN).SetUmkRate(rules_pb2.SetUmkRateRequest(request_id="umk-retro", reason="late", rate=
                                               rules_pb2.UmkRate(branch_code="KC-BINJAI", effective_from=d(date(2024, 6, 1)),
                                                                 monthly_wage=rp(3_000_000))))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "C-6a" in err.value.details()
    rules(as_user, *HEAD_ADMIN).AddRuleVersion(rules_pb2.AddRuleVersionRequest(
        request_id="v-july", contribution_rules=jk_half_percent_from(date(2024, 6, 15)), reason="from July"))


def test_rule_tables_an_invalid_version_is_refused_field_by_field(as_user):
    version = jk_half_percent_from(date(2030, 1, 1))
    del version.jkk_rates[4]
    version.due_day = 40
    version.source = ""
    with pytest.raises(grpc.RpcError) as err:
        rules(as_user, *HEAD_ADMIN).AddRuleVersion(rules_pb2.AddRuleVersionRequest(
            request_id="bad", contribution_rules=version, reason="test"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    for field in ("contribution_rules.jkk_bp_by_risk_group", "contribution_rules.due_day", "contribution_rules.source"):
        assert field in err.value.details()
    with pytest.raises(grpc.RpcError) as err:  # no reason given
        rules(as_user, *HEAD_ADMIN).AddRuleVersion(rules_pb2.AddRuleVersionRequest(
            request_id="no-reason", contribution_rules=jk_half_percent_from(date(2030, 1, 1))))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.rule("C-9")
def test_c9_a_declared_jht_return_rate_is_a_version_of_its_year(as_user):
    stub = rules(as_user, *HEAD_ADMIN)
    stub.AddRuleVersion(rules_pb2.AddRuleVersionRequest(request_id="jht-2014", reason="Declared 2014 return", jht_return_rate=
                        rules_pb2.JhtReturnRate(year=2014, rate_bp=1020, source="Direksi decision 2014")))
    assert stub.GetRulesInForce(rules_pb2.GetRulesInForceRequest(date=d(date(2014, 7, 1)))).jht_return_rate.rate_bp == 1020
    with pytest.raises(grpc.RpcError) as err:  # C-9: never below the state-bank deposit rate
        stub.AddRuleVersion(rules_pb2.AddRuleVersionRequest(request_id="jht-2015", reason="x", jht_return_rate=
                            rules_pb2.JhtReturnRate(year=2015, rate_bp=500, source="x", deposit_rate_floor_bp=600)))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.rule("C-6", "C-6a")
def test_c6_holidays_and_c6a_umk_are_set_by_the_head_office_and_read_by_branches(as_user):
    head = rules(as_user, *HEAD_ADMIN)
    head.SetHolidays(rules_pb2.SetHolidaysRequest(request_id="h", year=2024, reason="SKB 2024", holidays=[
        rules_pb2.Holiday(day=d(date(2024, 4, 10)), name="Idul Fitri")]))
    head.SetUmkRate(rules_pb2.SetUmkRateRequest(request_id="u", reason="UMK 2024", rate=rules_pb2.UmkRate(
        branch_code="KC-BINJAI", effective_from=d(date(2024, 1, 1)), monthly_wage=rp(2_900_000))))
    branch = rules(as_user)
    assert [h.name for h in branch.ListHolidays(rules_pb2.ListHolidaysRequest(year=2024)).holidays] == ["Idul Fitri"]
    assert [r.monthly_wage.rupiah for r in branch.ListUmkRates(rules_pb2.ListUmkRatesRequest(branch_code="KC-BINJAI")).rates] == [2_900_000]
    for call in (lambda: branch.SetHolidays(rules_pb2.SetHolidaysRequest(request_id="h2", year=2024, reason="x")),
                 lambda: branch.SetUmkRate(rules_pb2.SetUmkRateRequest(request_id="u2", reason="x", rate=rules_pb2.UmkRate(
                     branch_code="KC-BINJAI", effective_from=d(date(2025, 1, 1)), monthly_wage=rp(1))))):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:  # a holiday outside the year it is set for
        head.SetHolidays(rules_pb2.SetHolidaysRequest(request_id="h3", year=2025, reason="x", holidays=[
            rules_pb2.Holiday(day=d(date(2024, 12, 25)), name="Natal")]))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.rule("C-6a", "W-S-2")
def test_c6a_a_umk_rate_and_a_rule_version_are_published_for_the_services_that_replicate_them(as_user, contributions):
    from jamsos.common.v1 import rule_tables_pb2
    from tests.contributions.service.money_fixtures import events

    head = rules(as_user, *HEAD_ADMIN)
    head.SetUmkRate(rules_pb2.SetUmkRateRequest(request_id="pub-u", reason="UMK 2030", rate=rules_pb2.UmkRate(
        branch_code="KC-BINJAI", effective_from=d(date(2030, 1, 1)), monthly_wage=rp(5_100_000))))
    head.AddRuleVersion(rules_pb2.AddRuleVersionRequest(request_id="pub-r", reason="PP 2030",
                                                        contribution_rules=jk_half_percent_from(date(2030, 1, 1))))
    published = events(contributions, rule_tables_pb2.RuleVersionPublished)
    assert [(e.table_name, e.key, e.effective_from.year) for e in published] == [
        ("umk_rates", "KC-BINJAI", 2030), ("contribution_rules", "", 2030)]
    assert json.loads(published[0].payload_json) == {"monthly_rupiah": 5_100_000}
    assert json.loads(published[1].payload_json)["jk_employer_bp"] == 50 and published[1].reason == "PP 2030"
