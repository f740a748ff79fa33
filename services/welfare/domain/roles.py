"""Who may do what in the welfare service (O-3), as data; O-4 is the chassis's one check.

The branch receives and checks applications and signs agreements; the regional office
determines PUMP cases and transfers the money (W-P-3, W-P-4); the branch head approves.
"""
from __future__ import annotations

from enum import Enum

from services.chassis.roles import ALL_ROLES, ActionTable, Role


class WelfareAction(str, Enum):
    READ = "READ"  # applications, loans, schedules (O-2 applies)
    RECEIVE_APPLICATION = "RECEIVE_APPLICATION"  # W-S-2, W-P-1, W-K-3, W-M-2
    CHECK_APPLICATION = "CHECK_APPLICATION"  # W-P-2
    APPROVE_APPLICATION = "APPROVE_APPLICATION"  # O-4: not by the checker
    DETERMINE_PUMP = "DETERMINE_PUMP"  # W-P-3: the regional office
    SIGN_AGREEMENT = "SIGN_AGREEMENT"  # W-P-4: the branch
    TRANSFER_FUNDS = "TRANSFER_FUNDS"  # W-P-4: the regional office
    RECORD_INSTALMENT = "RECORD_INSTALMENT"  # W-P-5, W-K-3


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
    A.RECORD_INSTALMENT: {Role.FINANCE_OFFICER},
}, reads={A.READ})
