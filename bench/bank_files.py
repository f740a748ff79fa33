"""Bank files bench: a large MT940 statement matched against open bills (C-7), beside the
time to only parse the same file (the reference).

    python -m bench bank_files --bank-lines 2000 --bank-employers 200    # a smoke check in seconds
    python -m bench bank_files                                           # full size: 200,000 lines

Builds one MT940 statement of `--bank-lines` credit lines with `mt940-writer` (every line
names an open SPI bill of one of `--bank-employers` employers in its remittance text and
pays it in full; one line in `--bank-suspense-every` names nobody and goes to suspense),
then times, each for `--bank-rounds` rounds:

1. parse only: the file read by `read_mt940` (the `mt-940` library, piece by piece), and
2. import: the whole ImportBankStatementFile use case in-process (spool, parse, C-7
   matching of every line through `record_line`, the totals check, one commit) against a
   fresh SQLite contributions database migrated to head and loaded with the bills.

and reports lines per second of each and import_time / parse_time. SQLite (embedded
default) on a temporary directory; no server, no broker.
"""
from __future__ import annotations

import argparse
import dataclasses
import decimal
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import mt940_writer as w
from sqlalchemy import insert

from jamsos.contributions.v1 import payments_pb2 as pb
from services.chassis.application import Application
from services.chassis.config import Settings
from services.chassis.context import Principal, request_context
from services.chassis.database import make_engine, make_session_factory
from services.chassis.migrations import upgrade_to_head
from services.contributions.adapters.bank_file_upload import spool
from services.contributions.adapters.mt940_statement import read_mt940
from services.contributions.adapters.tables import bills, rm_employers, rm_offices
from services.contributions.bootstrap import definition
from services.contributions.entrypoints.bank_files import import_statement_file

BRANCH = "KC-B00"
DAY = date(2024, 6, 3)
BILL_TOTAL = 1_000_000
FINANCE = Principal(user_id="bench-finance", office_code=BRANCH, office_level="BRANCH",
                    roles=frozenset({"FINANCE_OFFICER"}))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("bank_files")
    group.add_argument("--bank-lines", type=int, default=200_000, help="statement lines (default 200,000)")
    group.add_argument("--bank-employers", type=int, default=5_000, help="employers with open bills")
    group.add_argument("--bank-suspense-every", type=int, default=50, help="one line in N names nobody")
    group.add_argument("--bank-rounds", type=int, default=3, help="rounds of each measurement")


def build_statement(lines: int, employers: int, suspense_every: int) -> bytes:
    entries = []
    months_per_employer = -(-lines // employers)
    for i in range(lines):
        npp = f"{i % employers + 1:08d}"
        month = i // employers % months_per_employer
        remittance = "TRANSFER" if i % suspense_every == suspense_every - 1 else f"SPI-{_period(month)}-{npp}"
        entries.append(w.Transaction(DAY, decimal.Decimal(BILL_TOTAL), w.TransactionType.transfer,
                                     f"NONREF//B{i:09d}", w.TransactionAdditionalInfo(remittance)))
    total = decimal.Decimal(BILL_TOTAL * lines)
    statement = w.Statement("BENCH-1", w.Account("1234567890", "BNINIDJA"), "1/1",
                            w.Balance(decimal.Decimal(0), DAY, "IDR"), w.Balance(total, DAY, "IDR"), entries)
    return (str(statement) + "\n").encode()


def _period(month_index: int) -> str:
    year, month = divmod(month_index, 12)
    return f"{2000 + year:04d}{month + 1:02d}"


def load_bills(app, lines: int, employers: int) -> None:
    months = -(-lines // employers)
    with app.ctx.base.unit_of_work() as uow:
        s = uow.session
        s.execute(insert(rm_offices), [dict(code="KP", level="HEAD", parent_code=None),
                                       dict(code="KW-BENCH", level="REGIONAL", parent_code="KP"),
                                       dict(code=BRANCH, level="BRANCH", parent_code="KW-BENCH")])
        s.execute(insert(rm_employers), [dict(npp=f"{e + 1:08d}", branch_code=BRANCH, legal_name=f"PT {e}",
                                              address="Jl. Bench", kind="COMPANY", registration_date=date(2000, 1, 3),
                                              status="ACTIVE") for e in range(employers)])
        rows = []
        for m in range(months):
            year, month = divmod(m, 12)
            for e in range(employers):
                npp = f"{e + 1:08d}"
                rows.append(dict(bill_number=f"SPI-{_period(m)}-{npp}", npp=npp, branch_code=BRANCH,
                                 period_year=2000 + year, period_month=month + 1, kind="REGULAR", sequence=0,
                                 due_date=date(2030, 1, 15), total_rupiah=BILL_TOTAL, employer_rupiah=BILL_TOTAL,
                                 worker_rupiah=0, paid_rupiah=0, status="OPEN", settled_on=None, run_id=None,
                                 issued_at=datetime(2000, 1, 1, tzinfo=UTC)))
        s.execute(insert(bills), rows)
        uow.commit()


def timed_parse(data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    upload = spool([data], len(data) + 1)
    count = sum(1 for _ in read_mt940(upload.text_lines())) - 2  # without the header and the end
    upload.close()
    return time.perf_counter() - started, count


def timed_import(data: bytes, lines: int, employers: int, round_number: int) -> tuple[float, pb.ImportBankStatementFileResponse]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        d = definition()
        upgrade_to_head(engine, d.migrations)
        settings = dataclasses.replace(Settings.from_env("contributions"), database_url=url, consumers_enabled=False,
                                       relay_enabled=False)
        app = d.make_application(settings, Application(d.name, engine, make_session_factory(engine), d.tables))
        app.ctx.today = lambda: DAY
        load_bills(app, lines, employers)
        requests = [pb.ImportBankStatementFileRequest(request_id=f"bench-{round_number}", branch_code=BRANCH,
                                                      format=pb.BANK_FILE_FORMAT_MT940)]
        requests += [pb.ImportBankStatementFileRequest(chunk=data[i:i + (1 << 20)]) for i in range(0, len(data), 1 << 20)]
        started = time.perf_counter()
        with request_context(FINANCE, "bench"):
            response = import_statement_file(app.payments.files, iter(requests))
        elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed, response


def run(args: argparse.Namespace) -> dict:
    lines, employers = args.bank_lines, min(args.bank_employers, args.bank_lines)
    data = build_statement(lines, employers, args.bank_suspense_every)
    parse = [timed_parse(data) for _ in range(args.bank_rounds)]
    imports = [timed_import(data, lines, employers, n) for n in range(args.bank_rounds)]
    parse_s = statistics.median(t for t, _ in parse)
    import_s = statistics.median(t for t, _ in imports)
    last = imports[-1][1]
    result = {
        "lines": lines, "employers": employers, "file_bytes": len(data), "rounds": args.bank_rounds,
        "cpus": os.cpu_count(), "database": "sqlite", "parsed_lines": parse[-1][1],
        "parse_seconds_median": round(parse_s, 3), "parse_lines_per_second": round(lines / parse_s),
        "import_seconds_median": round(import_s, 3), "import_lines_per_second": round(lines / import_s),
        "ratio_import_to_parse": round(import_s / parse_s, 2), "recorded": last.recorded, "suspense": last.suspense,
        "rejected": last.rejected, "parse_seconds": [round(t, 3) for t, _ in parse],
        "import_seconds": [round(t, 3) for t, _ in imports],
    }
    _print(result)
    return result


def _print(r: dict) -> None:
    print(f"\nbank_files bench: MT940, SQLite, {r['cpus']} CPUs, {r['rounds']} rounds (median)")
    for name, value in [
        ("statement lines", f"{r['lines']:,} ({r['file_bytes']:,} bytes), {r['employers']:,} employers"),
        ("parse only (reference)", f"{r['parse_seconds_median']:.2f} s  ({r['parse_lines_per_second']:,} lines/s)"),
        ("import and match (C-7)", f"{r['import_seconds_median']:.2f} s  ({r['import_lines_per_second']:,} lines/s)"),
        ("import / parse", f"{r['ratio_import_to_parse']:.2f}x"),
        ("outcome", f"{r['recorded']:,} recorded ({r['suspense']:,} in suspense), {r['rejected']:,} rejected"),
    ]:
        print(f"  {name:<24} {value}")
