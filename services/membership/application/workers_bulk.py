"""Bulk enrolment (M-3): an employer's whole worker list, also how existing members migrate in.

The stream is a header (request id, NPP) then rows; every row is enrolled, transferred
or rejected with "field: reason" items (a broken business rule reads "M-3: ..."), and one
answer per row is streamed back in the order received.

Safe to resend: rows are applied in chunks of `CHUNK_ROWS`, each chunk one transaction
holding the rows' effects, their events (outbox) and their outcomes in
`bulk_enrol_rows` keyed by (request id, row number). A resent row is answered from there
without being applied again: UNCHANGED (with its KPJ) for a row that was applied, the same
REJECTED reasons for a row that was rejected. A different row under a reused request id
and row number is refused, never reported UNCHANGED. A crash mid-batch leaves whole
chunks done or not done, and the resend finishes the rest.

Per chunk: one query pre-loads the records of the chunk's NIKs, one sequence update
allocates the KPJs of exactly the new members (validated before allocation, so no
number is burned), and new members are inserted with one statement per table.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from collections.abc import Iterable, Iterator

from sqlalchemy.exc import IntegrityError

from jamsos.membership.v1 import workers_pb2
from services.chassis.errors import AlreadyExists, DomainError, InvalidArgument, RuleViolation
from services.chassis.idempotency import caller_scoped_id, require_request_id
from services.membership.adapters.worker_repository import BulkOutcome, WorkerRepository, bulk_batch_npp
from services.membership.application.context import MembershipContext
from services.membership.application.workers_enrolment import (
    EnrolmentTarget, EnrolmentWriter, enrol_one, enrolment_target, require_an_enrolling_role,
)
from services.membership.application.workers_mapping import enrolment_command
from services.membership.domain.nik import normalise_nik
from services.membership.domain.workers import EnrolWorker

CHUNK_ROWS = 500

ENROLLED, TRANSFERRED = "ENROLLED", "TRANSFERRED"
UNCHANGED, REJECTED = "UNCHANGED", "REJECTED"
OUTCOME_TO_PROTO = {
    ENROLLED: workers_pb2.ENROLMENT_OUTCOME_ENROLLED, TRANSFERRED: workers_pb2.ENROLMENT_OUTCOME_TRANSFERRED,
    UNCHANGED: workers_pb2.ENROLMENT_OUTCOME_UNCHANGED, REJECTED: workers_pb2.ENROLMENT_OUTCOME_REJECTED,
}


def reasons_of(error: DomainError) -> tuple[str, ...]:
    """A rejection as "field: reason" items; a broken rule as "<rule id>: reason"."""
    if isinstance(error, InvalidArgument):
        return tuple(f"{v.field}: {v.reason}" for v in error.violations)
    if isinstance(error, RuleViolation):
        return (f"{error.rule_id}: {error.reason}",)
    if isinstance(error, AlreadyExists):
        return (f"nik: {error.message}",)
    return (error.message,)


def row_fingerprint(row: workers_pb2.BulkEnrolRow) -> str:
    return hashlib.sha256(row.SerializeToString(deterministic=True)).hexdigest()


def _answer(row_number: int, outcome: str, kpj: str | None = None, reasons: Iterable[str] = ()) -> workers_pb2.BulkEnrolWorkersResponse:
    return workers_pb2.BulkEnrolWorkersResponse(row_number=row_number, outcome=OUTCOME_TO_PROTO[outcome],
                                                kpj=kpj or "", reasons=list(reasons))


@dataclass
class _Fresh:
    """A row not answered before: where its answer goes, and what it asks."""

    index: int
    row: workers_pb2.BulkEnrolRow
    fingerprint: str
    command: EnrolWorker | None = None
    nik: str | None = None


class BulkEnrolment:
    def __init__(self, ctx: MembershipContext, chunk_rows: int = CHUNK_ROWS):
        self.ctx = ctx
        self.chunk_rows = chunk_rows

    def run(self, requests: Iterator[workers_pb2.BulkEnrolWorkersRequest]) -> Iterator[workers_pb2.BulkEnrolWorkersResponse]:
        """BulkEnrolWorkers: authorise once on the header (O-2, O-3, M-7), then chunk by chunk."""
        require_an_enrolling_role()  # before the stream is read: a caller without the role learns nothing
        first = next(requests, None)
        if first is None or not first.HasField("header"):
            raise InvalidArgument.field("header", "the first message must be the header (request id and NPP)")
        request_id = require_request_id(first.header.request_id)
        batch = caller_scoped_id(request_id)  # the rows are stored under the caller's own batch id
        target = enrolment_target(self.ctx, first.header.npp, field="header.npp")
        with self.ctx.base.read_session() as session:
            used_for = bulk_batch_npp(session, batch)
        if used_for is not None and used_for != target.employer.npp:
            raise InvalidArgument.field("header.request_id", f"already used for a batch of employer {used_for}")
        seen: set[int] = set()
        chunk: list[workers_pb2.BulkEnrolRow] = []
        for row in _rows(requests):
            chunk.append(row)
            if len(chunk) >= self.chunk_rows:
                yield from self._chunk(batch, request_id, target, chunk, seen)
                chunk = []
        if chunk:
            yield from self._chunk(batch, request_id, target, chunk, seen)

    def _chunk(self, batch: str, request_id: str, target: EnrolmentTarget, rows: list[workers_pb2.BulkEnrolRow],
               seen: set[int]) -> list[workers_pb2.BulkEnrolWorkersResponse]:
        for attempt in range(2):
            seen_now = set(seen)
            try:
                answers = self._apply_chunk(batch, request_id, target, rows, seen_now)
            except IntegrityError:
                # A safety net: enrolments serialise on the KPJ sequence lock, so a
                # concurrent one cannot insert a NIK of this chunk under us; if some other
                # writer ever does, the redone chunk sees that record (transfer, duplicate).
                if attempt == 0:
                    continue
                raise
            seen |= seen_now
            return answers
        raise AssertionError("unreachable")

    def _apply_chunk(self, batch: str, request_id: str, target: EnrolmentTarget, rows, seen: set[int]):
        today = self.ctx.today()
        employer = target.employer
        answers: list[workers_pb2.BulkEnrolWorkersResponse | None] = [None] * len(rows)
        with self.ctx.base.unit_of_work() as uow:
            repo = WorkerRepository(uow.session, target.scope)
            repo.lock_enrolment([row.nik for row in rows], batch=batch)
            stored = repo.bulk_outcomes(batch, [r.row_number for r in rows if r.row_number > 0])
            fresh: list[_Fresh] = []
            for i, row in enumerate(rows):
                number = row.row_number
                if number <= 0:
                    answers[i] = _answer(number, REJECTED, reasons=["row_number: must be 1 or more"])
                elif number in seen:
                    answers[i] = _answer(number, REJECTED, reasons=[f"row_number: {number} appears twice in this batch"])
                else:
                    seen.add(number)
                    answers[i] = self._replay(stored.get(number), row)
                    if answers[i] is None:
                        fresh.append(_Fresh(i, row, row_fingerprint(row)))
            outcomes: list[BulkOutcome] = []

            def settle(item: _Fresh, outcome: str, kpj: str | None = None, reasons: tuple[str, ...] = ()) -> None:
                answers[item.index] = _answer(item.row.row_number, outcome, kpj, reasons)
                outcomes.append(BulkOutcome(item.row.row_number, employer.npp, outcome, kpj, reasons, item.fingerprint))

            for item in fresh:
                try:
                    item.command = enrolment_command(item.row, npp=employer.npp, branch_code=employer.branch_code,
                                                     kind=target.kind, today=today)
                    item.nik = normalise_nik(item.command.nik)
                except InvalidArgument as error:
                    settle(item, REJECTED, reasons=reasons_of(error))
            valid = [item for item in fresh if item.command is not None]
            known = repo.by_niks((item.nik for item in valid), lock=True)
            new_niks = list(dict.fromkeys(item.nik for item in valid if item.nik not in known))
            kpjs = dict(zip(new_niks, repo.allocate_kpjs(len(new_niks)), strict=True))
            writer = EnrolmentWriter(uow, repo, batch=request_id)
            for item in valid:
                existing = known.get(item.nik)
                try:
                    enrolment = enrol_one(item.command, today, existing, None if existing else kpjs[item.nik])
                except DomainError as error:
                    settle(item, REJECTED, reasons=reasons_of(error))
                    continue
                writer.add(enrolment, existing)
                known[item.nik] = enrolment.worker
                settle(item, TRANSFERRED if enrolment.is_transfer else ENROLLED, enrolment.worker.kpj)
            writer.flush()
            writer.audit_batch(employer.npp, len(outcomes))
            writer.count()
            repo.record_bulk_outcomes(batch, outcomes)
            uow.commit()
        return answers

    @staticmethod
    def _replay(previous: BulkOutcome | None, row: workers_pb2.BulkEnrolRow) -> workers_pb2.BulkEnrolWorkersResponse | None:
        """The answer to a row already processed under this request id, or None."""
        if previous is None:
            return None
        number = row.row_number
        if previous.fingerprint is not None and previous.fingerprint != row_fingerprint(row):
            return _answer(number, REJECTED, reasons=[
                f"row_number: row {number} of this batch was already processed with different content; "
                f"send corrections under a new request id"])
        if previous.outcome == REJECTED:
            return _answer(number, REJECTED, reasons=previous.reasons)
        return _answer(number, UNCHANGED, previous.kpj)


def _rows(requests: Iterator[workers_pb2.BulkEnrolWorkersRequest]) -> Iterator[workers_pb2.BulkEnrolRow]:
    for message in requests:
        if message.HasField("header"):
            raise InvalidArgument.field("header", "only the first message of the stream is a header")
        if message.HasField("row"):
            yield message.row


__all__ = ["BulkEnrolment", "CHUNK_ROWS"]
