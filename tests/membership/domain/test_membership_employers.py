"""Employer registration and changes (M-1) and the other membership kinds (M-7)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.chassis.errors import InvalidArgument
from services.membership.domain.employers import (
    ChangeEmployer,
    EmployerKind,
    EmployerStatus,
    RegisterEmployer,
    RiskGroup,
    change_employer,
    register_employer,
    registration_action,
    validate_registration,
)
from services.membership.domain.numbers import make_npp
from services.membership.domain.offices import default_office_tree
from services.membership.domain.roles import MembershipAction

TODAY = date(2024, 6, 1)
NPP = make_npp(17)
COMPANY = RegisterEmployer(
    branch_code="kc-binjai",
    legal_name="  PT Sawit   Binjai Makmur ",
    sector="Perkebunan kelapa sawit",
    address="Jl. Soekarno-Hatta No. 5, Binjai",
    registration_date=date(2024, 5, 20),
    risk_group="iii",
    tax_number="01.234.567.8-901.000",
)
PROJECT = replace(
    COMPANY, legal_name="Pembangunan Jembatan Sei Bingai", kind="CONSTRUCTION_PROJECT", tax_number=None,
    project_name="Jembatan Sei Bingai", contract_value_rupiah=4_500_000_000,
    project_start_date=date(2024, 7, 1), project_end_date=date(2025, 6, 30),
)


def fields(error: InvalidArgument) -> set[str]:
    return {v.field for v in error.violations}


@pytest.mark.rule("M-1")
def test_m1_registration_gives_an_employer_with_npp_branch_and_risk_group():
    employer = register_employer(NPP, COMPANY, TODAY, default_office_tree().all_branches())
    assert employer.npp == NPP and employer.branch_code == "KC-BINJAI"
    assert employer.legal_name == "PT Sawit Binjai Makmur"
    assert employer.risk_group is RiskGroup.III and employer.risk_group.number == 3
    assert employer.tax_number == "0012345678901000"
    assert employer.kind is EmployerKind.COMPANY and employer.status is EmployerStatus.ACTIVE
    assert employer.project is None


@pytest.mark.rule("M-1")
@pytest.mark.parametrize("value, expected", [
    ("I", RiskGroup.I), ("v", RiskGroup.V), (" IV ", RiskGroup.IV), (1, RiskGroup.I), (5, RiskGroup.V),
    ("2", RiskGroup.II), (RiskGroup.III, RiskGroup.III),
])
def test_m1_risk_group_is_read_from_roman_or_arabic_numerals(value, expected):
    assert RiskGroup.parse(value) is expected


@pytest.mark.rule("M-1")
@pytest.mark.parametrize("value", ["VI", "0", 0, 6, "", None, True, 2.0, "A"])
def test_m1_unknown_risk_group_is_rejected_naming_risk_group(value):
    with pytest.raises(InvalidArgument) as caught:
        RiskGroup.parse(value)
    assert fields(caught.value) == {"risk_group"}


@pytest.mark.rule("M-1")
def test_m1_registration_reports_every_missing_or_bad_field_at_once():
    bad = RegisterEmployer(branch_code="", legal_name="PT", sector=" ", address=None,
                           registration_date=date(2024, 6, 2), risk_group="VII", tax_number="123")
    with pytest.raises(InvalidArgument) as caught:
        validate_registration(bad, TODAY)
    assert fields(caught.value) == {"branch_code", "legal_name", "sector", "address",
                                    "registration_date", "risk_group", "tax_number"}


@pytest.mark.rule("M-1")
def test_m1_registration_date_in_the_future_is_rejected():
    with pytest.raises(InvalidArgument, match="registration_date: 2024-06-02 is in the future"):
        validate_registration(replace(COMPANY, registration_date=date(2024, 6, 2)), TODAY)


@pytest.mark.rule("M-1")
def test_m1_legal_name_length_is_bounded():
    with pytest.raises(InvalidArgument, match="legal_name"):
        validate_registration(replace(COMPANY, legal_name="X" * 201), TODAY)


@pytest.mark.rule("O-2")
def test_o2_registration_refuses_an_unknown_branch_when_branches_are_given():
    with pytest.raises(InvalidArgument, match="branch_code: KW-SUMBAGUT is not a branch office"):
        validate_registration(replace(COMPANY, branch_code="KW-SUMBAGUT"), TODAY,
                              default_office_tree().all_branches())


@pytest.mark.rule("M-7")
def test_m7_construction_project_carries_its_project_data_and_may_start_later():
    employer = register_employer(NPP, PROJECT, TODAY)
    assert employer.kind is EmployerKind.CONSTRUCTION_PROJECT
    assert employer.project.contract_value_rupiah == 4_500_000_000
    assert employer.project.start_date == date(2024, 7, 1)


@pytest.mark.rule("M-7")
def test_m7_construction_project_needs_name_value_and_ordered_dates():
    bad = replace(PROJECT, project_name=None, contract_value_rupiah=4.5e9,
                  project_start_date=date(2025, 1, 1), project_end_date=date(2024, 12, 31))
    with pytest.raises(InvalidArgument) as caught:
        validate_registration(bad, TODAY)
    assert fields(caught.value) == {"project_name", "contract_value_rupiah", "project_end_date"}


@pytest.mark.rule("M-7")
def test_m7_only_construction_projects_have_project_data():
    with pytest.raises(InvalidArgument) as caught:
        validate_registration(replace(COMPANY, project_name="Gedung"), TODAY)
    assert fields(caught.value) == {"project_name"}


@pytest.mark.rule("M-7")
def test_m7_each_kind_is_registered_under_its_own_action():
    assert registration_action(EmployerKind.COMPANY) is MembershipAction.REGISTER_EMPLOYER
    assert registration_action(EmployerKind.INFORMAL_SECTOR_GROUP) is MembershipAction.REGISTER_INFORMAL_PARTICIPANT
    assert registration_action(EmployerKind.CONSTRUCTION_PROJECT) is MembershipAction.REGISTER_CONSTRUCTION_PROJECT


@pytest.mark.rule("M-1")
def test_m1_unknown_kind_is_rejected_naming_kind():
    with pytest.raises(InvalidArgument) as caught:
        validate_registration(replace(COMPANY, kind="PARTNERSHIP"), TODAY)
    assert fields(caught.value) == {"kind"}


@pytest.mark.rule("M-1")
def test_m1_employer_change_keeps_npp_and_validates_fields():
    employer = register_employer(NPP, COMPANY, TODAY)
    changed = change_employer(employer, ChangeEmployer(address="Jl. Veteran 1, Binjai", risk_group=4))
    assert changed.npp == NPP and changed.address == "Jl. Veteran 1, Binjai"
    assert changed.risk_group is RiskGroup.IV and changed.legal_name == employer.legal_name
    with pytest.raises(InvalidArgument) as caught:
        change_employer(employer, ChangeEmployer(legal_name=" ", risk_group="X"))
    assert fields(caught.value) == {"legal_name", "risk_group"}
