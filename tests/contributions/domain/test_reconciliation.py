"""C-7 reconciliation worksheet: differences, and DRAFT -> VALIDATED -> POSTED (O-4)."""
from __future__ import annotations

from datetime import date

import pytest

from services.chassis.errors import RuleViolation
from services.contributions.domain.periods import Period
from services.contributions.domain.reconciliation import (
    DifferenceKind,
    ReceivedPayment,
    WorksheetState,
    prepare_worksheet,
)

DUE = date(2021, 4, 15)


def worksheet(rules, payments, *, billed=1_000_000, reported=1_000_000, as_of=date(2021, 4, 20),
              penalty_billed=0, prepared_by="adm-01"):
    return prepare_worksheet(worksheet_id="RK-1", npp="NPP-001", period=Period(2021, 3), billed_rupiah=billed,
                             reported_rupiah=reported, payments=payments, due_date=DUE, as_of=as_of, rules=rules,
                             prepared_by=prepared_by, penalty_billed_rupiah=penalty_billed)


def kinds(sheet):
    return {d.kind: d.amount_rupiah for d in sheet.differences}


class TestDifferences:
    @pytest.mark.rule("C-7")
    def test_c7_paid_in_full_on_time_has_no_differences(self, rules):
        sheet = worksheet(rules, [ReceivedPayment("BNI-1", 1_000_000, date(2021, 4, 14))])
        assert sheet.differences == ()
        assert sheet.state is WorksheetState.DRAFT

    @pytest.mark.rule("C-7")
    def test_c7_underpayment_and_penalty_on_the_unpaid_part(self, rules):
        sheet = worksheet(rules, [ReceivedPayment("BNI-1", 700_000, date(2021, 4, 14))])
        # 300,000 unpaid, 5 days late on 20 Apr = 1 started month: 2% x 300,000 = 6,000
        assert kinds(sheet) == {DifferenceKind.UNDER_PAYMENT: 300_000, DifferenceKind.PENALTY: 6_000}

    @pytest.mark.rule("C-7")
    def test_c7_overpayment_beyond_contribution_and_penalty(self, rules):
        sheet = worksheet(rules, [ReceivedPayment("BNI-1", 1_050_000, date(2021, 4, 16))], as_of=date(2021, 4, 20))
        # paid 1 day late: penalty 2% x 1,000,000 = 20,000; 1,050,000 - 1,000,000 - 20,000 = 30,000 over
        assert kinds(sheet) == {DifferenceKind.OVER_PAYMENT: 30_000, DifferenceKind.PENALTY: 20_000}
        assert sheet.penalty_due_rupiah == 20_000

    @pytest.mark.rule("C-7")
    def test_c7_penalty_correction_when_too_much_was_charged(self, rules):
        sheet = worksheet(rules, [ReceivedPayment("BNI-1", 1_000_000, date(2021, 4, 14))], penalty_billed=20_000)
        # paid on time, so the 20,000 penalty charged is corrected away
        assert kinds(sheet) == {DifferenceKind.PENALTY: -20_000}

    @pytest.mark.rule("C-7")
    def test_c7_unmatched_payments_are_listed_one_by_one(self, rules):
        sheet = worksheet(rules, [ReceivedPayment("BNI-1", 1_000_000, date(2021, 4, 14)),
                                  ReceivedPayment("BRI-7", 55_000, date(2021, 4, 14), matched=False)])
        assert [(d.kind, d.amount_rupiah, d.bank_reference) for d in sheet.differences] == [
            (DifferenceKind.UNMATCHED_PAYMENT, 55_000, "BRI-7")]

    @pytest.mark.rule("C-7")
    def test_c7_reported_amount_differing_from_bill_is_shown(self, rules):
        sheet = worksheet(rules, [ReceivedPayment("BNI-1", 1_000_000, date(2021, 4, 14))], reported=1_100_000)
        assert kinds(sheet) == {DifferenceKind.REPORTED_DIFFERENCE: 100_000}

    @pytest.mark.rule("C-6")
    def test_c6_worksheet_uses_the_period_rules_pp49_2020(self, rules_2020):
        sheet = worksheet(rules_2020, [], as_of=date(2021, 4, 16))
        # nothing paid, 1 started month at 0.5%: 5,000
        assert kinds(sheet)[DifferenceKind.PENALTY] == 5_000


class TestStates:
    @pytest.mark.rule("C-7")
    def test_c7_validated_by_another_officer_then_posted(self, rules):
        draft = worksheet(rules, [ReceivedPayment("BNI-1", 1_000_000, date(2021, 4, 14))])
        validated = draft.validate("adm-02", date(2021, 4, 21))
        posted = validated.post("adm-02", date(2021, 4, 22))
        assert (validated.state, validated.validated_by) == (WorksheetState.VALIDATED, "adm-02")
        assert (posted.state, posted.posted_by, posted.posted_on) == (WorksheetState.POSTED, "adm-02", date(2021, 4, 22))
        assert draft.state is WorksheetState.DRAFT  # immutable

    @pytest.mark.rule("C-7")
    def test_c7_draft_cannot_be_posted(self, rules):
        with pytest.raises(RuleViolation) as raised:
            worksheet(rules, []).post("adm-02", date(2021, 4, 21))
        assert raised.value.rule_id == "C-7"

    @pytest.mark.rule("C-7")
    def test_c7_posted_worksheet_cannot_be_validated_or_posted_again(self, rules):
        posted = worksheet(rules, []).validate("adm-02", date(2021, 4, 21)).post("adm-02", date(2021, 4, 21))
        for step in (posted.validate, posted.post):
            with pytest.raises(RuleViolation) as raised:
                step("adm-03", date(2021, 4, 22))
            assert raised.value.rule_id == "C-7"

    @pytest.mark.rule("O-4")
    def test_o4_preparer_cannot_validate_own_worksheet(self, rules):
        with pytest.raises(RuleViolation) as raised:
            worksheet(rules, [], prepared_by="adm-01").validate("adm-01", date(2021, 4, 21))
        assert raised.value.rule_id == "O-4"
