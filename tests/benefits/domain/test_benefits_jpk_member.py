"""The JPK coverage check on a member's facts (pure): M-6 dependants on the day of care,
B-JPK-6 for care while the employer was in arrears, B-JPK-3's facility choice, and the
B-JHT-3 clock of a claim on hold; and a new rule version as changed figures."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.benefits.domain.benefit_rules import JPK_RULES, JKK_RULES
from services.benefits.domain.claim_details import JhtDetails
from services.benefits.domain.claims import Actor, Claim, submitted
from services.benefits.domain.documents import required_documents
from services.benefits.domain.facilities import Facility, FacilityChoice, FacilityKind, choose_facility
from services.benefits.domain.jht import Deadline
from services.benefits.domain.jpk_facts import CoverageQuery
from services.benefits.domain.jpk_kinds import CareKind
from services.benefits.domain.jpk_member import FamilyFacts, JpkMember, check_member_coverage, covered_dependants
from services.benefits.domain.member_facts import Employment, MemberFacts
from services.benefits.domain.payouts import BankAccount
from services.benefits.domain.programs import Program
from services.benefits.domain.rule_changes import with_changes
from services.chassis.errors import InvalidArgument, RuleViolation

RULES = JPK_RULES.versions[0]
WORKER = MemberFacts("10000000001", "Budi", date(1980, 5, 17), "ACTIVE", "20000001", "KC-BINJAI",
                     frozenset({"JHT", "JKK", "JK", "JPK"}), date(2010, 3, 1),
                     (Employment("20000001", "KC-BINJAI", date(2010, 3, 1)),))
PUSKESMAS = Facility("PKM-BNJ-01", "Puskesmas Binjai", "KC-BINJAI", FacilityKind.PUSKESMAS, date(2020, 1, 1))


def facts(family=(), **kwargs) -> JpkMember:
    values = dict(member=WORKER, marital_status="MARRIED", family=tuple(family),
                  choice=FacilityChoice(WORKER.kpj, "PKM-BNJ-01", date(2024, 1, 2), False, "dewi"),
                  facility_appointed=True, employer_in_arrears=False, arrears_paid_off_on=None)
    return JpkMember(**{**values, **kwargs})


def specialist(on: date = date(2024, 6, 3), asked: date | None = None) -> CoverageQuery:
    return CoverageQuery(on, "RS-BNJ-01", CareKind.REFERRED_SPECIALIST, asked_on=asked)


@pytest.mark.rule("M-6")
def test_m_6_a_child_drops_out_on_the_21st_birthday_and_the_next_moves_up():
    family = tuple(FamilyFacts(f"ch-{i}", f"Anak {i}", "CHILD", born, False) for i, born in enumerate(
        (date(2003, 6, 3), date(2006, 1, 1), date(2008, 1, 1), date(2010, 1, 1))))
    before = [p.member_id for p in covered_dependants("MARRIED", family, date(2024, 6, 2), RULES)]
    on_birthday = [p.member_id for p in covered_dependants("MARRIED", family, date(2024, 6, 3), RULES)]
    assert (before, on_birthday) == (["ch-0", "ch-1", "ch-2"], ["ch-1", "ch-2", "ch-3"])
    decision = check_member_coverage(specialist(), facts(family), "ch-0", RULES)
    assert (decision.covered, decision.rule_id, decision.reason_code) == (False, "M-6", "CHILD_AGE_LIMIT")


@pytest.mark.rule("B-JPK-6")
@pytest.mark.parametrize("paid_off, asked, expected", [
    (None, date(2024, 6, 3), (False, "B-JPK-6", "EMPLOYER_IN_ARREARS")),
    (date(2024, 3, 3), date(2024, 6, 3), (True, "B-JPK-1", "COVERED")),  # the last day: 3 March + 3 months
    (date(2024, 3, 2), date(2024, 6, 3), (False, "B-JPK-6", "CLAIM_TOO_LATE")),
])
def test_b_jpk_6_care_in_arrears_is_covered_only_within_3_months_of_paying_them_off(paid_off, asked, expected):
    decision = check_member_coverage(specialist(date(2024, 2, 20), asked),
                                     facts(employer_in_arrears=True, arrears_paid_off_on=paid_off), "", RULES)
    assert (decision.covered, decision.rule_id, decision.reason_code) == expected


@pytest.mark.rule("B-JPK-3")
def test_b_jpk_3_a_choice_changes_after_6_months_and_is_a_first_level_facility():
    first = choose_facility(WORKER.kpj, PUSKESMAS, date(2024, 1, 31), False, "dewi", current=None,
                            member_since=WORKER.member_since, rules=RULES)
    clinic = Facility("KLN-BNJ-02", "Klinik", "KC-BINJAI", FacilityKind.CLINIC, date(2020, 1, 1))
    with pytest.raises(RuleViolation) as early:  # 31 Jan + 6 months = 31 Jul
        choose_facility(WORKER.kpj, clinic, date(2024, 7, 30), False, "dewi", current=first,
                        member_since=WORKER.member_since, rules=RULES)
    assert (early.value.rule_id, early.value.code) == ("B-JPK-3", "TOO_SOON")
    assert choose_facility(WORKER.kpj, clinic, date(2024, 7, 31), False, "dewi", current=first,
                           member_since=WORKER.member_since, rules=RULES).facility_code == "KLN-BNJ-02"
    hospital = Facility("RS-BNJ-01", "RSUD", "KC-BINJAI", FacilityKind.HOSPITAL, date(2020, 1, 1))
    with pytest.raises(RuleViolation) as not_first_level:
        choose_facility(WORKER.kpj, hospital, date(2024, 8, 1), True, "dewi", current=first,
                        member_since=WORKER.member_since, rules=RULES)
    assert not_first_level.value.code == "NOT_A_FIRST_LEVEL_FACILITY"


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_a_hold_moves_the_due_day_by_the_days_it_waited():
    at, clerk = datetime(2024, 6, 3, 9, tzinfo=UTC), Actor("dewi", "KC-BINJAI")
    claim = submitted(Claim("c-1", WORKER.kpj, WORKER.npp, "KC-BINJAI", Program.JHT, "AGE_55", date(2024, 6, 3),
                            JhtDetails(), BankAccount("Budi", "BNI", "0123456789")), clerk, at)
    complete = claim.receive_documents(required_documents(Program.JHT, "AGE_55"), clerk, at, date(2024, 6, 3))
    held = complete.hold("K-1", "?", clerk, at, date(2024, 6, 13))  # 20 days left
    assert (held.deadline(date(2024, 7, 30)), held.days_left(date(2024, 7, 30))) == (Deadline.ON_HOLD, 20)
    back = held.resume("K-1", "ok", clerk, at, date(2024, 6, 23))  # 10 days on hold: 3 Jul + 10
    assert (back.payment_due_on, back.deadline(date(2024, 7, 13))) == (date(2024, 7, 13), Deadline.AT_RISK)


@pytest.mark.rule("B-JKK-4")
def test_b_jkk_4_a_new_version_is_the_one_in_force_with_its_figures_changed():
    base = JKK_RULES.versions[0].to_dict()
    changed = with_changes(base, [("medical_cap", 25_000_000), ("transport_caps.AIR", 2_500_000),
                                  ("stmb_blocks[2].rate_bp", 6_000)])
    assert (changed["medical_cap"], changed["transport_caps"]["AIR"], changed["stmb_blocks"][2]["rate_bp"]) == (
        25_000_000, 2_500_000, 6_000)
    assert base["medical_cap"] == 20_000_000 and changed["dentures_cap"] == base["dentures_cap"]
    for path in ("medical", "transport_caps", "source", "stmb_blocks[9].rate_bp", "a..b", "effective_from"):
        with pytest.raises(InvalidArgument):
            with_changes(base, [(path, 1)])
