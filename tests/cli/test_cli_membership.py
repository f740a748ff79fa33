"""`jamsos` against the real membership service: employers, workers, CSV enrolment, cards,
and the one-line errors with their exit codes (bad input 2, other branch 3, denied 5)."""
from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from cli import errors
from services.membership.domain.numbers import make_npp
from tests.cli.conftest import enrol_worker, new_nik, register_employer

ADMIN, MARKETING = "ADMINISTRATION_OFFICER", "MARKETING_OFFICER"


@pytest.mark.rule("M-1")
def test_m1_register_an_employer_then_show_it_as_json_and_as_a_table(platform):
    npp = register_employer(platform, risk_group=3, name="PT Teh Wangi")
    shown = platform.jamsos("KC-BINJAI", ADMIN, "employer", "show", npp)
    assert shown.exit_code == 0
    employer = shown.json()["employer"]
    assert len(employer["npp"]) == 8 and employer["branch_code"] == "KC-BINJAI"
    assert employer["risk_group"] == 3 and employer["kind"] == "COMPANY" and employer["status"] == "ACTIVE"
    assert employer["registration_date"] == "2019-03-01"
    table = platform.jamsos("KC-BINJAI", ADMIN, "employer", "show", npp, as_json=False)
    assert table.exit_code == 0 and f"Employer {npp}" in table.stdout and "PT Teh Wangi" in table.stdout


@pytest.mark.rule("M-3", "M-5", "M-6")
def test_m3_m5_m6_enrol_find_the_kpj_and_set_the_family(platform):
    npp = register_employer(platform)
    born = date(1988, 8, 9)
    nik = new_nik(born, female=True)
    enrolled = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol", "--npp", npp, "--nik", nik, "--name", "Rina Sari",
                               "--born", "1988-08-09", "--sex", "female", "--marital", "married", "--wage", "4_250_000",
                               "--start", "2021-02-01")
    assert enrolled.exit_code == 0, enrolled.stderr
    answer = enrolled.json()
    kpj = answer["worker"]["kpj"]
    assert answer["outcome"] == "ENROLLED" and len(kpj) == 11
    assert answer["worker"]["monthly_wage"] == 4_250_000  # an integer, never a string or a float
    assert answer["worker"]["programs"] == ["JHT", "JKK", "JK", "JPK"]

    found = platform.jamsos("KC-BINJAI", "SERVICE_OFFICER", "worker", "find-kpj", "--nik", nik, "--born", "1988-08-09")
    assert found.exit_code == 0 and found.json()["kpj"] == kpj

    family = platform.jamsos("KC-BINJAI", ADMIN, "worker", "set-family", kpj, "--spouse", "Budi Sari=1986-01-02",
                             "--child", "Ani=2012-03-04", "--child", "Dodi=2001-05-06", "--child", "Eka=2014-07-08,married")
    assert family.exit_code == 0, family.stderr
    covered = {m["name"] for m in family.json()["covered_dependants"]}
    # M-6: spouse plus children under 21 and unmarried: Dodi is over 21 today, Eka is married.
    assert covered == {"Budi Sari", "Ani"}


@pytest.mark.rule("M-4")
def test_m4_a_bad_nik_is_refused_by_the_service_naming_the_field_with_exit_2(platform):
    npp = register_employer(platform)
    result = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol", "--npp", npp, "--nik", "12345", "--name", "X",
                             "--born", "1990-01-01", "--sex", "male", "--marital", "single", "--wage", "3000000",
                             "--start", "2021-01-04", as_json=False)
    assert result.exit_code == errors.BAD_INPUT == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("jamsos: invalid argument: nik:") and "Traceback" not in result.stderr
    as_json = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol", "--npp", npp, "--nik", "12345", "--name", "X",
                              "--born", "1990-01-01", "--sex", "male", "--marital", "single", "--wage", "3000000",
                              "--start", "2021-01-04")
    error = json.loads(as_json.stderr)["error"]
    assert as_json.exit_code == 2 and error["code"] == "INVALID_ARGUMENT" and error["fields"][0]["field"] == "nik"


def test_bad_input_the_cli_can_see_is_a_usage_error_naming_the_option_before_any_call(platform):
    for option, value in (("--born", "1990-02-30"), ("--wage", "3500000.50"), ("--wage", "-5"),
                          ("--wage", "99999999999999999999999")):
        args = {"--born": "1990-01-01", "--wage": "3000000", option: value}
        result = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol", "--npp", "12345678", "--nik", "1" * 16,
                                 "--name", "X", "--born", args["--born"], "--sex", "male", "--marital", "single",
                                 "--wage", args["--wage"], "--start", "2021-01-04")
        assert result.exit_code == 2 and option in result.stderr, (option, value, result.stderr)
    unknown = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol", "--npp", "1", "--nik", "1", "--name", "X",
                              "--born", "1990-01-01", "--sex", "robot", "--marital", "single", "--wage", "1",
                              "--start", "2021-01-04")
    assert unknown.exit_code == 2 and "--sex" in unknown.stderr


@pytest.mark.rule("O-2")
def test_o2_another_branchs_employer_and_worker_are_not_found_exactly_as_unknown_ones_exit_3(platform):
    npp = register_employer(platform, branch="KC-BINJAI")
    kpj = enrol_worker(platform, npp, 3_000_000)
    other = platform.jamsos("KC-MEDAN", ADMIN, "employer", "show", npp, as_json=False)
    unknown_npp = make_npp(9_000_000)  # well formed, never issued
    never = platform.jamsos("KC-MEDAN", ADMIN, "employer", "show", unknown_npp, as_json=False)
    assert other.exit_code == never.exit_code == errors.NOT_FOUND == 3
    assert other.stderr.replace(npp, "<npp>") == never.stderr.replace(unknown_npp, "<npp>")
    worker = platform.jamsos("KC-MEDAN", ADMIN, "worker", "show", kpj, as_json=False)
    assert worker.exit_code == 3 and worker.stderr.startswith("jamsos: not found:")
    assert platform.jamsos("KC-BINJAI", ADMIN, "worker", "show", kpj).exit_code == 0


@pytest.mark.rule("O-3")
def test_o3_a_role_without_the_action_and_a_missing_token_exit_5_with_one_line(platform):
    denied = platform.jamsos("KP", "HEAD_OFFICE_AUDITOR", "employer", "register", "--branch", "KC-BINJAI", "--name",
                             "PT X", "--sector", "S", "--address", "A", "--registered", "2020-01-01", "--risk-group", "1",
                             as_json=False)
    assert denied.exit_code == errors.DENIED == 5 and denied.stderr.startswith("jamsos: permission denied: O-3")
    no_token = platform.runner.invoke(__import__("cli.main").main.app, [
        "--membership", platform.address(platform.membership), "employer", "show", "12345678"], env={"JAMSOS_TOKEN": ""})
    assert no_token.exit_code == 5 and "no token" in no_token.stderr


def test_an_unreachable_service_exits_7_naming_it(platform):
    from tests.harness.ports import free_port

    result = platform.runner.invoke(__import__("cli.main").main.app, [
        "--membership", f"127.0.0.1:{free_port()}", "--token", "t", "--timeout", "2", "employer", "show", "12345678"])
    assert result.exit_code == errors.UNAVAILABLE == 7
    assert result.stderr.startswith("jamsos: unavailable: membership at 127.0.0.1:")


@pytest.mark.rule("M-3")
def test_m3_a_csv_file_is_enrolled_with_one_result_per_row_and_a_resend_changes_nothing(platform, tmp_path):
    npp = register_employer(platform)
    rows = [
        [new_nik(date(1991, 1, 2)), "Agus", "1991-01-02", "male", "single", "3500000", "2022-01-03", ""],
        [new_nik(date(1992, 2, 3)), "Bayu", "1992-02-03", "male", "married", "4_000_000", "2022-01-03", "JHT JKK"],
        ["12345", "Cici", "1993-03-04", "female", "single", "3500000", "2022-01-03", ""],  # the service rejects it
        [new_nik(date(1994, 4, 5)), "Dewi", "1994-04-31", "female", "single", "3500000", "2022-01-03", ""],  # no date
    ]
    source = tmp_path / "workers.csv"
    with open(source, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nik", "name", "birth_date", "sex", "marital_status", "monthly_wage", "start_date", "programs"])
        writer.writerows(rows)
    results = tmp_path / "results.csv"
    first = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol-csv", str(source), "--npp", npp, "--results",
                            str(results), "--request-id", f"batch-{npp}")
    assert first.exit_code == 2, first.stderr  # some rows were rejected
    answer = first.json()
    assert answer["counts"] == {"ENROLLED": 2, "REJECTED": 2}
    by_row = {r["row_number"]: r for r in answer["results"]}
    assert len(by_row[1]["kpj"]) == 11 and len(by_row[2]["kpj"]) == 11
    assert any(reason.startswith("nik") for reason in by_row[3]["reasons"])
    assert by_row[4]["reasons"] == ["birth_date: '1994-04-31' is not a date (YYYY-MM-DD)"]
    with open(results, newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(w["row_number"], w["outcome"]) for w in written] == [
        ("1", "ENROLLED"), ("2", "ENROLLED"), ("3", "REJECTED"), ("4", "REJECTED")]

    again = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol-csv", str(source), "--npp", npp, "--results",
                            str(results), "--request-id", f"batch-{npp}")
    repeat = {r["row_number"]: r for r in again.json()["results"]}
    assert repeat[1]["outcome"] == repeat[2]["outcome"] == "UNCHANGED"
    assert repeat[1]["kpj"] == by_row[1]["kpj"]

    table = platform.jamsos("KC-BINJAI", ADMIN, "worker", "enrol-csv", str(source), "--npp", npp, "--request-id",
                            f"batch-{npp}", as_json=False)
    assert "UNCHANGED" in table.stdout and "enrolling for" in table.stderr  # the progress bar, on stderr


@pytest.mark.rule("M-5")
def test_m5_a_card_is_issued_and_rendered_to_a_pdf_file(platform, tmp_path):
    kpj = enrol_worker(platform, register_employer(platform), 3_200_000)
    issued = platform.jamsos("KC-BINJAI", ADMIN, "card", "issue", kpj)
    assert issued.exit_code == 0 and issued.json()["card"]["kpj"] == kpj
    out = tmp_path / "card.pdf"
    rendered = platform.jamsos("KC-BINJAI", ADMIN, "card", "render", kpj, "--out", str(out))
    assert rendered.exit_code == 0, rendered.stderr
    assert out.read_bytes().startswith(b"%PDF") and rendered.json()["bytes"] == out.stat().st_size
