"""Who may do what in the welfare service (O-3), as data; O-4 is the chassis's one check.

The branch receives and checks applications and signs agreements; the regional office
determines PUMP cases and transfers the money (W-P-3, W-P-4); the branch head approves;
the finance officer disburses loans, pays scholarships, approves and sends payment orders
to the bank and records repayments; the head office and the regional offices put money
into the regional funds; the head office keeps the rule tables.
"""
from __future__ import annotations

from enum import Enum

from services.chassis.roles import ALL_ROLES, ActionTable, Role


class WelfareAction(str, Enum):
    READ = "READ"  # applications, loans, schedules, funds (O-2 applies)
    RECEIVE_APPLICATION = "RECEIVE_APPLICATION"  # W-S-2, W-P-1, W-K-3, W-M-2; bank approvals (W-P-3)
    CHECK_APPLICATION = "CHECK_APPLICATION"  # W-P-2, W-S-2, W-K-1, W-M-2; the report to the region (W-P-3)
    APPROVE_APPLICATION = "APPROVE_APPLICATION"  # O-4: not by the checker
    DETERMINE_PUMP = "DETERMINE_PUMP"  # W-P-3: the regional office
    SIGN_AGREEMENT = "SIGN_AGREEMENT"  # W-P-4, W-K-3: the branch
    TRANSFER_FUNDS = "TRANSFER_FUNDS"  # W-P-4: the regional office
    DISBURSE_LOAN = "DISBURSE_LOAN"  # W-K-3, W-M-1: the branch's transfer
    RECORD_INSTALMENT = "RECORD_INSTALMENT"  # W-P-5, W-K-3
    MONITOR_LOANS = "MONITOR_LOANS"  # W-P-5: late instalments flagged every month
    PAY_SCHOLARSHIP = "PAY_SCHOLARSHIP"  # W-S-1: the monthly payments
    PAY_OUT = "PAY_OUT"  # payment orders: approve (O-4), re-issue, the bank's files
    ALLOCATE_FUND = "ALLOCATE_FUND"  # money into a region's fund
    MANAGE_RULE_TABLES = "MANAGE_RULE_TABLES"  # a new version of a welfare rule table (head office)


A = WelfareAction
_BRANCH_STAFF = frozenset({Role.ADMINISTRATION_OFFICER, Role.SERVICE_OFFICER})

ACTIONS = ActionTable({
    A.READ: ALL_ROLES,
    A.RECEIVE_APPLICATION: _BRANCH_STAFF,
    A.CHECK_APPLICATION: _BRANCH_STAFF,
    A.APPROVE_APPLICATION: {Role.BRANCH_HEAD},
    A.DETERMINE_PUMP: {Role.REGIONAL_OFFICER},
    A.SIGN_AGREEMENT: {Role.BRANCH_HEAD},
    A.TRANSFER_FUNDS: {Role.REGIONAL_OFFICER},
    A.DISBURSE_LOAN: {Role.FINANCE_OFFICER},
    A.RECORD_INSTALMENT: {Role.FINANCE_OFFICER},
    A.MONITOR_LOANS: {Role.FINANCE_OFFICER, Role.ADMINISTRATION_OFFICER},
    A.PAY_SCHOLARSHIP: {Role.FINANCE_OFFICER},
    A.PAY_OUT: {Role.FINANCE_OFFICER},
    A.ALLOCATE_FUND: {Role.HEAD_OFFICE_ADMIN, Role.REGIONAL_OFFICER},
    A.MANAGE_RULE_TABLES: {Role.HEAD_OFFICE_ADMIN},
}, reads={A.READ})
