"""`jamsos payment import-file`: the bank's MT940 or camt.053 file as it came, a summary
table and one result per line (C-7); a file that does not add up is refused whole."""
from __future__ import annotations

from datetime import date

import pytest

from tests.cli.test_cli_contributions import FINANCE, billed_employer, branch  # noqa: F401 - the branch fixture
from tests.contributions.bank_file_builders import Entry, camt053, mt940


@pytest.mark.rule("C-7")
def test_c7_a_bank_file_is_imported_with_a_summary_table_and_a_result_per_line(platform, branch, tmp_path):  # noqa: F811
    npp, _kpj, bill = billed_employer(platform, branch, "2024-01")
    day = date(2024, 2, 12)
    entries = [Entry(f"MT-{bill}", 279_600, day, f"SETORAN {bill}"),  # 4,000,000 x 6.99% (single, group I) = 279,600
               Entry(f"MT2-{bill}", 50_000, day, "TANPA KETERANGAN"), Entry(f"MT3-{bill}", -6_500, day, "BIAYA")]
    source = tmp_path / "statement.sta"
    source.write_bytes(mt940(entries, statement=f"S-{branch}"))
    imported = platform.jamsos(branch, FINANCE, "payment", "import-file", str(source), "--format", "mt940",
                               "--branch", branch)
    assert imported.exit_code == 0, imported.stderr
    answer = imported.json()
    assert (answer["recorded"], answer["suspense"], answer["skipped"], answer["rejected"]) == (2, 1, 1, 0)
    assert [(r["outcome"], r["status"], r["bills_paid"]) for r in answer["results"]] == [
        ("RECORDED", "MATCHED", [bill]), ("RECORDED", "SUSPENSE", []), ("SKIPPED", "UNSPECIFIED", [])]
    assert platform.jamsos(branch, FINANCE, "bill", "show", bill).json()["bill"]["status"] == "PAID"
    table = platform.jamsos(branch, FINANCE, "payment", "import-file", str(source), "--format", "mt940",
                            "--branch", branch, as_json=False)
    assert f"S-{branch}" in table.stdout and "DUPLICATE" in table.stdout
    size = source.stat().st_size  # the progress bar (stderr) counts the file's bytes sent
    assert "sending statement.sta" in table.stderr and f"{size}/{size}" in table.stderr


@pytest.mark.rule("C-7")
def test_c7_a_camt_file_that_does_not_add_up_is_refused_with_exit_4_naming_the_rule(platform, branch, tmp_path):  # noqa: F811
    source = tmp_path / "statement.xml"
    source.write_bytes(camt053([Entry("CA-1", 100_000, date(2024, 2, 12), "X")], closing=90_000,
                               statement=f"C-{branch}"))
    refused = platform.jamsos(branch, FINANCE, "payment", "import-file", str(source), "--format", "camt053",
                              "--branch", branch)
    assert refused.exit_code == 4, refused.stdout + refused.stderr
    assert "C-7" in refused.stdout + refused.stderr
