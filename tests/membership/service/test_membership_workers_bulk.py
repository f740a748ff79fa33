"""BulkEnrolWorkers (M-3): thousands of rows, exact outcomes, and a resend that changes nothing."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import grpc
import pytest
from sqlalchemy import select

from jamsos.membership.v1 import workers_pb2
from services.membership.adapters import tables
from services.membership.domain.numbers import is_valid_kpj
from tests.membership.service.workers_fixtures import (
    BORN, START, count_rows, d, money, new_nik, outbox_events, register_employer, request_id, workers_of,
)

ENROLLED, TRANSFERRED = workers_pb2.ENROLMENT_OUTCOME_ENROLLED, workers_pb2.ENROLMENT_OUTCOME_TRANSFERRED
UNCHANGED, REJECTED = workers_pb2.ENROLMENT_OUTCOME_UNCHANGED, workers_pb2.ENROLMENT_OUTCOME_REJECTED


def row(number: int, nik: str, *, born: date = BORN, start: date = START, wage: int = 3_000_000) -> workers_pb2.BulkEnrolRow:
    return workers_pb2.BulkEnrolRow(
        row_number=number, nik=nik, name=f"Pekerja {number}", birth_date=d(born), sex=workers_pb2.SEX_FEMALE,
        marital_status=workers_pb2.MARITAL_STATUS_SINGLE, monthly_wage=money(wage), start_date=d(start),
    )


def send(stub, batch_id: str, npp: str, rows) -> list[workers_pb2.BulkEnrolWorkersResponse]:
    def messages():
        yield workers_pb2.BulkEnrolWorkersRequest(header=workers_pb2.BulkEnrolHeader(request_id=batch_id, npp=npp))
        for r in rows:
            yield workers_pb2.BulkEnrolWorkersRequest(row=r)

    return list(stub.BulkEnrolWorkers(messages()))


def snapshot(runtime) -> dict[str, int]:
    counted = [tables.workers, tables.employments, tables.wage_history, tables.bulk_enrol_rows,
               runtime.app.ctx.base.tables["outbox"], runtime.app.ctx.base.tables["audit"]]
    with runtime.app.ctx.base.read_session() as session:
        kpj_next = session.execute(select(tables.sequences.c.next_value).where(tables.sequences.c.name == "kpj")).scalar_one()
    return {t.name: count_rows(runtime, t) for t in counted} | {"kpj_next": kpj_next}


@pytest.mark.rule("M-3")
def test_m3_bulk_enrolment_of_3000_rows_enrols_transfers_and_rejects_exactly_and_a_resend_changes_nothing(membership, as_user):
    stub = workers_of(as_user)
    old_employer, npp = register_employer(as_user), register_employer(as_user)
    movers = [new_nik() for _ in range(100)]
    pre = send(stub, request_id("pre"), old_employer, [row(i + 1, nik) for i, nik in enumerate(movers)])
    assert Counter(r.outcome for r in pre) == {ENROLLED: 100}

    future = date.today() + timedelta(days=10)
    good = [row(i, new_nik()) for i in range(1, 2751)]
    transfers = [row(2750 + i, nik, start=date(2024, 1, 2)) for i, nik in enumerate(movers, start=1)]
    bad_nik = [row(n, "12345") for n in range(2851, 2901)]
    unborn = [row(n, new_nik(future), born=future, start=future + timedelta(days=1)) for n in range(2901, 2951)]
    twice = [workers_pb2.BulkEnrolRow(**{**_fields(good[n - 2951]), "row_number": n}) for n in range(2951, 3001)]
    batch = good + transfers + bad_nik + unborn + twice
    batch_id = request_id("batch")

    answers = send(stub, batch_id, npp, batch)
    assert [a.row_number for a in answers] == list(range(1, 3001))
    assert Counter(a.outcome for a in answers) == {ENROLLED: 2750, TRANSFERRED: 100, REJECTED: 150}
    by_row = {a.row_number: a for a in answers}
    assert all(is_valid_kpj(a.kpj) for a in answers if a.outcome != REJECTED)
    assert len({a.kpj for a in answers if a.outcome == ENROLLED}) == 2750
    assert {by_row[r.row_number].kpj for r in transfers} == {a.kpj for a in pre}  # M-3: the KPJ is kept
    assert all(by_row[n].reasons[0].startswith("nik: ") for n in range(2851, 2901))
    assert all(any(x.startswith("birth_date: ") for x in by_row[n].reasons) for n in range(2901, 2951))
    assert all("already an active member" in by_row[n].reasons[0] for n in range(2951, 3001))
    assert Counter(outbox_events(membership)) >= Counter({"WorkerEnrolled": 2850, "WorkerTransferred": 100})
    before = snapshot(membership)
    assert before["workers"] == 2850 and before["employments"] == 2950 and before["bulk_enrol_rows"] == 3100

    again = send(stub, batch_id, npp, batch)  # the whole batch resent: nothing applied twice
    assert snapshot(membership) == before
    for first, second in zip(answers, again, strict=True):
        if first.outcome == REJECTED:
            assert second == first
        else:
            assert (second.row_number, second.outcome, second.kpj) == (first.row_number, UNCHANGED, first.kpj)

    changed = row(7, new_nik())  # a different row 7 under the same batch id is refused, not "unchanged"
    [answer] = send(stub, batch_id, npp, [changed])
    assert answer.outcome == REJECTED and answer.reasons[0].startswith("row_number: ")
    assert snapshot(membership) == before


@pytest.mark.rule("M-3")
def test_m3_a_batch_rejects_bad_row_numbers_and_a_reused_batch_id_for_another_employer(membership, as_user):
    stub = workers_of(as_user)
    npp, other = register_employer(as_user), register_employer(as_user)
    batch_id = request_id("batch")
    answers = send(stub, batch_id, npp, [row(1, new_nik()), row(1, new_nik()), row(0, new_nik())])
    assert [a.outcome for a in answers] == [ENROLLED, REJECTED, REJECTED]
    assert answers[1].reasons[0].startswith("row_number: ") and answers[2].reasons[0].startswith("row_number: ")
    with pytest.raises(grpc.RpcError) as err:
        send(stub, batch_id, other, [row(1, new_nik())])
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.rule("O-2", "O-3")
def test_o2_o3_a_batch_needs_the_enrolling_role_and_the_employers_branch(membership, as_user):
    npp = register_employer(as_user)
    hidden, denied = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED  # another branch's: as if absent
    for caller, code in ((workers_of(as_user, "KC-MEDAN"), hidden), (workers_of(as_user, "KC-BINJAI", "FINANCE_OFFICER"), denied),
                         (workers_of(as_user, "KP", "HEAD_OFFICE_AUDITOR"), denied)):
        with pytest.raises(grpc.RpcError) as err:
            send(caller, request_id("batch"), npp, [row(1, new_nik())])
        assert err.value.code() == code
    assert count_rows(membership, tables.workers) == 0


def _fields(message: workers_pb2.BulkEnrolRow) -> dict:
    return {f.name: v for f, v in message.ListFields()}


@pytest.mark.rule("O-2", "M-3")
def test_o2_a_batch_id_another_office_used_is_this_office_s_own_batch(membership, as_user):
    """Batch ids belong to their caller: the same id sent by two branches makes two batches,
    and neither learns of the other's employer nor gets the other's stored rows."""
    binjai_npp, jaksel_npp = register_employer(as_user), register_employer(as_user, "KC-JAKSEL")
    binjai = send(workers_of(as_user), "batch-2026-12", binjai_npp, [row(1, new_nik())])
    jaksel = send(workers_of(as_user, "KC-JAKSEL"), "batch-2026-12", jaksel_npp, [row(1, new_nik())])
    assert [a.outcome for a in binjai] == [ENROLLED] and [a.outcome for a in jaksel] == [ENROLLED]
    assert binjai[0].kpj != jaksel[0].kpj
    # the batch is still Binjai's own: a different row 1 under its id is refused as changed content
    again = send(workers_of(as_user), "batch-2026-12", binjai_npp, [row(1, new_nik())])
    assert again[0].outcome == REJECTED and "already processed" in " ".join(again[0].reasons)
