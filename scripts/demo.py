"""`make demo`: a month-end at two branches, played with the `jamsos` CLI against a running platform.

Start the platform first (`make run`); this script finds it on the same ports (`<SERVICE>_GRPC_PORT`,
or `JAMSOS_MEMBERSHIP`, `JAMSOS_CONTRIBUTIONS`,
`JAMSOS_BENEFITS`, `JAMSOS_WELFARE`) and prints what happens at each step:

 1. the head office adds a region and two branches to the office tree (O-1), and their UMK (C-6a);
 2. each branch's marketing officer registers an employer (M-1);
 3. workers are enrolled, one by one with a family (M-3, M-6) and from a CSV file (bulk);
 4. contributions learns them from membership's events (the read model);
 5. two months are billed per branch, each run followed to the end (C-5), one SPI rendered;
 6. one employer pays the first month on time and the second late: a penalty (C-6);
    the other pays part through a bank statement, beside a duplicate line and an unknown payer;
 7. the on-time month is reconciled by one officer, validated by another (O-4), posted to JHT (C-7, C-9);
 8. standing and arrears (C-8);
 9. Siti's daughter Putri is awarded a scholarship by a second person, its first payment paid
    (W-S-1, W-S-2, O-4: welfare checks the employer, the member and the UMK from its read model);
10. Siti leaves the country: her JHT claim is checked, assessed, approved by a second person
    (O-4) and paid from the JHT ledger once contributions settles it (JhtSettled, B-JHT-1..3);
11. Budi's work accident: stage I and II reports, STMB and a periodic benefit, itemised (B-JKK-1..6);
12. the employer's workers' cooperative borrows from the region's DPKP fund: proposed, checked,
    approved by another, signed, disbursed and its first instalment repaid (W-K-1..3, O-4).

Every step runs a `jamsos` command in this process (the CLI is what is demonstrated, and
tested: tests/e2e/test_demo.py). Re-runnable against the same platform: the offices are
upserted, a UMK is set only where none is, and every run registers new employers with new
NIKs, so nothing collides.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "gen")]

import typer.main  # noqa: E402

from cli.main import app  # noqa: E402
from services.membership.domain.nik import make_nik  # noqa: E402
from services.membership.domain.person import Sex  # noqa: E402

REGION, NORTH, SOUTH = "KW-DEMO", "KC-DEMO-UTARA", "KC-DEMO-SELATAN"
COMMAND = typer.main.get_command(app)
READ_MODEL_WAIT = 90.0


class StepFailed(Exception):
    """A command of the demo did not do what the story needs; the message says which and why."""


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def jamsos(*args: str, token: str, as_json: bool = True, allowed: tuple[int, ...] = (0,)) -> Ran:
    """Runs one `jamsos` command in this process, its output captured."""
    argv = ["--token", token, *(["--json"] if as_json else []), *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = COMMAND.main(argv, prog_name="jamsos", standalone_mode=False) or 0
        except Exception as exc:  # a usage error: the demo itself is wrong
            code, err = 2, io.StringIO(f"{type(exc).__name__}: {exc}")
    ran = Ran(int(code), out.getvalue(), err.getvalue())
    if ran.exit_code not in allowed:
        raise StepFailed(f"`jamsos {' '.join(args)}` exited {ran.exit_code}: {ran.stderr.strip()}")
    return ran


def token(office: str, role: str, user: str) -> str:
    return jamsos("token", "--office", office, "--roles", role, "--user", user, token="-").json()["token"]


def say(text: str = "") -> None:
    print(text, flush=True)


def step(number: int, title: str) -> None:
    say(f"\n== {number}. {title}")


def show(*args: str, token: str) -> None:
    """Runs a command for its table and prints it, indented."""
    for line in jamsos(*args, token=token, as_json=False).stdout.rstrip().splitlines():
        say(f"   {line}")


def months_back(today: date, count: int) -> tuple[int, int]:
    month = today.year * 12 + today.month - 1 - count
    return month // 12, month % 12 + 1


def period_text(period: tuple[int, int]) -> str:
    return f"{period[0]:04d}-{period[1]:02d}"


class People:
    """NIKs no earlier run used: a random district per run, serials counting up."""

    def __init__(self) -> None:
        rng = random.Random(time.time_ns())
        self.region = f"{rng.choice([11, 12, 13, 31, 32, 33, 34, 35])}{rng.randint(1, 79):02d}{rng.randint(1, 99):02d}"
        self.serial = rng.randint(1, 4000)

    def nik(self, born: date, sex: Sex) -> str:
        self.serial += 1
        return make_nik(self.region, born, sex, self.serial)


def wait_until_known(npp: str, kpjs: list[str], reader: str) -> float:
    """Polls contributions until its read model has the employer and its workers (membership's events)."""
    started = time.monotonic()
    deadline = started + READ_MODEL_WAIT
    pending = [("standing", "show", npp), *(("standing", "jht", kpj) for kpj in kpjs)]
    while pending:
        if jamsos(*pending[0], token=reader, allowed=(0, 3)).exit_code == 0:
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            raise StepFailed(f"contributions did not learn {' '.join(pending[0][2:])} within {READ_MODEL_WAIT:g} s "
                             "(is the broker running?)")
        time.sleep(0.3)
    return time.monotonic() - started


def main() -> int:
    try:
        run_demo()
    except StepFailed as failure:
        say(f"\ndemo stopped: {failure}")
        return 1
    say("\nDemo complete.")
    return 0


def run_demo() -> None:
    today = date.today()
    first, second = months_back(today, 4), months_back(today, 3)
    work = Path(tempfile.mkdtemp(prefix="jamsos-demo-"))
    people = People()
    admin_kp = token("KP", "HEAD_OFFICE_ADMIN", "demo-head-office")

    step(1, "The head office adds a region and two branches (O-1), and their UMK (C-6a)")
    wait_for_platform(admin_kp)
    jamsos("office", "upsert", REGION, "--name", "Kantor Wilayah Demo", "--level", "regional", "--parent", "KP",
           token=admin_kp)
    jamsos("office", "upsert", NORTH, "--name", "Kantor Cabang Demo Utara", "--level", "branch", "--parent", REGION,
           "--class", "1", token=admin_kp)
    jamsos("office", "upsert", SOUTH, "--name", "Kantor Cabang Demo Selatan", "--level", "branch", "--parent", REGION,
           "--class", "2", token=admin_kp)
    offices = jamsos("office", "list", token=admin_kp).json()["offices"]
    for office in offices:
        if office["code"] in (REGION, NORTH, SOUTH):
            say(f"   {office['code']:<16} {office['level']:<9} under {office['parent_code']:<8} {office['name']}")
    umk_from = months_back(today, 2)  # after the months this demo bills: C-6a refuses to alter issued bills
    for branch in (NORTH, SOUTH):
        set_umk_once(branch, date(umk_from[0], umk_from[1], 1), admin_kp)

    step(2, "Each branch's marketing officer registers an employer (M-1)")
    registered = (today - timedelta(days=3 * 365)).isoformat()
    north_npp = register(NORTH, "PT Maju Bersama Demo", "Manufaktur", "2", registered)
    south_npp = register(SOUTH, "CV Laut Biru Demo", "Perikanan", "4", registered)

    step(3, "Workers are enrolled: one by one with a family (M-3, M-6), and a CSV file (bulk)")
    start = (today - timedelta(days=2 * 365)).replace(day=1).isoformat()
    north_admin = token(NORTH, "ADMINISTRATION_OFFICER", "demo-admin-utara")
    south_admin = token(SOUTH, "ADMINISTRATION_OFFICER", "demo-admin-selatan")
    siti = enrol(north_admin, north_npp, people, "Siti Rahayu", date(1987, 4, 12), Sex.FEMALE, "married", 6_500_000, start)
    budi = enrol(north_admin, north_npp, people, "Budi Santoso", date(1995, 9, 3), Sex.MALE, "single", 4_800_000, start)
    family = jamsos("worker", "set-family", siti, "--spouse", "Agus Rahayu=1985-02-20", "--child", "Putri=2012-06-01",
                    "--child", "Bagas=2016-11-15", token=north_admin).json()
    say(f"   Siti's family: {len(family['members'])} members, covered for JPK: "
        + ", ".join(m["name"] for m in family["covered_dependants"]))
    south_kpjs = enrol_csv(south_admin, south_npp, people, start, work)

    step(4, "Contributions learns the employers and workers from membership's events")
    finance_north = token(NORTH, "FINANCE_OFFICER", "demo-finance-utara")
    finance_south = token(SOUTH, "FINANCE_OFFICER", "demo-finance-selatan")
    took = wait_until_known(north_npp, [siti, budi], finance_north)
    took += wait_until_known(south_npp, south_kpjs, finance_south)
    say(f"   both employers and their {2 + len(south_kpjs)} workers known to contributions (after {took:.1f} s)")

    step(5, f"Two months are billed, {period_text(first)} and {period_text(second)}, each run followed to the end (C-5)")
    for period in (first, second):
        for branch, admin in ((NORTH, north_admin), (SOUTH, south_admin)):
            run = jamsos("billing", "run", "--period", period_text(period), "--branch", branch, "--poll", "0.3",
                         "--wait", "120", token=admin).json()["run"]
            say(f"   {branch:<16} {run['period']}: run {run['status']}, {run['employers_done']} of "
                f"{run['employers_total']} employers, {run['bills_issued']} bills issued")
    north_bills = bills_of(north_npp, north_admin)
    south_bills = bills_of(south_npp, south_admin)
    show("bill", "list", "--npp", north_npp, token=north_admin)
    spi = work / f"{north_bills[first]['bill_number']}.pdf"
    jamsos("bill", "spi", north_bills[first]["bill_number"], "--out", str(spi), token=north_admin)
    jamsos("card", "issue", siti, token=north_admin)
    card = work / f"kpj-{siti}.pdf"
    jamsos("card", "render", siti, "--out", str(card), token=north_admin)
    say(f"   SPI of {north_bills[first]['bill_number']} written to {spi} ({spi.stat().st_size} bytes), "
        f"Siti's KPJ card to {card}")

    step(6, "Payments: on time, late with a penalty (C-6), and a bank statement")
    on_time = north_bills[first]
    paid_on = min(date.fromisoformat(on_time["due_date"]) - timedelta(days=3), today)
    paid = jamsos("payment", "record", "--reference", f"BNI-{on_time['bill_number']}", "--amount",
                  str(on_time["total"]), "--paid-on", paid_on.isoformat(), "--npp", north_npp, "--bill",
                  on_time["bill_number"], token=finance_north).json()
    say(f"   {north_npp} paid {rupiah(on_time['total'])} for {on_time['bill_number']} on {paid_on} "
        f"(due {on_time['due_date']}): {paid['bills'][0]['status']}, {len(paid['penalties'])} penalties")
    late = north_bills[second]
    late_on = min(date.fromisoformat(late["due_date"]) + timedelta(days=20), today)
    say(f"   {north_npp} pays {late['bill_number']} (due {late['due_date']}) on {late_on}, late:")
    show("payment", "record", "--reference", f"BRI-{late['bill_number']}", "--amount", str(late["total"]),
         "--paid-on", late_on.isoformat(), "--npp", north_npp, "--bill", late["bill_number"], token=finance_north)
    statement = bank_statement(work, south_npp, south_bills[first], today)
    say(f"   {SOUTH} imports a bank statement ({statement.name}): a part payment, the same line twice, an unknown payer")
    show("payment", "import", str(statement), "--branch", SOUTH, "--chunk", "2", token=finance_south)

    step(7, f"Reconciliation of {north_npp} {period_text(first)}: prepared, validated by another officer, posted (C-7)")
    worksheet = jamsos("reconcile", "prepare", "--npp", north_npp, "--period", period_text(first), "--reported",
                       str(on_time["total"]), token=north_admin).json()["worksheet"]
    own = jamsos("reconcile", "validate", worksheet["worksheet_id"], token=north_admin, as_json=False, allowed=(4,))
    say(f"   the preparer validating it herself is refused (exit {own.exit_code}): {own.stderr.strip()}")
    head = token(NORTH, "BRANCH_HEAD", "demo-kepala-utara")
    jamsos("reconcile", "validate", worksheet["worksheet_id"], token=head)
    show("reconcile", "post", worksheet["worksheet_id"], token=head)
    balance = jamsos("standing", "jht", siti, token=finance_north).json()
    say(f"   Siti's JHT balance now {rupiah(balance['balance'])}")

    step(8, "Standing and arrears (C-8)")
    show("standing", "show", north_npp, token=finance_north)
    show("standing", "show", south_npp, token=finance_south)
    show("standing", "arrears", "--branch", SOUTH, token=finance_south)

    step(9, "Siti's daughter Putri: a scholarship checked by one officer, awarded by another (W-S-1, W-S-2, O-4)")
    officer = token(NORTH, "SERVICE_OFFICER", "demo-petugas-utara")
    acting_head = token(NORTH, "SERVICE_OFFICER,BRANCH_HEAD", "demo-petugas-utara")  # the same person, acting head
    scholarship(siti, north_admin, officer, acting_head, head, finance_north, today)

    step(10, "Siti leaves the country: her JHT claim, approved by a second person, paid from the ledger (B-JHT-1..3)")
    jht_claim(siti, officer, acting_head, head, finance_north, balance["balance"])

    step(11, "Budi's work accident: stage I and II reports, STMB and a periodic benefit (B-JKK-1..6)")
    jkk_claim(budi, officer, head, today)

    step(12, "The workers' cooperative of PT Maju Bersama borrows from the region's DPKP fund (W-K-1..3)")
    cooperative_loan(north_npp, north_admin, officer, acting_head, head, finance_north, admin_kp, today)


ACCOUNT = ("--bank", "Bank Negara Indonesia", "--account", "0123456789")
LEFT_COUNTRY_DOCUMENTS = ("CLAIM_FORM_5", "KPJ_ORIGINAL", "ID_CARD", "TERMINATION_LETTER", "STATEMENT_NOT_WORKING",
                          "FAMILY_CARD", "EMIGRATION_STATEMENT", "PASSPORT", "VISA")
JKK_DOCUMENTS = ("KPJ_COPY", "DOCTOR_FORM_3B_3C", "TREATMENT_RECEIPTS", "TRANSPORT_RECEIPTS")


def submit_when_known(officer: str, *args: str) -> dict[str, Any]:
    """Submits a claim, waiting (same request id) until benefits knows the member from membership's events."""
    request_id = f"demo-{time.time_ns()}"
    deadline = time.monotonic() + READ_MODEL_WAIT
    while True:
        ran = jamsos("claim", "submit", *args, "--request-id", request_id, token=officer, allowed=(0, 3))
        if ran.exit_code == 0:
            return dict(ran.json()["claim"])
        if time.monotonic() > deadline:
            raise StepFailed(f"benefits did not learn KPJ {args[1]} within {READ_MODEL_WAIT:g} s")
        time.sleep(0.3)


def documents(*codes: str) -> list[str]:
    return [arg for code in codes for arg in ("--doc", code)]


def jht_claim(kpj: str, officer: str, acting_head: str, head: str, finance: str, balance: int) -> None:
    claim = submit_when_known(officer, "jht", kpj, "--reason", "left-country", "--holder", "Siti Rahayu", *ACCOUNT)
    claim_id = claim["claim_id"]
    say(f"   claim {claim_id}: {claim['program']} {claim['reason']}, {claim['state']}")
    checked = jamsos("claim", "documents", claim_id, *documents(*LEFT_COUNTRY_DOCUMENTS), token=officer).json()["claim"]
    say(f"   documents complete on {checked['complete_on']}: pay by {checked['payment_due_on']} (B-JHT-3)")
    jamsos("claim", "assess", claim_id, token=acting_head)
    own = jamsos("claim", "approve", claim_id, token=acting_head, as_json=False, allowed=(4,))
    say(f"   the assessing officer approving it is refused (exit {own.exit_code}): {own.stderr.strip()}")
    jamsos("claim", "approve", claim_id, token=head)
    order = wait_for_order(claim_id, finance)
    say(f"   contributions settled the JHT balance: payment order {order['order_id']} for {rupiah(order['amount'])} "
        f"(her ledger held {rupiah(balance)})")
    jamsos("payout", "approve", order["order_id"], token=finance)
    jamsos("payout", "paid", order["order_id"], "--reference", f"BNI-JHT-{claim_id[-8:]}", token=finance)
    show("claim", "show", claim_id, token=officer)


def wait_for_order(claim_id: str, finance: str) -> dict[str, Any]:
    """Polls benefits until contributions' JhtSettled opened the claim's payment order."""
    deadline = time.monotonic() + READ_MODEL_WAIT
    while True:
        orders = jamsos("payout", "list", "--limit", "500", token=finance).json()["orders"]
        found = [o for o in orders if o["claim_id"] == claim_id]
        if found:
            return dict(found[0])
        if time.monotonic() > deadline:
            raise StepFailed(f"no payment order for claim {claim_id} within {READ_MODEL_WAIT:g} s (JhtSettled)")
        time.sleep(0.3)


def jkk_claim(kpj: str, officer: str, head: str, today: date) -> None:
    accident, declared = today - timedelta(days=40), today - timedelta(days=10)
    claim = submit_when_known(officer, "jkk", kpj, "--accident-at", f"{accident.isoformat()}T08:00+07:00",
                              "--reported-at", f"{(accident + timedelta(days=1)).isoformat()}T09:00+07:00",
                              "--description", "crushed hand at the press", "--holder", "Budi Santoso", *ACCOUNT)
    claim_id = claim["claim_id"]
    reported = jamsos("accident", "report", claim_id, "--stage", "2", "--occurred-at",
                      f"{declared.isoformat()}T10:00+07:00", "--reported-at", f"{declared.isoformat()}T15:00+07:00",
                      "--outcome", "total-disability", token=officer).json()["claim"]
    for report in reported["accident_reports"]:
        say(f"   stage {report['stage']} report after {report['hours_taken']} hours"
            f"{' (late, flagged)' if report['late'] else ''}, {report['outcome']}")
    jamsos("claim", "documents", claim_id, *documents(*JKK_DOCUMENTS), token=officer)
    jamsos("claim", "assess", claim_id, "--transport", "land=600000", "--stmb-months", "1", "--medical", "8500000",
           token=officer)
    say("   assessed on Budi's wage of the accident day:")
    show("claim", "show", claim_id, token=officer)
    approved = jamsos("claim", "approve", claim_id, token=head).json()["claim"]
    say(f"   approved by {approved['approved_by']}: {approved['state']}, {rupiah(approved['assessment']['total'])}")


SCHOLARSHIP_DOCUMENTS = "report-card,school-statement,family-card-copy,no-other-scholarship-statement"
COOPERATIVE_DOCUMENTS = ("proposal-signed-by-chair-and-secretary,management-acknowledgement,deed-of-establishment,"
                         "articles-of-association,board-list,board-id-copies,audited-balance-sheet,power-of-attorney,"
                         "bank-statements-3-months")
COOPERATIVE_DECLARED = ("--active", "--deed", "--registered", "--good-standing", "--audited", "--management-support",
                        "--employer-cooperative")


def set_umk_once(branch: str, effective: date, admin: str) -> None:
    """C-6a: the branch area's UMK, set where it has none (W-S-2 caps a scholarship's wage at 300% of it)."""
    rates = jamsos("rules", "umk", "list", "--branch", branch, token=admin).json()["rates"]
    if not rates:
        rates = [jamsos("rules", "umk", "set", "--branch", branch, "--from", effective.isoformat(), "--monthly-wage",
                        "3500000", "--reason", "demo: UMK of the branch area", token=admin).json()["rate"]]
    say(f"   UMK of {branch}: {rupiah(rates[-1]['monthly_wage'])} a month from {rates[-1]['effective_from']}")


def scholarship(kpj: str, admin: str, officer: str, acting_head: str, head: str, finance: str, today: date) -> None:
    """Putri, junior high: W-S-2 checked against welfare's read model (employer standing, membership, UMK)."""
    made = jamsos("scholarship", "submit", kpj, "--child", "Putri", "--order", "1", "--level", "junior-high",
                  "--class", "8", "--school", "SMP Negeri 2 Demo", "--grade", "8.45", "--doc", SCHOLARSHIP_DOCUMENTS,
                  token=admin).json()["application"]
    application_id = made["application_id"]
    say(f"   application {application_id}: {made['child']['name']}, {made['child']['level']} class "
        f"{made['child']['class_or_semester']}, grade 8.45: {made['status']}")
    checked = jamsos("scholarship", "check", application_id, token=acting_head).json()
    if not checked["eligible"]:
        raise StepFailed("the scholarship check failed: " + "; ".join(r["message"] for r in checked["reasons"]))
    say(f"   checked: eligible on the {checked['application']['path']} path (W-S-2)")
    own = jamsos("scholarship", "award", application_id, token=acting_head, as_json=False, allowed=(4,))
    say(f"   the checking officer awarding it is refused (exit {own.exit_code}): {own.stderr.strip()}")
    awarded = jamsos("scholarship", "award", application_id, token=head).json()["application"]
    schedule = awarded["payments"]
    say(f"   awarded: {rupiah(awarded['monthly_amount'])} a month, {len(schedule)} payments from "
        f"{schedule[0]['due_on']}, {rupiah(awarded['total_amount'])} in all (W-S-1)")
    jamsos("scholarship", "pay", application_id, "--number", "1", "--reference", f"BNI-BEA-{application_id[-8:]}",
           "--paid-on", today.isoformat(), token=finance)
    show("scholarship", "show", application_id, token=officer)


def cooperative_loan(npp: str, admin: str, officer: str, acting_head: str, head: str, finance: str, head_office: str,
                     today: date) -> None:
    """Rp120,000,000 over 48 months at 3% a year flat, 132,000,000 of collateral (W-K-2), from KW-DEMO's DPKP fund."""
    funded = jamsos("fund", "allocate", "--region", REGION, "--amount", "500000000", "--reference",
                    f"SK-DPKP-{time.time_ns()}", "--reason", "demo: DPKP allocation", token=head_office).json()
    say(f"   the head office allocates {rupiah(funded['entry']['amount'])} to {REGION}'s DPKP fund: "
        f"balance {rupiah(funded['balance'])}")
    proposed = jamsos("coop-loan", "propose", "--npp", npp, "--name", "Koperasi Karyawan Maju Bersama", "--founded",
                      (today - timedelta(days=5 * 365)).isoformat(), "--assets", "500000000", "--amount", "120000000",
                      "--term", "48", "--collateral", "132000000", *COOPERATIVE_DECLARED, "--doc",
                      COOPERATIVE_DOCUMENTS, token=admin).json()["application"]
    application_id = proposed["application_id"]
    say(f"   proposed {rupiah(proposed['cooperative']['amount'])}: limit {rupiah(proposed['loan_limit'])} (30% of "
        f"assets), interest {rupiah(proposed['interest'])}, {rupiah(proposed['monthly_instalment'])} a month (W-K-2)")
    checked = jamsos("application", "check", application_id, token=acting_head).json()
    if not checked["eligible"]:
        raise StepFailed("the loan check failed: " + "; ".join(r["message"] for r in checked["reasons"]))
    own = jamsos("application", "approve", application_id, token=acting_head, as_json=False, allowed=(4,))
    say(f"   checked; the checking officer approving it is refused (exit {own.exit_code}): {own.stderr.strip()}")
    jamsos("application", "approve", application_id, token=head)
    loan = jamsos("application", "sign", application_id, "--agreement", f"PK-{application_id[-8:]}",
                  token=head).json()["loan"]
    instalments = loan["instalments"]
    say(f"   agreement signed: {len(instalments)} instalments of {rupiah(instalments[0]['amount'])}, "
        f"{instalments[0]['due_date']} to {instalments[-1]['due_date']}")
    jamsos("application", "disburse", application_id, "--reference", f"TRF-{application_id[-8:]}", token=finance)
    left = jamsos("fund", "balance", "--region", REGION, token=head_office).json()["balance"]
    say(f"   disbursed from {REGION}'s DPKP fund: balance {rupiah(funded['balance'])} -> {rupiah(left)}")
    repaid = jamsos("loan", "repay", loan["loan_id"], "--reference", f"BRI-KOP-{application_id[-8:]}", "--amount",
                    str(instalments[0]["amount"]), "--paid-on", today.isoformat(), token=finance).json()
    after = repaid["loan"]
    say(f"   first instalment repaid: {rupiah(after['paid'])} paid, {rupiah(after['outstanding'])} outstanding")


def wait_for_platform(reader: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while jamsos("office", "list", token=reader, allowed=(0, 7)).exit_code != 0:
        if time.monotonic() > deadline:
            raise StepFailed("the platform does not answer: start it with `make run`")
        time.sleep(1)


def register(branch: str, name: str, sector: str, risk_group: str, registered: str) -> str:
    marketing = token(branch, "MARKETING_OFFICER", f"demo-marketing-{branch.lower()}")
    employer = jamsos("employer", "register", "--branch", branch, "--name", name, "--sector", sector, "--address",
                      "Jl. Demo Raya 1", "--registered", registered, "--risk-group", risk_group,
                      token=marketing).json()["employer"]
    say(f"   {branch:<16} NPP {employer['npp']}  {employer['legal_name']} (risk group {employer['risk_group']})")
    return str(employer["npp"])


def enrol(admin: str, npp: str, people: People, name: str, born: date, sex: Sex, marital: str, wage: int,
          start: str) -> str:
    answer = jamsos("worker", "enrol", "--npp", npp, "--nik", people.nik(born, sex), "--name", name, "--born",
                    born.isoformat(), "--sex", sex.value.lower(), "--marital", marital, "--wage", str(wage), "--start",
                    start, token=admin).json()
    say(f"   KPJ {answer['worker']['kpj']}  {name}, wage {rupiah(wage)}: {answer['outcome']}")
    return str(answer["worker"]["kpj"])


def enrol_csv(admin: str, npp: str, people: People, start: str, work: Path) -> list[str]:
    source = work / "workers.csv"
    crew = [("Joko Susilo", date(1990, 1, 15), Sex.MALE, "married", 3_900_000),
            ("Wati Lestari", date(1993, 7, 22), Sex.FEMALE, "single", 3_600_000),
            ("Rudi Hartono", date(1985, 12, 5), Sex.MALE, "married", 5_200_000)]
    with open(source, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nik", "name", "birth_date", "sex", "marital_status", "monthly_wage", "start_date", "programs"])
        for name, born, sex, marital, wage in crew:
            writer.writerow([people.nik(born, sex), name, born.isoformat(), sex.value.lower(), marital, wage, start, ""])
    answer = jamsos("worker", "enrol-csv", str(source), "--npp", npp, token=admin).json()
    say(f"   {source.name} for {npp}: {answer['counts']}, one result per row in {answer['results_file']}")
    return [r["kpj"] for r in answer["results"] if r["kpj"]]


def bills_of(npp: str, reader: str) -> dict[tuple[int, int], dict[str, Any]]:
    bills = jamsos("bill", "list", "--npp", npp, token=reader).json()["bills"]
    regular = {}
    for bill in bills:
        if bill["kind"] == "REGULAR":
            year, month = bill["period"].split("-")
            regular[(int(year), int(month))] = bill
    return regular


def bank_statement(work: Path, npp: str, bill: dict[str, Any], today: date) -> Path:
    path = work / "statement.csv"
    part = bill["total"] // 2
    paid_on = min(date.fromisoformat(bill["due_date"]) - timedelta(days=1), today).isoformat()
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["bank_reference", "amount", "paid_on", "npp", "bill_number"])
        writer.writerow([f"MDR-{bill['bill_number']}", part, paid_on, npp, bill["bill_number"]])
        writer.writerow([f"MDR-{bill['bill_number']}", part, paid_on, npp, bill["bill_number"]])
        writer.writerow([f"MDR-UNKNOWN-{bill['bill_number']}", 125_000, paid_on, "", ""])
    return path


def rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


if __name__ == "__main__":
    sys.exit(main())
