"""The answers of ImportPayoutStatus and ImportPayoutStatement, built for any service's payout
protos: benefits' and welfare's messages have the same fields (their per-line results differ,
so each service maps those and hands them in)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .convert import from_date, from_rupiah
from .payout_rules import Outcome
from .payout_statement import StatementImported
from .payout_use_cases import StatusImported

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
