"""Who may do what in the contributions service (O-3): its actions and their roles, as data.

The roles and the check are the chassis's (`services.chassis.roles`); which branch's data
a caller reaches is the branch scope's (O-2).
"""
from __future__ import annotations

from enum import Enum

from services.chassis.roles import ALL_ROLES, ActionTable, Role


class ContributionsAction(str, Enum):
    READ = "READ"  # bills, payments, penalties, worksheets, standing, JHT accounts, rule tables (O-2 applies)
    MANAGE_RULE_TABLES = "MANAGE_RULE_TABLES"  # C-1..C-6, C-6a, C-9: the head office's
    RUN_YEARLY_JHT_RETURNS = "RUN_YEARLY_JHT_RETURNS"  # C-9
    START_BILLING_RUN = "START_BILLING_RUN"  # C-5
    RECORD_PAYMENT = "RECORD_PAYMENT"  # C-7: record, import a statement, assign suspense
    REQUEST_PENALTY_CORRECTION = "REQUEST_PENALTY_CORRECTION"  # C-6, O-4
    APPROVE_PENALTY_CORRECTION = "APPROVE_PENALTY_CORRECTION"  # O-4
    REJECT_PENALTY_CORRECTION = "REJECT_PENALTY_CORRECTION"  # O-4: the approver's other answer
    PREPARE_WORKSHEET = "PREPARE_WORKSHEET"  # C-7
    CHECK_WORKSHEET = "CHECK_WORKSHEET"  # C-7 validate and post, O-4
    RECOMPUTE_STANDING = "RECOMPUTE_STANDING"  # C-8


A = ContributionsAction
_ADMINISTRATION = frozenset({Role.ADMINISTRATION_OFFICER})
_CHECKERS = frozenset({Role.ADMINISTRATION_OFFICER, Role.BRANCH_HEAD})

ACTIONS = ActionTable({
    A.READ: ALL_ROLES,
    A.MANAGE_RULE_TABLES: {Role.HEAD_OFFICE_ADMIN},
    A.RUN_YEARLY_JHT_RETURNS: {Role.HEAD_OFFICE_ADMIN},
    A.START_BILLING_RUN: {Role.ADMINISTRATION_OFFICER, Role.HEAD_OFFICE_ADMIN},
    A.RECORD_PAYMENT: {Role.FINANCE_OFFICER, Role.ADMINISTRATION_OFFICER},
    A.REQUEST_PENALTY_CORRECTION: _ADMINISTRATION,
    A.APPROVE_PENALTY_CORRECTION: {Role.BRANCH_HEAD},
    A.REJECT_PENALTY_CORRECTION: {Role.BRANCH_HEAD},
    A.PREPARE_WORKSHEET: _ADMINISTRATION,
    A.CHECK_WORKSHEET: _CHECKERS,
    A.RECOMPUTE_STANDING: _CHECKERS,
}, reads={A.READ})
