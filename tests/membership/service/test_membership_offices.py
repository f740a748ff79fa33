"""Office tree (O-1) as reference data membership owns and publishes."""
from __future__ import annotations

import grpc
import pytest

from jamsos.membership.v1 import offices_pb2, offices_pb2_grpc


@pytest.mark.rule("O-1")
def test_o1_embedded_default_tree_has_head_regional_and_classed_branches(as_user):
    offices = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(offices_pb2_grpc.OfficeServiceStub).ListOffices(offices_pb2.ListOfficesRequest()).offices
    by_code = {o.code: o for o in offices}
    assert by_code["KP"].level == offices_pb2.OFFICE_LEVEL_HEAD
    assert by_code["KW-SUMBAGUT"].parent_code == "KP"
    assert by_code["KC-BINJAI"].parent_code == "KW-SUMBAGUT" and by_code["KC-BINJAI"].branch_class == 2


@pytest.mark.rule("O-1")
def test_o1_head_office_admin_adds_a_branch_and_the_tree_stays_valid(as_user):
    stub = as_user("KP", "HEAD_OFFICE_ADMIN")(offices_pb2_grpc.OfficeServiceStub)
    new = offices_pb2.Office(code="KC-TEBING", name="Kantor Cabang Tebing Tinggi", level=offices_pb2.OFFICE_LEVEL_BRANCH, parent_code="KW-SUMBAGUT", branch_class=3)
    stub.UpsertOffice(offices_pb2.UpsertOfficeRequest(request_id="o-1", office=new))
    assert "KC-TEBING" in {o.code for o in stub.ListOffices(offices_pb2.ListOfficesRequest()).offices}
    orphan = offices_pb2.Office(code="KC-X", name="X", level=offices_pb2.OFFICE_LEVEL_BRANCH, parent_code="NOWHERE", branch_class=1)
    with pytest.raises(grpc.RpcError) as err:
        stub.UpsertOffice(offices_pb2.UpsertOfficeRequest(request_id="o-2", office=orphan))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.rule("O-3")
def test_o3_a_branch_officer_cannot_change_the_office_tree(as_user):
    stub = as_user("KC-BINJAI", "ADMINISTRATION_OFFICER")(offices_pb2_grpc.OfficeServiceStub)
    office = offices_pb2.Office(code="KC-Y", name="Y", level=offices_pb2.OFFICE_LEVEL_BRANCH, parent_code="KW-DKI", branch_class=1)
    with pytest.raises(grpc.RpcError) as err:
        stub.UpsertOffice(offices_pb2.UpsertOfficeRequest(request_id="o-3", office=office))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
