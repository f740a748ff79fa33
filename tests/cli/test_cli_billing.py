"""`jamsos billing`: a run followed by WatchBillingRun under a progress bar, and `billing
coverage`, membership's active workers against a period's bills (C-5).

For the coverage, a worker enrolled back-dated into March after March's run waits as a pending correction;
the next run bills it (one single worker of risk group I at Rp4,000,000: JHT 148,000 +
80,000, JKK 9,600, JK 12,000, JPK 3% of the Rp1,000,000 cap 30,000 = Rp279,600), and the
report then names the correction bill. Nothing is unexplained at either point.
"""
from __future__ import annotations

import itertools
import threading
import time
from datetime import date, datetime, UTC

import pytest

from sqlalchemy import delete

from cli import errors
from services.contributions.adapters.billing_run_repository import PENDING, BillingJobStore
from services.contributions.adapters.tables import pending_corrections
from services.contributions.application.billing import jobs
from services.contributions.domain.periods import Period
from tests.cli.conftest import enrol_worker, new_nik, register_employer

ADMIN = "ADMINISTRATION_OFFICER"
BORN = date(1992, 7, 21)
_branches = itertools.count(1)


@pytest.fixture
def branch(platform) -> str:
    """A branch of the test's own: no other test's employer is in its runs or its report."""
    code = f"KC-COV{next(_branches)}"
    made = platform.jamsos("KP", "HEAD_OFFICE_ADMIN", "office", "upsert", code, "--name", f"Kantor Cabang {code}",
                           "--level", "branch", "--parent", "KW-SUMBAGUT", "--class", "2")
    assert made.exit_code == 0, made.stderr
    return code


def bill_month(platform, branch: str, period: str) -> None:
    run = platform.jamsos(branch, ADMIN, "billing", "run", "--period", period, "--branch", branch)
    assert run.exit_code == 0 and run.json()["run"]["status"] == "COMPLETED", run.stderr


def coverage(platform, branch: str, period: str) -> dict:
    shown = platform.jamsos(branch, ADMIN, "billing", "coverage", "--period", period, "--branch", branch)
    assert shown.exit_code == 0, shown.stderr
    return shown.json()["coverage"]


def differences(report: dict) -> dict[str, tuple]:
    return {d["kpj"]: (d["active"], d["billed"], d["reason"], d["bill_numbers"])
            for e in report["employers"] for d in e["differences"]}


@pytest.mark.rule("C-5")
def test_c5_the_coverage_report_explains_a_late_worker_before_and_after_the_correction(platform, branch):
    npp = register_employer(platform, branch=branch, risk_group=1)
    first = enrol_worker(platform, npp, 4_000_000, branch=branch)
    platform.sync()
    bill_month(platform, branch, "2024-03")
    late = platform.jamsos(branch, ADMIN, "worker", "enrol", "--npp", npp, "--nik", new_nik(BORN),
                           "--name", "Rudi Hartono", "--born", BORN.isoformat(), "--sex", "male", "--marital", "single",
                           "--wage", "4000000", "--start", "2024-03-10")
    assert late.exit_code == 0, late.stderr
    kpj = late.json()["worker"]["kpj"]
    platform.sync()  # the enrolment reaches contributions after March's run

    waiting = coverage(platform, branch, "2024-03")
    assert (waiting["workers_active"], waiting["workers_billed"], waiting["unexplained"]) == (2, 1, 0)
    assert differences(waiting) == {kpj: (True, False, "PENDING_CORRECTION", [])}

    bill_month(platform, branch, "2024-04")  # bills March's correction first
    correction = f"SPI-202403-{npp}-K1"
    done = coverage(platform, branch, "2024-03")
    assert (done["workers_active"], done["workers_billed"], done["unexplained"]) == (2, 2, 0)
    assert differences(done) == {kpj: (True, True, "CORRECTED", [correction])}
    bill = platform.jamsos(branch, ADMIN, "bill", "show", correction).json()["bill"]
    assert (bill["total"], {line["kpj"] for line in bill["lines"]}) == (279_600, {kpj})
    assert first not in {line["kpj"] for line in bill["lines"]}

    table = platform.jamsos(branch, ADMIN, "billing", "coverage", "--period", "2024-03", "--branch", branch,
                            as_json=False)
    assert table.exit_code == 0 and "CORRECTED" in table.stdout and correction in table.stdout


@pytest.mark.rule("C-5")
def test_c5_coverage_with_an_unexplained_worker_exits_8_naming_the_count(platform, branch):
    npp = register_employer(platform, branch=branch, risk_group=1)
    enrol_worker(platform, npp, 4_000_000, branch=branch)
    platform.sync()
    bill_month(platform, branch, "2024-03")
    enrolled = platform.jamsos(branch, ADMIN, "worker", "enrol", "--npp", npp, "--nik", new_nik(BORN),
                               "--name", "Rudi Hartono", "--born", BORN.isoformat(), "--sex", "male",
                               "--marital", "single", "--wage", "4000000", "--start", "2024-03-10")
    assert enrolled.exit_code == 0, enrolled.stderr
    late = enrolled.json()["worker"]["kpj"]
    platform.sync()
    with platform.contributions.app.ctx.base.unit_of_work() as uow:  # its pending correction lost
        uow.session.execute(delete(pending_corrections).where(pending_corrections.c.kpj == late))
        uow.commit()

    shown = platform.jamsos(branch, ADMIN, "billing", "coverage", "--period", "2024-03", "--branch", branch)
    assert shown.exit_code == errors.DIFFERENCES == 8, shown.stderr
    assert shown.json()["coverage"]["unexplained"] == 1
    assert "1 worker(s) UNEXPLAINED in 2024-03" in shown.stderr


def pending_run(platform, branch: str, run_id: str, employers: int) -> str:
    """A run as StartBillingRun leaves it when replicas take its jobs from the topic: PENDING."""
    with platform.contributions.app.ctx.base.unit_of_work() as uow:
        store = BillingJobStore(uow.session)
        store.add_run(run_id=run_id, period=Period(2024, 2), scope=branch, status=PENDING, requested_by="ani",
                      created_at=datetime.now(UTC), completed_at=None)
        store.add_jobs(run_id, {branch: employers}, datetime.now(UTC))
        uow.commit()
    return run_id


@pytest.mark.rule("C-5")
def test_c5_billing_status_follow_streams_the_run_under_a_progress_bar_to_its_end(platform, branch):
    npps = [register_employer(platform, branch=branch, risk_group=1) for _ in range(3)]
    for npp in npps:
        enrol_worker(platform, npp, 4_000_000, branch=branch)
    platform.sync()
    run_id = pending_run(platform, branch, f"run-followed-{branch}", len(npps))

    def bill_slowly() -> None:  # one employer per chunk, after the CLI has started following
        time.sleep(0.5)
        jobs.run_jobs_inline(platform.contributions.app.ctx.base.unit_of_work, run_id, chunk_size=1)

    biller = threading.Thread(target=bill_slowly)
    biller.start()
    followed = platform.jamsos(branch, ADMIN, "billing", "status", run_id, "--follow", "--wait", "30", as_json=False)
    biller.join()
    assert followed.exit_code == 0, followed.stderr
    assert "billing 2024-02" in followed.stderr and "3/3" in followed.stderr  # the bar, on stderr, to the end
    assert "COMPLETED" in followed.stdout
    shown = platform.jamsos(branch, ADMIN, "billing", "status", run_id).json()["run"]
    assert (shown["status"], shown["employers_done"], shown["bills_issued"]) == ("COMPLETED", 3, 3)


def test_billing_status_follow_gives_up_at_its_wait_with_exit_7(platform, branch):
    run_id = pending_run(platform, branch, f"run-stuck-{branch}", 1)  # nobody bills it
    began = time.monotonic()
    followed = platform.jamsos(branch, ADMIN, "billing", "status", run_id, "--follow", "--wait", "1")
    assert followed.exit_code == errors.UNAVAILABLE == 7
    assert 1.0 <= time.monotonic() - began < 10
    assert "not completed after 1 s" in followed.stderr
