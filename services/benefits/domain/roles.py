"""Who may do what in the benefits service (O-3), as data; O-4 is the chassis's one check.

From the branch job descriptions: the service officer verifies claim documents, sets the
claim amount, may reject, records the employer's accident reports and sends the
confirmation letter that puts a doubtful claim on hold; the branch head approves (never the
officer who checked or assessed it, O-4); the finance officer approves payment orders,
marks them paid and runs the daily payout of periodic benefits.

JPK (B-JPK-1..4): the branch appoints health facilities (the service officer registers
them, the branch head who signs the contract may too), records the member's first-level
facility (service or administration officer, who issue the KPK card) and the care the cover
paid. The coverage check is a read for the branch's service staff until facilities have a
credential of their own (see docs: a facility token).
"""
from __future__ import annotations

from enum import Enum

from services.chassis.roles import ALL_ROLES, ActionTable, Role


class BenefitsAction(str, Enum):
    READ = "READ"  # claims, payouts (O-2 applies)
    SUBMIT_CLAIM = "SUBMIT_CLAIM"
    CHECK_DOCUMENTS = "CHECK_DOCUMENTS"  # B-JHT-2, B-JKK-9
    ASSESS_CLAIM = "ASSESS_CLAIM"  # sets the amount
    REJECT_CLAIM = "REJECT_CLAIM"
    PUT_ON_HOLD = "PUT_ON_HOLD"  # confirmation letter (stage 1) for a doubtful claim, and its answer
    REPORT_ACCIDENT = "REPORT_ACCIDENT"  # B-JKK-1: the employer's stage I and II reports
    APPROVE_CLAIM = "APPROVE_CLAIM"  # O-4: not by the officer who checked or assessed it
    PAY_CLAIM = "PAY_CLAIM"  # payment orders: approve, mark paid; the daily payout run
    CHECK_COVERAGE = "CHECK_COVERAGE"  # B-JPK-1..7: may this care be given on the member's card
    REGISTER_FACILITY = "REGISTER_FACILITY"  # B-JPK-4: the facilities the branch appointed
    CHOOSE_FACILITY = "CHOOSE_FACILITY"  # B-JPK-3: the member's first-level facility
    RECORD_CARE = "RECORD_CARE"  # B-JPK-2, B-JPK-5: care the cover paid, counted against the limits
    MANAGE_RULE_TABLES = "MANAGE_RULE_TABLES"  # benefit amounts and caps: the head office's


A = BenefitsAction
_SERVICE = frozenset({Role.SERVICE_OFFICER})

ACTIONS = ActionTable({
    A.READ: ALL_ROLES,
    A.SUBMIT_CLAIM: _SERVICE,
    A.CHECK_DOCUMENTS: _SERVICE,
    A.ASSESS_CLAIM: _SERVICE,
    A.REJECT_CLAIM: _SERVICE,
    A.PUT_ON_HOLD: _SERVICE,
    A.REPORT_ACCIDENT: _SERVICE,
    A.APPROVE_CLAIM: {Role.BRANCH_HEAD},
    A.PAY_CLAIM: {Role.FINANCE_OFFICER},
    A.CHECK_COVERAGE: {Role.SERVICE_OFFICER, Role.BRANCH_HEAD},
    A.REGISTER_FACILITY: {Role.SERVICE_OFFICER, Role.BRANCH_HEAD},
    A.CHOOSE_FACILITY: {Role.SERVICE_OFFICER, Role.ADMINISTRATION_OFFICER},
    A.RECORD_CARE: _SERVICE,
    A.MANAGE_RULE_TABLES: {Role.HEAD_OFFICE_ADMIN},
}, reads={A.READ, A.CHECK_COVERAGE})
