"""Payout files for the bank and the bank's answer to them, as rules without the XML; the
part every service that pays money out shares (benefits' claims, welfare's scholarships
and loans). Pure: standard library and the error vocabulary only, so a domain may use it.

A payout file is one ISO 20022 pain.001.001.09 credit transfer initiation: the approved
orders of one branch, debited from the agency's account, one transaction per order whose
EndToEndId is the order id (its 32 hex digits: the standard allows 35 characters, a UUID
with hyphens has 36). The bank answers with pain.002 status reports: per transaction (or,
when it names none, for the whole file) accepted and settled (PAID), rejected with a
reason code (FAILED), or still in process (PENDING: nothing changes). The report is
applied to the orders of the one file it names (OrgnlMsgId); an id that is not an order of
that file is reported as unknown, never guessed at.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from services.chassis.errors import InvalidArgument

SCHEME = "pain.001.001.09"
CURRENCY = "IDR"
ID_MAX = 35  # ISO 20022 Max35Text: MsgId, PmtInfId, EndToEndId
# A bank's bulk transfer takes a bounded file; the rest waits for the next export.
MAX_ORDERS_PER_FILE = 5_000

# ISO 20022 ExternalPaymentTransactionStatus1Code: what the platform makes of each.
PAID_CODES = frozenset({"ACSC", "ACCC", "ACCP"})  # settled (at the debtor's or creditor's bank), accepted
FAILED_CODES = frozenset({"RJCT"})

# The order states a bank's answer is weighed against (every service's order has them).
EXPORTED, PAID, FAILED = "EXPORTED", "PAID", "FAILED"


@dataclass(frozen=True)
class DebtorAccount:
    """The agency's account the payouts are debited from (configuration, not rule book)."""

    name: str
    account_number: str
    bank_bic: str


@dataclass(frozen=True)
class CreditTransfer:
    """One order as the file carries it: whom, where, how much, and what for."""

    order_id: str
    amount: int  # whole rupiah
    holder_name: str
    bank_name: str
    account_number: str
    remittance: str  # the unstructured remittance information the receiver reads


@dataclass(frozen=True)
class PayoutFile:
    msg_id: str
    branch_code: str
    created_at: datetime
    execution_date: date  # ReqdExctnDt: the day of the export
    debtor: DebtorAccount
    transfers: tuple[CreditTransfer, ...]
    initiating_party: str  # GrpHdr/InitgPty/Nm: which service sent it

    @property
    def transactions(self) -> int:
        return len(self.transfers)

    @property
    def control_sum(self) -> int:
        return sum(t.amount for t in self.transfers)


def end_to_end_id(order_id: str) -> str:
    """The order id as it travels in the file: its hex digits (35 characters at most)."""
    return order_id.replace("-", "")


def order_id_of(end_to_end: str) -> str | None:
    """The order id an EndToEndId names (with or without hyphens), or None when it is none of ours."""
    text = end_to_end.strip()
    if len(text) not in (32, 36):
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


class BankStatus(str, Enum):
    PAID = "PAID"
    FAILED = "FAILED"
    PENDING = "PENDING"


def bank_status(code: str) -> BankStatus:
    if code in PAID_CODES:
        return BankStatus.PAID
    if code in FAILED_CODES:
        return BankStatus.FAILED
    return BankStatus.PENDING  # ACTC, ACSP, PDNG, RCVD, ...: the bank has not decided yet


@dataclass(frozen=True)
class StatusReason:
    code: str = ""  # StsRsnInf/Rsn/Cd (or Prtry), e.g. AC04 closed account
    text: str = ""  # StsRsnInf/AddtlInf


@dataclass(frozen=True)
class TransactionStatus:
    end_to_end_id: str
    status_code: str  # "" when the report gives only the group's status
    reason: StatusReason = StatusReason()
    bank_reference: str = ""  # AcctSvcrRef, else the report's StsId


@dataclass(frozen=True)
class StatusReport:
    msg_id: str
    created_on: date
    original_msg_id: str
    group_status: str
    group_reason: StatusReason
    transactions: tuple[TransactionStatus, ...]


def resolved_statuses(report: StatusReport, exported_ids: list[str]) -> list[TransactionStatus]:
    """Each transaction's own status, else the group's; a report naming no transaction is
    the group's status for every order of the file (`exported_ids`: their order ids)."""
    if not report.transactions:
        if not report.group_status:
            raise InvalidArgument.field("file", "the report gives neither a group status (GrpSts) nor any "
                                                "transaction status (TxInfAndSts)")
        return [TransactionStatus(end_to_end_id(i), report.group_status, report.group_reason) for i in exported_ids]
    if len(report.transactions) > MAX_ORDERS_PER_FILE:
        raise InvalidArgument.field("file", f"{len(report.transactions):,} transaction statuses: more than any "
                                            f"payout file holds ({MAX_ORDERS_PER_FILE:,})")
    resolved = []
    for tx in report.transactions:
        code = tx.status_code or report.group_status
        if not code:
            raise InvalidArgument.field("file", f"transaction {tx.end_to_end_id[:ID_MAX]!r} has no status "
                                                f"(TxSts) and the report no group status (GrpSts)")
        reason = tx.reason if (tx.reason.code or tx.reason.text) else report.group_reason
        resolved.append(TransactionStatus(tx.end_to_end_id, code, reason, tx.bank_reference))
    return resolved


def check_report_day(report: StatusReport, exported_on: date, today: date) -> None:
    """The day a report marks orders paid on lies between the file's export and today."""
    if report.created_on > today:
        raise InvalidArgument.field("file", f"the report is dated {report.created_on.isoformat()}, in the future")
    if report.created_on < exported_on:
        raise InvalidArgument.field("file", f"the report is dated {report.created_on.isoformat()}, before its "
                                            f"payout file was exported on {exported_on.isoformat()}")


class Outcome(str, Enum):
    PAID = "PAID"  # marked paid by this report
    FAILED = "FAILED"  # marked failed by this report
    PENDING = "PENDING"  # the bank has not decided: the order stays EXPORTED
    UNCHANGED = "UNCHANGED"  # already so (the same report again, or a repeated line)
    CONFLICT = "CONFLICT"  # the report contradicts what the order already is: left for finance
    UNKNOWN = "UNKNOWN"  # not an order of the file the report answers


def outcome_for(state: str | None, status: BankStatus) -> Outcome:
    """What a transaction status does to an order in `state` (None: no such order)."""
    if state is None:
        return Outcome.UNKNOWN
    if state == EXPORTED:
        return {BankStatus.PAID: Outcome.PAID, BankStatus.FAILED: Outcome.FAILED}.get(status, Outcome.PENDING)
    settled = {PAID: BankStatus.PAID, FAILED: BankStatus.FAILED}.get(state)
    if status is BankStatus.PENDING or status is settled:
        return Outcome.UNCHANGED
    return Outcome.CONFLICT
