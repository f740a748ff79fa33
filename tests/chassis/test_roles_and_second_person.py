"""The platform's roles (O-3) and the one two-person check (O-4), as every service uses them."""
from __future__ import annotations

from enum import Enum

import pytest
from google.rpc import error_details_pb2

from services.chassis.context import Principal, service_principal
from services.chassis.errors import PermissionDenied, RuleViolation
from services.chassis.grpc_errors import to_status
from services.chassis.roles import ActionTable, Role, known_roles, require_second_person


class Action(str, Enum):
    READ = "READ"
    APPROVE_CLAIM = "APPROVE_CLAIM"


TABLE = ActionTable({Action.READ: set(Role), Action.APPROVE_CLAIM: {Role.BRANCH_HEAD}}, reads={Action.READ})


def user(*roles: str) -> Principal:
    return Principal(user_id="u", office_code="KC-BINJAI", office_level="BRANCH", roles=frozenset(roles))


def test_o3_an_action_needs_one_of_its_roles_and_the_refusal_names_them():
    TABLE.authorise(Action.APPROVE_CLAIM, user("BRANCH_HEAD"))
    with pytest.raises(PermissionDenied) as err:
        TABLE.authorise(Action.APPROVE_CLAIM, user("SERVICE_OFFICER"))
    assert "O-3" in err.value.message and "BRANCH_HEAD" in err.value.message


def test_o3_the_auditor_reads_everything_and_changes_nothing_whatever_a_table_says():
    permissive = ActionTable({Action.APPROVE_CLAIM: set(Role)})
    assert permissive.allows(Action.APPROVE_CLAIM, ["BRANCH_HEAD"])
    assert not permissive.allows(Action.APPROVE_CLAIM, ["HEAD_OFFICE_AUDITOR"])
    assert TABLE.allows(Action.READ, ["HEAD_OFFICE_AUDITOR"])


def test_o3_unknown_role_names_grant_nothing():
    assert known_roles(["JANITOR", "SERVICE", " branch_head "]) == {Role.BRANCH_HEAD}
    assert not TABLE.allows(Action.READ, ["JANITOR"])


def test_a_service_acts_for_the_platform():
    TABLE.authorise(Action.APPROVE_CLAIM, service_principal("benefits"))


def test_o4_no_one_approves_their_own_work_and_the_reply_says_so_in_a_code():
    require_second_person("ani", "budi", "claim")
    with pytest.raises(RuleViolation) as err:
        require_second_person("ani", "ani", "claim")
    assert (err.value.rule_id, err.value.code) == ("O-4", "SAME_PERSON")
    _code, status = to_status(err.value)
    info = error_details_pb2.ErrorInfo()
    assert any(d.Unpack(info) for d in status.details)
    assert (info.reason, info.metadata["code"]) == ("O-4", "SAME_PERSON")


def test_o3_a_principals_answers_are_kept_and_stay_its_own():
    """A token's role set is asked on every call: its answer is kept per (action, roles), so
    a second caller with other roles, or the auditor, gets its own answer, also once the
    kept answers are dropped for being many."""
    table = ActionTable({Action.READ: set(Role), Action.APPROVE_CLAIM: {Role.BRANCH_HEAD, Role.HEAD_OFFICE_AUDITOR}},
                        reads={Action.READ})
    for _ in range(2):  # the first time computed, the second kept
        table.authorise(Action.APPROVE_CLAIM, user("BRANCH_HEAD"))
        with pytest.raises(PermissionDenied):
            table.authorise(Action.APPROVE_CLAIM, user("SERVICE_OFFICER"))
        with pytest.raises(PermissionDenied):  # the auditor changes nothing, whatever the table says
            table.authorise(Action.APPROVE_CLAIM, user("HEAD_OFFICE_AUDITOR"))
        table.authorise(Action.READ, user("HEAD_OFFICE_AUDITOR"))
    for index in range(5000):  # more role sets than are kept
        assert table.allows(Action.READ, frozenset({"BRANCH_HEAD", f"X{index}"}))
    assert not table.allows(Action.APPROVE_CLAIM, frozenset({"SERVICE_OFFICER"}))
    assert table.allows(Action.APPROVE_CLAIM, frozenset({"BRANCH_HEAD"}))
