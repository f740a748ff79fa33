"""Roles and the permission table for membership actions (O-3)."""
from __future__ import annotations

import pytest

from services.chassis.errors import PermissionDenied
from services.membership.domain.roles import PERMISSIONS, MembershipAction, Role, is_allowed, require_role

A = MembershipAction


@pytest.mark.rule("O-3")
@pytest.mark.parametrize("action", [A.REGISTER_EMPLOYER, A.REGISTER_INFORMAL_PARTICIPANT,
                                    A.REGISTER_CONSTRUCTION_PROJECT])
def test_o3_marketing_officer_registers_employers_projects_and_informal_participants(action):
    assert require_role(action, [Role.MARKETING_OFFICER]) is None
    assert is_allowed(action, [Role.MARKETING_OFFICER])
    assert not is_allowed(action, [Role.ADMINISTRATION_OFFICER])


@pytest.mark.rule("O-3")
@pytest.mark.parametrize("action", [A.ENROL_WORKER, A.TRANSFER_WORKER, A.CHANGE_WAGE, A.CHANGE_FAMILY,
                                    A.TERMINATE_WORKER, A.RECORD_DEATH, A.IMPORT_PWBD,
                                    A.RECORD_NOTICE_LETTER])
def test_o3_administration_officer_makes_worker_changes_and_pwbd(action):
    assert require_role(action, [Role.ADMINISTRATION_OFFICER]) is None
    assert is_allowed(action, [Role.ADMINISTRATION_OFFICER])
    assert not is_allowed(action, [Role.MARKETING_OFFICER, Role.BRANCH_HEAD])


@pytest.mark.rule("O-3")
def test_o3_employer_changes_by_marketing_or_administration():
    assert is_allowed(A.CHANGE_EMPLOYER, [Role.MARKETING_OFFICER])
    assert is_allowed(A.CHANGE_EMPLOYER, [Role.ADMINISTRATION_OFFICER])
    assert not is_allowed(A.CHANGE_EMPLOYER, [Role.SERVICE_OFFICER])


@pytest.mark.rule("O-3")
def test_o3_cards_are_issued_by_administration_or_service():
    assert is_allowed(A.ISSUE_CARD, [Role.SERVICE_OFFICER])
    assert is_allowed(A.ISSUE_CARD, [Role.ADMINISTRATION_OFFICER])


@pytest.mark.rule("O-3")
def test_o3_every_role_reads():
    for role in Role:
        assert require_role(A.READ, [role]) is None
        assert is_allowed(A.READ, [role]), role


@pytest.mark.rule("O-3")
def test_o3_auditor_is_read_only_whatever_else_the_table_says():
    for action in PERMISSIONS:
        if action is not A.READ:
            assert not is_allowed(action, [Role.HEAD_OFFICE_AUDITOR])


@pytest.mark.rule("O-1")
def test_o1_only_the_head_office_admin_manages_offices():
    assert PERMISSIONS[A.MANAGE_OFFICES] == {Role.HEAD_OFFICE_ADMIN}


@pytest.mark.rule("O-3")
def test_o3_roles_may_come_as_token_strings_and_unknown_ones_grant_nothing():
    assert is_allowed(A.ENROL_WORKER, ["administration_officer"])
    assert not is_allowed(A.ENROL_WORKER, ["SUPERUSER", "SERVICE"])


@pytest.mark.rule("O-3")
def test_o3_refusal_names_the_action_and_the_roles_that_may_do_it():
    with pytest.raises(PermissionDenied) as caught:
        require_role(A.ENROL_WORKER, ["MARKETING_OFFICER"])
    message = caught.value.message
    assert "enrol worker" in message and "ADMINISTRATION_OFFICER" in message and "MARKETING_OFFICER" in message
