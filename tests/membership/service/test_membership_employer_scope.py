"""Who may read and change which employer (O-2 office scope, O-3 roles), RPC by RPC.

One shared service per backend holds an employer in KC-BINJAI (region Sumbagut) and one
in KC-JAKSEL (region DKI); every caller below tries every RPC on the Binjai employer. An
office outside the employer's branch and region finds it HIDDEN: NOT_FOUND, as if the NPP
had never been issued; naming a branch it may not read (ListEmployers) is DENIED.
"""
from __future__ import annotations

import logging
import uuid

import grpc
import pytest

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2
from tests.membership.service.employers_support import d, employers_of, register, register_request
from tests.service_harness import Caller, token_for

OK, DENIED, HIDDEN, FOUND, NOTHING = "ok", "denied", "hidden", "found", "nothing"
RPCS = ("get", "list", "search", "change_address", "change_risk_group")

# caller -> (office, roles, expected outcome of each RPC on the Binjai employer)
CALLERS = {
    "binjai-marketing": ("KC-BINJAI", ("MARKETING_OFFICER",), (OK, OK, FOUND, OK, OK)),
    "binjai-administration": ("KC-BINJAI", ("ADMINISTRATION_OFFICER",), (OK, OK, FOUND, OK, OK)),
    "binjai-service-officer": ("KC-BINJAI", ("SERVICE_OFFICER",), (OK, OK, FOUND, DENIED, DENIED)),
    "binjai-branch-head": ("KC-BINJAI", ("BRANCH_HEAD",), (OK, OK, FOUND, DENIED, DENIED)),
    "binjai-no-role": ("KC-BINJAI", (), (DENIED, DENIED, DENIED, DENIED, DENIED)),
    "medan-marketing": ("KC-MEDAN", ("MARKETING_OFFICER",), (HIDDEN, DENIED, NOTHING, HIDDEN, HIDDEN)),
    "jaksel-administration": ("KC-JAKSEL", ("ADMINISTRATION_OFFICER",), (HIDDEN, DENIED, NOTHING, HIDDEN, HIDDEN)),
    "sumbagut-regional": ("KW-SUMBAGUT", ("REGIONAL_OFFICER",), (OK, OK, FOUND, DENIED, DENIED)),
    "dki-regional": ("KW-DKI", ("REGIONAL_OFFICER",), (HIDDEN, DENIED, NOTHING, DENIED, DENIED)),
    "head-office-auditor": ("KP", ("HEAD_OFFICE_AUDITOR",), (OK, OK, FOUND, DENIED, DENIED)),
}
MATRIX = [(caller, rpc, expected[i]) for caller, (_, _, expected) in CALLERS.items() for i, rpc in enumerate(RPCS)]


@pytest.fixture(scope="module")
def world(shared_membership):
    """The two employers, registered once per backend by their own marketing officers."""

    def as_user(office, *roles):
        return Caller(shared_membership.channel, token_for(office, *roles))

    return {
        "binjai": register(as_user, "KC-BINJAI", legal_name="PT Lingkup Binjai Sentosa"),
        "jaksel": register(as_user, "KC-JAKSEL", legal_name="PT Lingkup Jaksel Sentosa"),
    }


def _call(stub, rpc: str, employer: employers_pb2.Employer):
    """Runs `rpc` on `employer`; returns the NPPs a search found, or None."""
    if rpc == "get":
        stub.GetEmployer(employers_pb2.GetEmployerRequest(npp=employer.npp))
    elif rpc == "list":
        stub.ListEmployers(employers_pb2.ListEmployersRequest(branch_code=employer.branch_code))
    elif rpc == "search":
        by_name = stub.SearchEmployers(employers_pb2.SearchEmployersRequest(query="lingkup")).employers
        by_npp = stub.SearchEmployers(employers_pb2.SearchEmployersRequest(query=employer.npp)).employers
        return {e.npp for e in by_name} | {e.npp for e in by_npp}
    elif rpc == "change_address":
        stub.ChangeEmployerAddress(employers_pb2.ChangeEmployerAddressRequest(
            request_id=str(uuid.uuid4()), npp=employer.npp, address="Jl. Veteran No. 1, Binjai", effective_date=d(2024, 5, 1)))
    else:
        stub.ChangeRiskGroup(employers_pb2.ChangeRiskGroupRequest(
            request_id=str(uuid.uuid4()), npp=employer.npp, risk_group=4, effective_date=d(2024, 5, 1)))
    return None


@pytest.mark.rule("O-2", "O-3")
@pytest.mark.parametrize(("caller", "rpc", "expected"), MATRIX, ids=[f"{c}-{r}" for c, r, _ in MATRIX])
def test_o2_o3_each_caller_reads_and_changes_only_what_its_office_and_roles_allow(as_shared_user, world, caller, rpc, expected):
    office, roles, _ = CALLERS[caller]
    stub = employers_of(as_shared_user, office, *roles)
    target = world["binjai"]
    if expected in (DENIED, HIDDEN):
        with pytest.raises(grpc.RpcError) as err:
            _call(stub, rpc, target)
        code = grpc.StatusCode.PERMISSION_DENIED if expected == DENIED else grpc.StatusCode.NOT_FOUND
        assert err.value.code() == code, err.value.details()
    elif expected == NOTHING:
        assert target.npp not in _call(stub, rpc, target)
    elif expected == FOUND:
        assert target.npp in _call(stub, rpc, target)
    else:
        _call(stub, rpc, target)


@pytest.mark.rule("O-2")
def test_o2_a_regional_user_reads_its_own_branches_but_not_another_regions(as_shared_user, world):
    sumbagut = employers_of(as_shared_user, "KW-SUMBAGUT", "REGIONAL_OFFICER")
    assert sumbagut.GetEmployer(employers_pb2.GetEmployerRequest(npp=world["binjai"].npp)).employer.npp == world["binjai"].npp
    with pytest.raises(grpc.RpcError) as err:
        sumbagut.GetEmployer(employers_pb2.GetEmployerRequest(npp=world["jaksel"].npp))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    found = {e.npp for e in sumbagut.SearchEmployers(employers_pb2.SearchEmployersRequest(query="lingkup")).employers}
    assert world["binjai"].npp in found and world["jaksel"].npp not in found


@pytest.mark.rule("O-2")
def test_o2_the_head_office_reads_every_branch(as_shared_user, world):
    auditor = employers_of(as_shared_user, "KP", "HEAD_OFFICE_AUDITOR")
    found = {e.npp for e in auditor.SearchEmployers(employers_pb2.SearchEmployersRequest(query="sentosa")).employers}
    assert {world["binjai"].npp, world["jaksel"].npp} <= found
    listed = auditor.ListEmployers(employers_pb2.ListEmployersRequest(branch_code="KC-JAKSEL", page=types_pb2.PageRequest(page_size=500)))
    assert world["jaksel"].npp in {e.npp for e in listed.employers}


KINDS = [employers_pb2.EMPLOYER_KIND_COMPANY, employers_pb2.EMPLOYER_KIND_INFORMAL_SECTOR_GROUP]
NOT_MARKETING = ["ADMINISTRATION_OFFICER", "SERVICE_OFFICER", "BRANCH_HEAD", "FINANCE_OFFICER", "IT_OFFICER"]


@pytest.mark.rule("O-3", "M-7")
@pytest.mark.parametrize("role", NOT_MARKETING)
def test_o3_m7_only_a_marketing_officer_registers_employers_groups_and_projects(as_shared_user, role):
    stub = employers_of(as_shared_user, "KC-BINJAI", role)
    project = employers_pb2.ConstructionProject(project_name="Gedung", contract_value=types_pb2.Money(rupiah=1_000_000_000),
                                                start_date=d(2024, 1, 1), end_date=d(2024, 12, 31))
    requests = [register_request(kind=kind) for kind in KINDS]
    requests.append(register_request(kind=employers_pb2.EMPLOYER_KIND_CONSTRUCTION_PROJECT, project=project))
    for request in requests:
        with pytest.raises(grpc.RpcError) as err:
            stub.RegisterEmployer(request)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED and "O-3" in err.value.details()


@pytest.mark.rule("O-2")
@pytest.mark.parametrize(("office", "roles"), [("KC-MEDAN", ("MARKETING_OFFICER",)), ("KW-SUMBAGUT", ("MARKETING_OFFICER",)),
                                               ("KP", ("MARKETING_OFFICER", "HEAD_OFFICE_AUDITOR"))])
def test_o2_a_marketing_officer_registers_only_in_its_own_branch(as_shared_user, office, roles, caplog):
    with caplog.at_level(logging.WARNING, logger="jamsos.scope"):
        with pytest.raises(grpc.RpcError) as err:
            employers_of(as_shared_user, office, *roles).RegisterEmployer(register_request(branch_code="KC-BINJAI"))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert any(r.getMessage() == "access refused (O-2)" for r in caplog.records)  # O-2: refused and logged
