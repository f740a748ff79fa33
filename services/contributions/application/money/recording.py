"""Recording one bank receipt (C-7): validate, refuse duplicates, match or keep in suspense.

Who: a finance or administration officer of the employer's branch (O-2, O-3).
* The employer is the NPP given, or the employer of the bill given when no NPP is.
* A bill or an employer of a branch the caller cannot read is treated exactly as one
  that does not exist (O-2): the payment goes to the suspense of the branch named. One
  the caller can read but not change is PERMISSION_DENIED.
* An employer that is not known (not replicated from membership, not billed) does not
  make the payment fail: money has arrived, so it is kept in suspense for the branch named
  in the request until an officer assigns it. So is a payment naming a bill its employer
  does not have open (domain `match_payment`).
* A bank reference is recorded once: a second request with it is ALREADY_EXISTS.

On SQLite a change holds the one write lock from its first statement to its commit, so what
needs no lock is read before it (`prepare`): the bill named (its employer and branch never
change once issued) and the employer, when both are plainly the caller's to change and the
reference is new. Under the lock only what may have changed since is read again (the
employer's row, the reference); anything else (an unknown or hidden record, a refusal)
takes the whole path under the lock, where its answer and its audit come from.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jamsos.contributions.v1 import events_pb2
from services.chassis.config import topic_of
from services.chassis.convert import from_date, from_rupiah
from services.chassis.errors import AlreadyExists, FieldViolation, InvalidArgument
from services.chassis.ids import uuid7
from services.chassis.lookups import LookupConnection
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters import money_bills, payment_store
from services.contributions.adapters.employer_repository import EmployerRepository
from services.contributions.adapters.payment_repository import PaymentRepository
from services.contributions.application.money.matching import MatchResult, post_to_employer
from services.contributions.domain.payments import MatchOutcome, Payment, match_payment, validate_payment

# The domain names amounts `amount_rupiah`; the API field is `amount`.
_API_FIELD = {"amount_rupiah": "amount"}


@dataclass(frozen=True)
class PaymentLine:
    """One receipt as the bank or the officer gave it."""

    bank_reference: str
    amount_rupiah: int
    paid_on: date
    npp: str = ""
    bill_number: str = ""
    branch_code: str = ""


@dataclass(frozen=True)
class Recorded:
    payment_id: str
    match: MatchResult | None  # None: kept in suspense
    payment: payment_store.StoredPayment  # as stored at the end (PaymentPosted's)


def validate_line(line: PaymentLine, today: date) -> None:
    """Positive amount, not after today, bank reference present: INVALID_ARGUMENT naming the field."""
    try:
        validate_payment(Payment(line.bank_reference, line.amount_rupiah, line.paid_on), today)
    except InvalidArgument as exc:
        raise InvalidArgument([FieldViolation(_API_FIELD.get(v.field, v.field), v.reason) for v in exc.violations]) from None


@dataclass(frozen=True)
class Prepared:
    """What `prepare` read before the write lock: the employer (of the bill named, if no NPP is)."""

    facts: money_bills.EmployerFacts


def prepare(reader: LookupConnection, scope: BranchScope, line: PaymentLine, today: date) -> Prepared | None:
    """The reads of `record_line` that need no write lock, on a lookup connection outside the
    transaction. None unless the line is valid, its reference new, and its bill (if named)
    and employer exist and are the caller's to change: then `record_line` reads them itself."""
    try:
        validate_line(line, today)
    except InvalidArgument:
        return None
    reference = line.bank_reference.strip()
    bill, facts = None, None
    if line.bill_number:  # the reference, the bill and its employer in one statement
        found = payment_store.before_the_lock(reader, reference, line.bill_number)
        if found is None or found.reference_taken or not _changeable(scope, found.bill.branch_code):
            return None
        bill = found.bill
        if line.npp.strip() in ("", bill.npp):
            facts = found.bill_employer
    elif payment_store.by_bank_reference(reader, reference) is not None:
        return None
    npp = line.npp.strip() or (bill.npp if bill is not None else "")
    if facts is None and npp:  # another employer named, or one known by its bills only
        facts = money_bills.employer(reader, npp)
    if facts is None or not _changeable(scope, facts.branch_code):
        return None
    return Prepared(facts)


def _changeable(scope: BranchScope, branch_code: str) -> bool:
    return scope.can_read(branch_code) and scope.can_write(branch_code)


def _still_holds(session, prepared: Prepared, reference: str) -> bool:
    """Under the lock: the reference still new and the employer's row as `prepare` read it
    (membership's events may have changed it since: its branch, or its data, C-8)."""
    now = payment_store.recheck(session, reference, prepared.facts.npp)  # one statement for both
    if now is not None:
        taken, facts = now
        return not taken and facts == prepared.facts
    return (payment_store.by_bank_reference(session, reference) is None
            and money_bills.employer(session, prepared.facts.npp) == prepared.facts)


def record_line(uow: UnitOfWork, scope: BranchScope, line: PaymentLine, today: date, user: str,
                standing_later: set[str] | None = None, prepared: Prepared | None = None) -> Recorded:
    validate_line(line, today)
    session = uow.session
    reference = line.bank_reference.strip()
    payments = PaymentRepository(session, scope)
    if prepared is not None and _still_holds(session, prepared, reference):
        npp, facts = prepared.facts.npp, prepared.facts
    else:
        if payment_store.by_bank_reference(session, reference) is not None:
            raise AlreadyExists("payment", reference, f"bank reference {reference} is already recorded")
        bill = payments.bill_named(line.bill_number)  # another branch's bill: as one that does not exist (O-2)
        npp = line.npp.strip() or (bill.npp if bill is not None else "")
        employers = EmployerRepository(session, scope)
        found = employers.visible(npp) if npp else None
        if found is not None:
            employers.require_writable(found)
        facts = found
    row = dict(payment_id=uuid7(), bank_reference=reference, npp=npp or None, amount_rupiah=line.amount_rupiah,
               paid_on=line.paid_on, bill_number=line.bill_number or None, credit_rupiah=0, recorded_by=user)
    if facts is None:
        branch = line.branch_code.strip()
        if not branch:
            raise InvalidArgument.field("branch_code", "required when the employer is not known: the payment "
                                                       "is kept in that branch's suspense")
        payments.require_suspense_branch(branch)
        reason = f"employer {npp} is not known" if npp else "no employer given"
        return _suspense(uow, row, branch, reason)
    money_bills.take_employer_turn(session, facts.npp)  # PostgreSQL: its other money changes wait
    # Locked: step 2 allocates from them; with the employer's credit state (one statement).
    open_now, state = payment_store.open_bills_and_state(session, facts.npp)
    match = match_payment(Payment(reference, line.amount_rupiah, line.paid_on, facts.npp, line.bill_number or None),
                          [b.open_bill() for b in open_now])
    if match.outcome is MatchOutcome.SUSPENSE:
        return _suspense(uow, row, facts.branch_code, match.reason)
    result = post_to_employer(uow, row["payment_id"], facts.npp, line.amount_rupiah, line.paid_on,
                              line.bill_number or None, today, standing_later, facts=facts, open_bills=open_now,
                              new_payment=dict(row, branch_code=facts.branch_code, status=payment_store.MATCHED),
                              state=state)
    stored = None  # its credit is final unless credit was spread again after it (then read back)
    if result.payment_credit is not None:
        stored = _as_stored(row, facts.branch_code, payment_store.MATCHED, None, credit=result.payment_credit)
    return Recorded(row["payment_id"], result, emit_posted(uow, row["payment_id"], stored))


def _suspense(uow: UnitOfWork, row: dict, branch: str, reason: str) -> Recorded:
    payment_store.insert_payment(uow.session, **row, branch_code=branch, status=payment_store.SUSPENSE,
                                 suspense_reason=reason)
    stored = _as_stored(row, branch, payment_store.SUSPENSE, reason, credit=row["credit_rupiah"])
    return Recorded(row["payment_id"], None, emit_posted(uow, row["payment_id"], stored))


def _as_stored(row: dict, branch: str, status: str, reason: str | None, *, credit: int) -> payment_store.StoredPayment:
    """The payment row just written (`row` and what was added to it), as reading it back gives it."""
    return payment_store.StoredPayment(row["payment_id"], row["bank_reference"], row["npp"], branch,
                                       int(row["amount_rupiah"]), row["paid_on"], status, row["bill_number"],
                                       int(credit), reason)


def emit_posted(uow: UnitOfWork, payment_id: str,
                stored: payment_store.StoredPayment | None = None) -> payment_store.StoredPayment:
    """PaymentPosted, and the audit record, from the payment as stored (`stored`: as this
    transaction just wrote it; read when not given); returns it."""
    p = stored if stored is not None else payment_store.get_payment(uow.session, payment_id)
    assert p is not None  # stored in this transaction
    unmatched = p.status == payment_store.SUSPENSE
    left = int(p.amount_rupiah) if unmatched else int(p.credit_rupiah)
    uow.emit(topic_of("contributions"), events_pb2.PaymentPosted(
        payment_id=p.payment_id, bank_reference=p.bank_reference, npp=p.npp or "",
        amount=from_rupiah(int(p.amount_rupiah)), paid_on=from_date(p.paid_on), credit=from_rupiah(left),
        unmatched=unmatched,
    ), aggregate_type="employer" if p.npp else "payment", aggregate_id=p.npp or p.payment_id, branch_code=p.branch_code)
    uow.audit("payment.post", p.payment_id, {"bank_reference": p.bank_reference, "npp": p.npp, "amount": int(p.amount_rupiah),
                                             "paid_on": p.paid_on, "status": p.status, "credit": left,
                                             "suspense_reason": p.suspense_reason})
    return p
