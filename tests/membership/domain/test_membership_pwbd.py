"""PWBD: companies that must register but have not (M-2)."""
from __future__ import annotations

from datetime import date

import pytest

from services.chassis.errors import RuleViolation
from services.membership.domain.employers import Employer, RiskGroup
from services.membership.domain.numbers import make_npp
from services.membership.domain.pwbd import (
    PwbdCandidate,
    PwbdEntry,
    PwbdStatus,
    match_candidate,
    normalise_address,
    normalise_company_name,
    validate_pwbd_row,
)


def employer(seq, name, address, npwp=None):
    return Employer(make_npp(seq), "KC-BINJAI", name, "Perdagangan", address, date(2020, 1, 1), RiskGroup.I,
                    tax_number=npwp)


REGISTERED = [
    employer(1, "PT Maju Jaya Tbk", "Jalan Sudirman Nomor 12, Binjai", "0012345678901000"),
    employer(2, "CV. Sumber Rejeki", "Jl. Gatot Subroto No. 7 Binjai"),
]


@pytest.mark.rule("M-2")
@pytest.mark.parametrize("raw, expected", [
    ("PT. Maju Jaya, Tbk.", "MAJU JAYA"),
    ("P.T. MAJU   JAYA (PERSERO)", "MAJU JAYA"),
    ("cv sumber-rejeki", "SUMBER REJEKI"),
    ("UD Toko Bérkah", "TOKO BERKAH"),
])
def test_m2_company_names_are_compared_without_legal_forms_and_punctuation(raw, expected):
    assert normalise_company_name(raw) == expected


@pytest.mark.rule("M-2")
def test_m2_addresses_are_compared_with_common_words_unified():
    assert normalise_address("Jln. Sudirman No.12, Binjai") == normalise_address("JALAN SUDIRMAN NOMOR 12 BINJAI")


@pytest.mark.rule("M-2")
def test_m2_candidate_matches_first_by_tax_number():
    candidate = PwbdCandidate("Maju Jaya Sejahtera", "KC-BINJAI", "somewhere else", "01.234.567.8-901.000")
    assert match_candidate(candidate, REGISTERED) == make_npp(1)


@pytest.mark.rule("M-2")
def test_m2_candidate_without_tax_number_matches_by_name_and_address():
    candidate = PwbdCandidate("Sumber Rejeki, CV", "KC-BINJAI", "jalan gatot subroto nomor 7, binjai")
    assert match_candidate(candidate, REGISTERED) == make_npp(2)


@pytest.mark.rule("M-2")
def test_m2_same_name_at_another_address_is_not_a_match():
    candidate = PwbdCandidate("CV Sumber Rejeki", "KC-BINJAI", "Jl. Gatot Subroto No. 9 Binjai")
    assert match_candidate(candidate, REGISTERED) is None


@pytest.mark.rule("M-2")
def test_m2_different_tax_numbers_mean_different_companies_despite_the_name():
    candidate = PwbdCandidate("PT Maju Jaya", "KC-BINJAI", "Jl. Sudirman No. 12, Binjai", "019876543210000")
    assert match_candidate(candidate, REGISTERED) is None


@pytest.mark.rule("M-2")
def test_m2_clean_import_row_becomes_a_candidate():
    row = {"name": " PT  Baru ", "branch_code": "kc-binjai", "address": "Jl. Baru 1",
           "tax_number": "01.234.567.8-901.001", "worker_estimate": "35"}
    candidate = validate_pwbd_row(row, known_branches={"KC-BINJAI"})
    assert candidate == PwbdCandidate("PT Baru", "KC-BINJAI", "Jl. Baru 1", "0012345678901001", 35)


@pytest.mark.rule("M-2")
def test_m2_bad_import_row_gives_every_reason():
    problems = validate_pwbd_row({"name": "", "branch_code": "KC-ATLANTIS", "worker_estimate": -3,
                                  "tax_number": "12-34"}, known_branches={"KC-BINJAI"})
    assert isinstance(problems, list)
    assert {p.field for p in problems} == {"name", "branch_code", "worker_estimate", "tax_number"}


@pytest.mark.rule("M-2")
def test_m2_missing_branch_and_non_numeric_estimate_are_reported():
    problems = validate_pwbd_row({"name": "PT X", "worker_estimate": "banyak"})
    assert {p.field for p in problems} == {"branch_code", "worker_estimate"}


@pytest.mark.rule("M-2")
def test_m2_notice_letters_are_recorded_until_the_company_registers():
    entry = PwbdEntry(PwbdCandidate("PT Baru", "KC-BINJAI"))
    entry = entry.record_notice(date(2024, 1, 10)).record_notice(date(2024, 3, 10))
    assert entry.status is PwbdStatus.NOTIFIED and len(entry.notices) == 2
    registered = entry.mark_registered(make_npp(3))
    with pytest.raises(RuleViolation) as caught:
        registered.record_notice(date(2024, 5, 10))
    assert caught.value.rule_id == "M-2"


@pytest.mark.rule("M-2")
def test_m2_npwp_read_as_a_number_from_a_spreadsheet_gets_its_leading_zero_back():
    candidate = validate_pwbd_row({"name": "PT Angka", "branch_code": "KC-BINJAI", "tax_number": 12345678901000})
    assert candidate.tax_number == "0012345678901000"
