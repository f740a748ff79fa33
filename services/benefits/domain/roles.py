"""Who may do what in the benefits service (O-3), as data; O-4 is the chassis's one check.

From the branch job descriptions: the service officer verifies claim documents, sets the
claim amount and may reject; the branch head approves (never the officer who assessed,
O-4); the finance officer pays out.
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
    APPROVE_CLAIM = "APPROVE_CLAIM"  # O-4: not by the assessor
    PAY_CLAIM = "PAY_CLAIM"
    MANAGE_RULE_TABLES = "MANAGE_RULE_TABLES"  # benefit amounts and caps: the head office's


A = BenefitsAction
_SERVICE = frozenset({Role.SERVICE_OFFICER})

ACTIONS = ActionTable({
    A.READ: ALL_ROLES,
    A.SUBMIT_CLAIM: _SERVICE,
    A.CHECK_DOCUMENTS: _SERVICE,
    A.ASSESS_CLAIM: _SERVICE,
    A.REJECT_CLAIM: _SERVICE,
    A.APPROVE_CLAIM: {Role.BRANCH_HEAD},
    A.PAY_CLAIM: {Role.FINANCE_OFFICER},
    A.MANAGE_RULE_TABLES: {Role.HEAD_OFFICE_ADMIN},
}, reads={A.READ})
