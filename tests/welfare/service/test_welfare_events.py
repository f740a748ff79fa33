"""What welfare publishes, in the outbox of the transaction that caused it
(jamsos.welfare.events.v1): application decided, loan disbursed, instalment paid and late."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jamsos.welfare.v1 import common_pb2, events_pb2, loans_pb2
from services.chassis.events import parse_envelope, unpack_payload
from tests.welfare.service.coop_support import agreed_loan, check, disburse, propose
from tests.welfare.service.support import ADMIN, FINANCE, d, rid, rp
from jamsos.welfare.v1 import loans_pb2_grpc


def published(welfare, event_type, key: str) -> list:
    outbox = welfare.runtime.app.ctx.base.tables["outbox"]
    with welfare.runtime.app.ctx.base.read_session() as session:
        rows = session.execute(select(outbox.c.envelope, outbox.c.topic).where(outbox.c.message_key == key)
                               .order_by(outbox.c.id)).all()
    envelopes = [(parse_envelope(bytes(r.envelope)), r.topic) for r in rows]
    assert all(topic == "jamsos.welfare.events.v1" for _, topic in envelopes)
    return [unpack_payload(e, event_type) for e, _ in envelopes if e.event_type == event_type.DESCRIPTOR.full_name]


@pytest.mark.rule("W-K-1", "W-K-3", "W-P-5")
def test_decisions_disbursements_and_instalments_are_published(welfare):
    welfare.fund()
    rejected = propose(welfare, welfare.employer(good=False))
    check(welfare, rejected.application_id)
    [decided] = published(welfare, events_pb2.ApplicationDecided, rejected.application_id)
    assert decided.decision == events_pb2.DECISION_REJECTED and decided.program == common_pb2.PROGRAM_COOPERATIVE_LOAN
    assert [(r.rule_id, r.code) for r in decided.reasons] == [("W-K-1", "EMPLOYER_NOT_IN_GOOD_STANDING")]

    application, loan_id = agreed_loan(welfare, welfare.employer())
    [approved] = published(welfare, events_pb2.ApplicationDecided, application.application_id)
    assert approved.decision == events_pb2.DECISION_APPROVED
    disburse(welfare, application.application_id)
    [disbursed] = published(welfare, events_pb2.LoanDisbursed, loan_id)
    assert (disbursed.principal.rupiah, disbursed.interest.rupiah, disbursed.region_code) == (
        120_000_000, 14_400_000, "KW-SUMBAGUT")

    loans = welfare.stub(loans_pb2_grpc.LoanServiceStub, "KC-BINJAI", FINANCE)
    loans.RecordRepayment(loans_pb2.RecordRepaymentRequest(request_id=rid(), loan_id=loan_id, bank_reference=rid(),
                                                           amount=rp(3_000_000), paid_on=d(date(2025, 6, 30))))
    paid = published(welfare, events_pb2.InstalmentPaid, loan_id)
    # 3,000,000 = the first instalment (2,800,000) + 200,000 of the second
    assert [(p.number, p.amount.rupiah, p.outstanding.rupiah) for p in paid] == [(1, 2_800_000, 0),
                                                                                (2, 200_000, 2_600_000)]
    welfare.runtime.app.ctx.today = lambda: date(2025, 8, 11)
    try:
        welfare.stub(loans_pb2_grpc.LoanServiceStub, "KC-BINJAI", ADMIN).FlagLateInstalments(
            loans_pb2.FlagLateInstalmentsRequest(request_id=rid()))
    finally:
        welfare.runtime.app.ctx.today = lambda: date(2025, 6, 30)
    late = published(welfare, events_pb2.InstalmentLate, loan_id)
    assert [(x.number, x.outstanding.rupiah) for x in late] == [(2, 2_600_000)]
