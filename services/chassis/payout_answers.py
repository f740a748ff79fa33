"""The payout RPCs' answers (the file's header, ImportPayoutStatus and ImportPayoutStatement)
and the two uploads, built for any service's payout protos: benefits' and welfare's
messages have the same fields (their per-line results differ, so each service maps those
and hands them in)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from .application import Application
from .convert import from_date, from_rupiah
from .payout_file_store import StoredFile
from .payout_files import gather_upload, read_pain002
from .payout_rules import Outcome
from .payout_statement import ImportPayoutStatement, StatementImported, read_payout_statement
from .payout_use_cases import ImportPayoutStatus, StatusImported
from .unit_of_work import UnitOfWork

# The counter fields of the answers, by outcome.
COUNTER_FIELDS = {Outcome.PAID: "paid", Outcome.FAILED: "failed", Outcome.PENDING: "pending",
                  Outcome.UNCHANGED: "unchanged", Outcome.CONFLICT: "conflicts", Outcome.UNKNOWN: "unknown"}


def outcome_counts(lines: Sequence[Any], *, pending: bool = True) -> dict[str, int]:
    """How many lines had each outcome, as the answer's fields (a statement has no PENDING)."""
    counts = {field: 0 for outcome, field in COUNTER_FIELDS.items() if pending or outcome is not Outcome.PENDING}
    for line in lines:
        counts[COUNTER_FIELDS[line.outcome]] += 1
    return counts


def status_answer(response_type: Any, result: StatusImported, results: list[Any], sha256: str) -> Any:
    report = result.report
    return response_type(
        report_msg_id=report.msg_id, original_msg_id=report.original_msg_id, report_on=from_date(report.created_on),
        group_status=report.group_status, already_imported=result.already_imported, results=results,
        file_sha256=sha256, **outcome_counts(result.lines))


def statement_answer(response_type: Any, result: StatementImported, results: list[Any], sha256: str) -> Any:
    return response_type(
        statement_id=result.statement_id, account=result.account, already_imported=result.already_imported,
        results=results, other_entries=result.other_entries, file_sha256=sha256,
        **outcome_counts(result.lines, pending=False))


def status_from_stream(requests: Iterable[Any]) -> tuple[str, ImportPayoutStatus]:
    """(request id, the command): the uploaded bytes, read as pain.002."""
    request_id, data, sha256 = gather_upload(requests)
    return request_id, ImportPayoutStatus(read_pain002(data), sha256)


def statement_from_stream(requests: Iterable[Any]) -> tuple[str, ImportPayoutStatement]:
    """(request id, the command): the uploaded bytes, read as camt.053."""
    request_id, data, sha256 = gather_upload(requests)
    return request_id, read_payout_statement(data, sha256)


class PayoutAnswers:
    """A service's answers from its payout protos module (`pb`): its per-line result names the
    order's owner in `owner_field` (benefits: claim_id, welfare: application_id), an attribute
    of the same name on its orders."""

    def __init__(self, pb: Any, outcome_to_proto: dict[Outcome, int], state_to_proto: dict[Any, int], owner_field: str):
        self.pb = pb
        self.outcome_to_proto = outcome_to_proto
        self.state_to_proto = state_to_proto
        self.owner_field = owner_field

    def results(self, lines: Sequence[Any]) -> list[Any]:
        pb, owner = self.pb, self.owner_field
        return [pb.PayoutStatusResult(
            end_to_end_id=line.end_to_end_id, order_id=line.order.order_id if line.order else "",
            status_code=line.status_code, reason_code=line.reason.code, reason_text=line.reason.text,
            outcome=self.outcome_to_proto[line.outcome],
            order_state=self.state_to_proto[line.order.state] if line.order else pb.PAYMENT_ORDER_STATE_UNSPECIFIED,
            amount=from_rupiah(line.order.amount if line.order else 0),
            **{owner: getattr(line.order, owner) if line.order else ""}) for line in lines]

    def status(self, result: StatusImported, sha256: str) -> Any:
        return status_answer(self.pb.ImportPayoutStatusResponse, result, self.results(result.lines), sha256)

    def statement(self, result: StatementImported, sha256: str) -> Any:
        return statement_answer(self.pb.ImportPayoutStatementResponse, result, self.results(result.lines), sha256)

    def file(self, stored: StoredFile, order_ids: Sequence[str] = (), more_waiting: bool = False) -> Any:
        """The PayoutFile header; an export's answer also names its orders and whether more wait."""
        created = Timestamp()
        created.FromDatetime(stored.created_at)
        return self.pb.PayoutFile(
            msg_id=stored.msg_id, branch_code=stored.branch_code, scheme=stored.scheme, created_at=created,
            exported_on=from_date(stored.exported_on), exported_by=stored.exported_by,
            transactions=stored.transactions, control_sum=from_rupiah(stored.control_sum), sha256=stored.sha256,
            size_bytes=stored.size, order_ids=list(order_ids), more_waiting=more_waiting)

    # The uploads run as one idempotent mutation whose request id is bound to the file's hash,
    # not its bytes: the same file again answers as the first time, another one is refused.
    def import_status(self, base: Application, requests: Iterable[Any],
                      run: Callable[[UnitOfWork, ImportPayoutStatus], StatusImported]) -> Any:
        return _upload(base, status_from_stream(requests), self.pb.ImportPayoutStatusRequest,
                       self.pb.ImportPayoutStatusResponse, run, self.status)

    def import_statement(self, base: Application, requests: Iterable[Any],
                         run: Callable[[UnitOfWork, ImportPayoutStatement], StatementImported]) -> Any:
        return _upload(base, statement_from_stream(requests), self.pb.ImportPayoutStatementRequest,
                       self.pb.ImportPayoutStatementResponse, run, self.statement)


C = TypeVar("C", ImportPayoutStatus, ImportPayoutStatement)
R = TypeVar("R")


def _upload(base: Application, read: tuple[str, C], request_type: Any, response_type: Any,
            run: Callable[[UnitOfWork, C], R], answer: Callable[[R, str], Any]) -> Any:
    request_id, command = read
    fingerprint = request_type(request_id=request_id, chunk=bytes.fromhex(command.sha256))
    return base.mutation(fingerprint, response_type, lambda uow: answer(run(uow, command), command.sha256))
