"""Employer registration and changes (M-1, M-7) through the real gRPC service."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import grpc
import pytest
from sqlalchemy import func, select

from jamsos.common.v1 import types_pb2
from jamsos.membership.v1 import employers_pb2, events_pb2
from services.chassis.config import topic_of
from services.chassis.events import parse_envelope, unpack_payload
from services.membership.bootstrap import definition
from services.membership.adapters.tables import employer_risk_groups, employers
from services.membership.domain.numbers import is_valid_npp, make_npp
from tests.membership.service.employers_support import (
    d, employers_of, marketing, register, register_request, today, violated_fields,
)
from tests.service_harness import Caller, start_service, token_for


def _count(membership, table) -> int:
    with membership.app.ctx.base.read_session() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def _outbox(membership) -> list:
    outbox = membership.app.ctx.base.tables["outbox"]
    with membership.app.ctx.base.read_session() as session:
        return [parse_envelope(raw) for raw in session.execute(select(outbox.c.envelope).order_by(outbox.c.id)).scalars()]


@pytest.mark.rule("M-1")
def test_m1_registration_issues_a_valid_npp_with_branch_name_sector_address_date_and_risk_group(as_user, membership):
    employer = register(as_user, legal_name="PT Sawit Makmur", risk_group=3)
    assert is_valid_npp(employer.npp) and len(employer.npp) == 8
    assert (employer.branch_code, employer.legal_name, employer.sector) == ("KC-BINJAI", "PT Sawit Makmur", "Perkebunan")
    assert employer.address == "Jl. Sudirman No. 12, Binjai"
    assert employer.registration_date == d(2024, 3, 1) and employer.risk_group_effective_date == d(2024, 3, 1)
    assert employer.risk_group == 3 and employer.status == employers_pb2.EMPLOYER_STATUS_ACTIVE
    assert employer.kind == employers_pb2.EMPLOYER_KIND_COMPANY and len(employer.tax_number) == 16
    fetched = marketing(as_user).GetEmployer(employers_pb2.GetEmployerRequest(npp=employer.npp)).employer
    assert fetched == employer
    [event] = [e for e in _outbox(membership) if e.aggregate_id == employer.npp]
    assert event.event_type == "jamsos.membership.v1.EmployerRegistered" and event.branch_code == "KC-BINJAI"
    assert unpack_payload(event, events_pb2.EmployerRegistered).employer == employer


@pytest.mark.rule("M-1")
def test_m1_npp_is_unique_nationally_across_many_concurrent_registrations(as_user, membership):
    branches = ["KC-BINJAI", "KC-MEDAN", "KC-JAKSEL", "KC-JAKTIM"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        issued = list(pool.map(lambda i: register(as_user, branches[i % 4], legal_name=f"PT Usaha {i}").npp, range(40)))
    assert len(set(issued)) == 40 and all(is_valid_npp(npp) for npp in issued)
    assert _count(membership, employers) == 40 and _count(membership, employer_risk_groups) == 40


@pytest.mark.rule("M-1")
def test_m1_a_mistyped_npp_is_rejected_by_its_check_digit_naming_npp(as_user):
    npp = register(as_user).npp
    stub = marketing(as_user)
    wrong_digit = npp[:3] + str((int(npp[3]) + 1) % 10) + npp[4:]
    swapped = npp[:-3] + npp[-2] + npp[-3] + npp[-1] if npp[-2] != npp[-3] else "1234567"
    for typo in (wrong_digit, swapped, "1234567", "12A45678"):
        with pytest.raises(grpc.RpcError) as err:
            stub.GetEmployer(employers_pb2.GetEmployerRequest(npp=typo))
        assert violated_fields(err.value) == {"npp"}


@pytest.mark.rule("M-1")
def test_m1_a_well_formed_but_unknown_npp_is_not_found(as_user):
    register(as_user)
    with pytest.raises(grpc.RpcError) as err:
        marketing(as_user).GetEmployer(employers_pb2.GetEmployerRequest(npp=make_npp(999_999)))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


_FUTURE = today() + timedelta(days=2)
BAD_FIELDS = [
    ({"risk_group": 0}, "risk_group"),
    ({"risk_group": 6}, "risk_group"),
    ({"registration_date": d(2024, 13, 1)}, "registration_date"),
    ({"registration_date": d(2023, 2, 29)}, "registration_date"),
    ({"registration_date": d(_FUTURE.year, _FUTURE.month, _FUTURE.day)}, "registration_date"),
    ({"registration_date": None}, "registration_date"),
    ({"legal_name": ""}, "legal_name"),
    ({"legal_name": "   "}, "legal_name"),
    ({"legal_name": "X" * 201}, "legal_name"),
    ({"sector": ""}, "sector"),
    ({"address": ""}, "address"),
    ({"tax_number": "12.345"}, "tax_number"),
    ({"tax_number": "01.234.567.8-901.00X"}, "tax_number"),
    ({"branch_code": "KC-NOWHERE"}, "branch_code"),
    ({"branch_code": "KW-SUMBAGUT"}, "branch_code"),
    ({"kind": 9}, "kind"),
    ({"project": employers_pb2.ConstructionProject(project_name="Jembatan")}, "project.project_name"),
]


@pytest.mark.rule("M-1")
@pytest.mark.parametrize(("override", "field"), BAD_FIELDS, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD_FIELDS)])
def test_m1_every_bad_field_is_invalid_argument_naming_the_field(as_shared_user, shared_membership, override, field):
    request = register_request(**{k: v for k, v in override.items() if v is not None})
    for name, value in override.items():
        if value is None:
            request.ClearField(name)
    before = _count(shared_membership, employers)
    with pytest.raises(grpc.RpcError) as err:
        marketing(as_shared_user).RegisterEmployer(request)
    assert field in violated_fields(err.value)
    assert _count(shared_membership, employers) == before


@pytest.mark.rule("M-1")
def test_m1_every_problem_of_a_registration_is_reported_at_once(as_shared_user):
    request = register_request(legal_name="", risk_group=0, registration_date=d(2024, 2, 30), tax_number="1")
    with pytest.raises(grpc.RpcError) as err:
        marketing(as_shared_user).RegisterEmployer(request)
    assert violated_fields(err.value) == {"legal_name", "risk_group", "registration_date", "tax_number"}


@pytest.mark.rule("M-7")
def test_m7_construction_project_needs_its_project_data_named_by_request_field(as_shared_user):
    kind = employers_pb2.EMPLOYER_KIND_CONSTRUCTION_PROJECT
    with pytest.raises(grpc.RpcError) as err:
        marketing(as_shared_user).RegisterEmployer(register_request(kind=kind))
    assert {"project.project_name", "project.contract_value", "project.start_date", "project.end_date"} <= violated_fields(err.value)
    backwards = employers_pb2.ConstructionProject(project_name="Jalan Tol", contract_value=types_pb2.Money(rupiah=5_000_000_000),
                                                  start_date=d(2024, 6, 1), end_date=d(2024, 1, 1))
    with pytest.raises(grpc.RpcError) as err:
        marketing(as_shared_user).RegisterEmployer(register_request(kind=kind, project=backwards))
    assert violated_fields(err.value) == {"project.end_date"}


@pytest.mark.rule("M-7")
def test_m7_informal_groups_and_construction_projects_are_registered_as_their_own_kinds(as_user):
    group = register(as_user, kind=employers_pb2.EMPLOYER_KIND_INFORMAL_SECTOR_GROUP, legal_name="Paguyuban Nelayan Binjai", tax_number="")
    assert group.kind == employers_pb2.EMPLOYER_KIND_INFORMAL_SECTOR_GROUP and group.tax_number == ""
    project = employers_pb2.ConstructionProject(project_name="Jembatan Sei Bingai", contract_value=types_pb2.Money(rupiah=12_500_000_000),
                                                start_date=d(2024, 3, 1), end_date=d(2025, 2, 28))
    built = register(as_user, kind=employers_pb2.EMPLOYER_KIND_CONSTRUCTION_PROJECT, legal_name="PT Karya Beton", project=project)
    assert built.kind == employers_pb2.EMPLOYER_KIND_CONSTRUCTION_PROJECT and built.project == project
    assert marketing(as_user).GetEmployer(employers_pb2.GetEmployerRequest(npp=built.npp)).employer.project == project


@pytest.mark.rule("M-1")
def test_m1_retry_with_the_same_request_id_returns_the_same_employer_and_registers_once(as_user, membership):
    request = register_request()
    first = marketing(as_user).RegisterEmployer(request).employer
    again = marketing(as_user).RegisterEmployer(request).employer
    assert again == first
    assert _count(membership, employers) == 1
    assert len([e for e in _outbox(membership) if e.aggregate_id == first.npp]) == 1


@pytest.mark.rule("M-1")
def test_m1_the_same_request_id_with_a_different_body_is_refused(as_user, membership):
    request = register_request()
    marketing(as_user).RegisterEmployer(request)
    changed = employers_pb2.RegisterEmployerRequest()
    changed.CopyFrom(request)
    changed.legal_name = "PT Lain Sama Sekali"
    with pytest.raises(grpc.RpcError) as err:
        marketing(as_user).RegisterEmployer(changed)
    assert violated_fields(err.value) == {"request_id"}
    assert _count(membership, employers) == 1


@pytest.mark.rule("M-1")
def test_m1_a_second_employer_with_the_same_npwp_already_exists_whatever_its_spelling(as_user, membership):
    register(as_user, tax_number="01.234.567.8-901.000")
    for spelling, branch in (("012345678901000", "KC-BINJAI"), ("0012345678901000", "KC-JAKSEL")):
        with pytest.raises(grpc.RpcError) as err:
            register(as_user, branch, tax_number=spelling, legal_name="PT Kembar")
        assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert _count(membership, employers) == 1


@pytest.mark.rule("M-1")
def test_m1_concurrent_registrations_of_one_npwp_register_it_once(as_user, membership):
    npwp = "02.111.222.3-444.000"

    def attempt(i: int) -> str:
        try:
            return register(as_user, legal_name=f"PT Rebutan {i}", tax_number=npwp).npp
        except grpc.RpcError as error:
            return error.code().name

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert outcomes.count("ALREADY_EXISTS") == 5
    assert [npp for npp in outcomes if is_valid_npp(npp)] == [o for o in outcomes if o != "ALREADY_EXISTS"]
    assert _count(membership, employers) == 1


@pytest.mark.rule("M-1")
def test_m1_search_finds_by_exact_npp_or_part_of_the_name_ignoring_case_and_legal_form(as_user):
    makmur = register(as_user, legal_name="PT Sawit Makmur Sejahtera")
    register(as_user, legal_name="CV Karet Jaya")
    stub = marketing(as_user)

    def search(query: str) -> list[str]:
        return [e.npp for e in stub.SearchEmployers(employers_pb2.SearchEmployersRequest(query=query)).employers]

    assert search(makmur.npp) == [makmur.npp]
    assert search(f"{makmur.npp[:4]}.{makmur.npp[4:]}") == [makmur.npp]
    assert search("makmur sej") == [makmur.npp]
    assert search("pt. SAWIT") == [makmur.npp]
    assert len(search("a")) == 2 and search("tidak ada") == []
    for bad in ("", "PT", "12345678"):
        with pytest.raises(grpc.RpcError) as err:
            search(bad)
        assert violated_fields(err.value) == {"query"}


@pytest.mark.rule("M-1")
def test_m1_list_pages_a_branchs_employers_in_npp_order(as_user):
    npps = sorted(register(as_user, "KC-SIBOLGA", legal_name=f"PT Sibolga {i}").npp for i in range(7))
    register(as_user, "KC-MEDAN")
    stub = employers_of(as_user, "KC-SIBOLGA", "ADMINISTRATION_OFFICER")
    seen, token = [], ""
    while True:
        page = stub.ListEmployers(employers_pb2.ListEmployersRequest(branch_code="KC-SIBOLGA", page=types_pb2.PageRequest(page_size=3, page_token=token)))
        seen += [e.npp for e in page.employers]
        token = page.page.next_page_token
        if not token:
            break
    assert seen == npps
    with pytest.raises(grpc.RpcError) as err:
        stub.ListEmployers(employers_pb2.ListEmployersRequest(branch_code="KC-SIBOLGA", page=types_pb2.PageRequest(page_token="garbage!")))
    assert violated_fields(err.value) == {"page.page_token"}


@pytest.mark.rule("M-1")
def test_m1_address_change_needs_an_effective_date_from_registration(as_user, membership):
    employer = register(as_user, registration_date=d(2024, 3, 1))
    stub = employers_of(as_user, "KC-BINJAI", "ADMINISTRATION_OFFICER")

    def change(request_id: str, effective, address="Jl. Gatot Subroto No. 5, Binjai"):
        request = employers_pb2.ChangeEmployerAddressRequest(request_id=request_id, npp=employer.npp, address=address)
        if effective is not None:
            request.effective_date.CopyFrom(effective)
        return stub.ChangeEmployerAddress(request)

    # A date ahead is allowed since the address has a history (test_membership_records_history).
    for request_id, effective, address, field in (("a-1", None, "Jl. Baru", "effective_date"), ("a-2", d(2024, 2, 29), "Jl. Baru", "effective_date"),
                                                  ("a-4", d(2024, 4, 1), "  ", "address")):
        with pytest.raises(grpc.RpcError) as err:
            change(request_id, effective, address)
        assert violated_fields(err.value) == {field}
    changed = change("a-5", d(2024, 4, 1)).employer
    assert changed.address == "Jl. Gatot Subroto No. 5, Binjai" and changed.npp == employer.npp
    assert change("a-5", d(2024, 4, 1)).employer == changed  # a retry changes nothing twice
    [event] = [e for e in _outbox(membership) if e.event_type.endswith("EmployerChanged")]
    payload = unpack_payload(event, events_pb2.EmployerChanged)
    assert (payload.change, payload.effective_date, payload.employer.address) == ("address", d(2024, 4, 1), changed.address)


@pytest.mark.rule("M-1")
def test_m1_risk_group_change_takes_effect_on_its_date_and_the_same_date_twice_replaces(as_user, membership):
    employer = register(as_user, registration_date=d(2024, 3, 1), risk_group=2)
    stub = employers_of(as_user, "KC-BINJAI", "MARKETING_OFFICER")
    get = lambda: stub.GetEmployer(employers_pb2.GetEmployerRequest(npp=employer.npp)).employer  # noqa: E731
    ahead = today() + timedelta(days=30)

    def change(request_id, group, effective):
        return stub.ChangeRiskGroup(employers_pb2.ChangeRiskGroupRequest(request_id=request_id, npp=employer.npp, risk_group=group, effective_date=effective)).employer

    assert change("r-1", 4, d(2024, 6, 1)).risk_group == 4
    assert (get().risk_group, get().risk_group_effective_date) == (4, d(2024, 6, 1))
    assert change("r-2", 5, d(2024, 6, 1)).risk_group == 5  # same date: replaces
    waiting = change("r-3", 1, d(ahead.year, ahead.month, ahead.day))
    assert (waiting.risk_group, waiting.risk_group_effective_date) == (1, d(ahead.year, ahead.month, ahead.day))
    assert (get().risk_group, get().risk_group_effective_date) == (5, d(2024, 6, 1))  # the future row waits
    assert _count(membership, employer_risk_groups) == 3  # registration, 1 June, the future one
    membership.app.ctx.today = lambda: ahead  # the day comes: no job needed
    assert get().risk_group == 1
    for group, effective, field in ((6, d(2024, 7, 1), "risk_group"), (3, d(2024, 2, 1), "effective_date")):
        with pytest.raises(grpc.RpcError) as err:
            change(f"r-bad-{group}", group, effective)
        assert violated_fields(err.value) == {field}
    changes = [unpack_payload(e, events_pb2.EmployerChanged) for e in _outbox(membership) if e.event_type.endswith("EmployerChanged")]
    assert [(c.change, c.employer.risk_group, c.effective_date) for c in changes] == [
        ("risk_group", 4, d(2024, 6, 1)), ("risk_group", 5, d(2024, 6, 1)), ("risk_group", 1, d(ahead.year, ahead.month, ahead.day))]


@pytest.mark.rule("M-1")
def test_m1_changes_to_an_unknown_npp_are_not_found(as_user):
    stub = employers_of(as_user, "KC-BINJAI", "ADMINISTRATION_OFFICER")
    with pytest.raises(grpc.RpcError) as err:
        stub.ChangeRiskGroup(employers_pb2.ChangeRiskGroupRequest(request_id="x", npp=make_npp(4242), risk_group=2, effective_date=d(2024, 1, 1)))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.rule("M-1")
@pytest.mark.kafka
def test_m1_employer_registered_reaches_the_membership_topic_keyed_by_npp(database_url, kafka_broker):
    from kafka import KafkaConsumer

    runtime = start_service(definition(), database_url, kafka_broker.bootstrap_servers)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
            employer = register(lambda office, *roles: Caller(channel, token_for(office, *roles)), "KC-MEDAN", legal_name="PT Kabar Medan")
        outbox = runtime.app.ctx.base.tables["outbox"]

        def unpublished() -> int:
            with runtime.app.ctx.base.read_session() as session:
                return session.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))).scalar_one()

        deadline = time.monotonic() + 30
        while unpublished() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert unpublished() == 0
        with runtime.app.ctx.base.read_session() as session:
            [event_id] = session.execute(select(outbox.c.event_id).where(outbox.c.message_key == employer.npp)).scalars()
    finally:
        runtime.stop(grace=0)
    # The broker is shared by every test (and other test databases issue the same NPPs):
    # read the topic from the start until this very event shows up.
    consumer = KafkaConsumer(topic_of("membership"), bootstrap_servers=kafka_broker.bootstrap_servers,
                             auto_offset_reset="earliest", consumer_timeout_ms=5000, enable_auto_commit=False)
    found = next(((m.key, parse_envelope(m.value)) for m in consumer if parse_envelope(m.value).event_id == event_id), None)
    consumer.close()
    assert found is not None, "EmployerRegistered was not published"
    key, envelope = found
    assert key == employer.npp.encode()
    assert envelope.event_type == "jamsos.membership.v1.EmployerRegistered" and envelope.aggregate_type == "employer"
    assert (envelope.aggregate_id, envelope.branch_code, envelope.producer) == (employer.npp, "KC-MEDAN", "membership")
    assert unpack_payload(envelope, events_pb2.EmployerRegistered).employer == employer
