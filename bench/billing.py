"""Billing bench: one monthly billing run over a synthetic read model on PostgreSQL (C-5).

Starts a throwaway PostgreSQL, migrates the contributions database, loads N workers of E
employers in B branches with COPY, then times

1. a full billing run for one period through the billing use case (every branch, jobs
   billed inline by `--job-workers` threads: the shape of that many replicas sharing the
   job topic), and
2. a plain COPY of the same bill-line rows (as PostgreSQL stored them) into the same,
   truncated, bill_lines table, with the same parallelism as the run (one COPY stream per
   job worker, each on its own connection; also one stream alone): the floor any way of
   writing those lines has to pay.

and reports workers per second and run_time / copy_time (target <= 1.3x against the
same parallelism; <= 2x with --rupiah-wages). `--billing-rounds` repeats each size on a
fresh database (min/median/max); `--billing-sizes 100000,300000,1000000` draws the curve;
`--billing-durable` runs PostgreSQL with fsync and synchronous commit on (the default is
the test harness's fsync off; the results say which).

Synthetic data: employer sizes uniform 1..2*avg-1, risk groups I..V uniform, 60% married,
wages in Rp50,000 steps between Rp2,000,000 and Rp15,000,000 (some below the branch UMK,
so the C-6a floor is exercised), 30% of workers with a second (later) wage row.
`--rupiah-wages` draws wages to the rupiah instead (the worst case for the pricing memo).
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import os
import random
import statistics
import subprocess
import threading
import time
from datetime import date, timedelta

import psycopg

from bench import results
from jamsos.common.v1 import types_pb2
from jamsos.contributions.v1 import billing_pb2
from services.chassis.application import Application
from services.chassis.config import Settings
from services.chassis.context import SYSTEM, request_context
from services.chassis.database import make_engine, make_session_factory
from services.chassis.migrations import upgrade_to_head
from services.contributions.application.billing.pricing import forget_priced_lines
from services.contributions.bootstrap import definition
from tests.harness.postgres import ThrowawayPostgres

LINE_COLUMNS = "bill_number, kpj, program, payer, base_rupiah, rate_bp, amount_rupiah"
# bench/__main__.py leaves the files to `run`: wages to the rupiah are results of their own
# (billing-rupiah-*.json), so that run never replaces the figures of the regular one.
WRITES_OWN_RESULTS = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("billing")
    group.add_argument("--workers", type=int, default=1_000_000, help="workers to bill (default 1,000,000)")
    group.add_argument("--employers", type=int, default=None, help="employers (default workers / 20)")
    group.add_argument("--branches", type=int, default=20)
    group.add_argument("--period", default="2024-03", help="period billed, YYYY-MM")
    group.add_argument("--job-workers", type=int, default=2, help="branch jobs billed at once")
    group.add_argument("--rupiah-wages", action="store_true", help="wages to the rupiah (no two alike)")
    group.add_argument("--seed", type=int, default=42)
    group.add_argument("--billing-rounds", type=int, default=1, help="rounds per size, each on a fresh database")
    group.add_argument("--billing-sizes", default=None,
                       help="comma-separated worker counts for the curve (default: --workers alone)")
    group.add_argument("--billing-durable", action="store_true", help="PostgreSQL with fsync and synchronous commit on")


def _copy(conn: psycopg.Connection, table: str, columns: str, rows) -> int:
    count = 0
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load_read_model(conn: psycopg.Connection, workers: int, employers: int, branches: int, rupiah: bool, seed: int) -> None:
    rng = random.Random(seed)
    branch_codes = [f"KC-B{b:02d}" for b in range(branches)]
    _copy(conn, "rm_offices", "code, level, parent_code", [("KP", "HEAD", None), ("KW-BENCH", "REGIONAL", "KP"),
                                                            *((b, "BRANCH", "KW-BENCH") for b in branch_codes)])
    _copy(conn, "umk_rates", "branch_code, effective_from, monthly_rupiah",
          ((b, date(2020, 1, 1), 1_000 * rng.randint(2_500, 5_000)) for b in branch_codes))
    npps = [f"{j + 1:08d}" for j in range(employers)]
    _copy(conn, "rm_employers", "npp, branch_code, legal_name, address, kind, registration_date, status",
          ((n, branch_codes[j % branches], f"PT Bench {n}", "Jl. Bench", "COMPANY", date(2010, 1, 4), "ACTIVE")
           for j, n in enumerate(npps)))
    _copy(conn, "rm_employer_risk_groups", "npp, effective_date, risk_group",
          ((n, date(2010, 1, 4), rng.randint(1, 5)) for n in npps))
    average = max(1, workers // employers)
    sizes = [rng.randint(1, 2 * average - 1) for _ in npps]
    sizes[-1] += workers - sum(sizes)  # exactly `workers` in all
    while sizes[-1] < 1:  # the draw overshot: take workers back from the others
        for j in range(len(sizes) - 1):
            if sizes[j] > 1 and sizes[-1] < 1:
                sizes[j] -= 1
                sizes[-1] += 1
    people, jobs, wages, marital = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
    kpj = 0
    for npp, size, j in zip(npps, sizes, range(employers), strict=True):
        branch = branch_codes[j % branches]
        for _ in range(size):
            kpj += 1
            k = f"{kpj:011d}"
            start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))
            wage = rng.randint(2_000_000, 15_000_000) if rupiah else 50_000 * rng.randint(40, 300)
            people.write(f"{k}\tPekerja {kpj}\t{npp}\t{branch}\tACTIVE\tJHT,JKK,JK,JPK\t\\N\n")
            jobs.write(f"{k}\t{npp}\t{start}\t\\N\n")
            wages.write(f"{k}\t{start}\t{wage}\n")
            if rng.random() < 0.3 and start < date(2023, 1, 1):
                wages.write(f"{k}\t2023-01-01\t{wage + 250_000}\n")
            marital.write(f"{k}\t{start}\t{'MARRIED' if rng.random() < 0.6 else 'SINGLE'}\n")
    for table, columns, buffer in (
        ("rm_workers", "kpj, name, npp, branch_code, status, programs, death_date", people),
        ("rm_employments", "kpj, npp, start_date, end_date", jobs),
        ("rm_worker_wages", "kpj, effective_date, monthly_wage", wages),
        ("rm_worker_marital", "kpj, effective_date, marital_status", marital),
    ):
        with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
    conn.commit()
    conn.execute("ANALYZE")
    conn.commit()


def timed_run(url: str, period: tuple[int, int], job_workers: int) -> tuple[float, object]:
    engine = make_engine(url, pool_size=max(2, job_workers + 1))
    d = definition()
    settings = dataclasses.replace(Settings.from_env("contributions"), database_url=url, consumers_enabled=False,
                                   relay_enabled=False)
    app = d.make_application(settings, Application(d.name, engine, make_session_factory(engine), d.tables))
    app.billing.runs.inline_workers = job_workers
    request = billing_pb2.StartBillingRunRequest(request_id="bench-run", period=types_pb2.Period(year=period[0], month=period[1]))
    forget_priced_lines()  # every round prices cold, as a fresh process does (rounds draw the same wages)
    started = time.perf_counter()
    with request_context(SYSTEM, "bench"):
        run = app.billing.start_run(request).run
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, run


def timed_copies(conninfo: str, streams: int) -> dict:
    """COPY the run's own lines back into the truncated table, as raw COPY text: once with
    one stream, once with `streams` streams in parallel (the lines split by bill), each
    stream on its own connection and thread (psycopg releases the GIL while it sends)."""
    with psycopg.connect(conninfo) as conn:
        parts = [_dump(conn, f"abs(hashtext(bill_number)) % {streams} = {i}") for i in range(streams)]
        whole = [chunk for part in parts for chunk in part]
        single = _timed_copy_streams(conn, conninfo, [whole])
        parallel = _timed_copy_streams(conn, conninfo, parts) if streams > 1 else single
        rows = conn.execute("SELECT count(*) FROM bill_lines").fetchone()[0]
    return {"single_stream_seconds": round(single, 2), "parallel_seconds": round(parallel, 2), "streams": streams,
            "copied_lines": rows}


def _dump(conn: psycopg.Connection, where: str) -> list[bytes]:
    chunks = []
    with conn.cursor() as cursor, cursor.copy(f"COPY (SELECT {LINE_COLUMNS} FROM bill_lines WHERE {where}) TO STDOUT") as copy:
        for chunk in copy:
            chunks.append(bytes(chunk))
    return chunks


def _timed_copy_streams(conn: psycopg.Connection, conninfo: str, parts: list[list[bytes]]) -> float:
    conn.execute("TRUNCATE bill_lines")
    conn.commit()
    conn.execute("CHECKPOINT")
    connections = [psycopg.connect(conninfo) for _ in parts]
    barrier = threading.Barrier(len(parts) + 1)

    def stream(connection: psycopg.Connection, chunks: list[bytes]) -> None:
        barrier.wait()
        with connection.cursor() as cursor, cursor.copy(f"COPY bill_lines ({LINE_COLUMNS}) FROM STDIN") as copy:
            for chunk in chunks:
                copy.write(chunk)
        connection.commit()

    threads = [threading.Thread(target=stream, args=(c, p)) for c, p in zip(connections, parts, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for connection in connections:
        connection.close()
    return elapsed


def _server_settings(conn: psycopg.Connection) -> dict:
    names = ("server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "wal_level")
    return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}


def _git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True, cwd=os.path.dirname(__file__)).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def one_round(server: ThrowawayPostgres, dbname: str, args: argparse.Namespace, workers: int) -> dict:
    employers = args.employers or max(1, workers // 20)
    year, month = (int(x) for x in args.period.split("-"))
    url = server.create_database(dbname)
    engine = make_engine(url)
    upgrade_to_head(engine, definition().migrations)
    engine.dispose()
    with psycopg.connect(server.conninfo(dbname)) as conn:
        started = time.perf_counter()
        load_read_model(conn, workers, employers, args.branches, args.rupiah_wages, args.seed)
        load_seconds = time.perf_counter() - started
        conn.execute("CHECKPOINT")
    run_seconds, billing_run = timed_run(url, (year, month), args.job_workers)
    with psycopg.connect(server.conninfo(dbname)) as conn:
        bills, lines = conn.execute("SELECT (SELECT count(*) FROM bills), (SELECT count(*) FROM bill_lines)").fetchone()
    copies = timed_copies(server.conninfo(dbname), args.job_workers)
    return {
        "workers": workers, "employers": employers, "run_status": billing_pb2.BillingRunStatus.Name(billing_run.status),
        "bills_issued": bills, "bill_lines": lines, "load_seconds": round(load_seconds, 2),
        "run_seconds": round(run_seconds, 2), "workers_per_second": round(workers / run_seconds),
        "copy_seconds": copies["parallel_seconds"], "copy_single_stream_seconds": copies["single_stream_seconds"],
        "copy_streams": copies["streams"], "copied_lines": copies["copied_lines"],
        "ratio_run_to_copy": round(run_seconds / copies["parallel_seconds"], 2),
        "ratio_run_to_single_copy": round(run_seconds / copies["single_stream_seconds"], 2),
    }


def run(args: argparse.Namespace) -> dict:
    sizes = [int(x) for x in args.billing_sizes.split(",")] if args.billing_sizes else [args.workers]
    server = ThrowawayPostgres(durable=args.billing_durable).start()
    curve = []
    try:
        with psycopg.connect(server.conninfo("postgres")) as conn:
            settings = _server_settings(conn)
        for workers in sizes:
            rounds = [one_round(server, f"bench_billing_{workers}_{r}", args, workers) for r in range(args.billing_rounds)]
            curve.append(_summary(workers, rounds))
    finally:
        server.stop()
    result = {
        "conditions": {"postgres": settings, "cpus": os.cpu_count(), "git_revision": _git_revision(),
                       "job_workers": args.job_workers, "copy_streams": args.job_workers, "branches": args.branches,
                       "rupiah_wages": args.rupiah_wages, "period": args.period, "rounds": args.billing_rounds,
                       "relay_and_consumers": "off (the run is timed in the bench process, jobs inline)"},
        "target_ratio": 2.0 if args.rupiah_wages else 1.3,
        "curve": curve,
    }
    _print(result)
    written = results.write("billing-rupiah" if args.rupiah_wages else "billing", result)
    print("results written to " + ", ".join(str(p.relative_to(results.RESULTS.parent.parent)) for p in written))
    return result


def _summary(workers: int, rounds: list[dict]) -> dict:
    def spread(key: str) -> dict:
        values = [r[key] for r in rounds]
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}
    return {"workers": workers, "rounds": rounds,
            **{key: spread(key) for key in ("run_seconds", "copy_seconds", "copy_single_stream_seconds",
                                            "workers_per_second", "ratio_run_to_copy", "ratio_run_to_single_copy")}}


def _print(r: dict) -> None:
    c, pg = r["conditions"], r["conditions"]["postgres"]
    print(f"\nbilling bench: PostgreSQL {pg['server_version']} (fsync {pg['fsync']}, synchronous_commit "
          f"{pg['synchronous_commit']}), {c['cpus']} CPUs, {c['job_workers']} job workers against {c['copy_streams']} "
          f"COPY streams, {c['rounds']} round(s), period {c['period']}")
    print(f"  {'workers':>10} {'bills':>8} {'lines':>10} {'run s':>14} {'COPY s':>14} {'run/COPY':>16} {'1-stream':>9}")
    for point in r["curve"]:
        last = point["rounds"][-1]
        run, copy, ratio = point["run_seconds"], point["copy_seconds"], point["ratio_run_to_copy"]
        print(f"  {point['workers']:>10,} {last['bills_issued']:>8,} {last['bill_lines']:>10,} "
              f"{run['median']:>6.1f} ({run['min']:.1f}-{run['max']:.1f}) {copy['median']:>6.1f} ({copy['min']:.1f}-{copy['max']:.1f}) "
              f"{ratio['median']:>6.2f}x ({ratio['min']:.2f}-{ratio['max']:.2f}) {point['ratio_run_to_single_copy']['median']:>8.2f}x")
    print(f"  target: run / COPY with the same parallelism <= {r['target_ratio']}x")
