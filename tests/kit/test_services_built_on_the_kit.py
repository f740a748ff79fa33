"""Benefits and welfare stand on the service kit before their domains arrive: the office
replica behind the branch scope (O-1, O-2), their action tables (O-3) and rule tables, and
for welfare a replica of contributions' UMK table (C-6a, W-S-2), all migrated on SQLite
and PostgreSQL and fed by the same consumers a running service starts."""
from __future__ import annotations

from datetime import date

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import inspect

from jamsos.common.v1 import rule_tables_pb2
from jamsos.membership.v1 import events_pb2, offices_pb2
from services.benefits.bootstrap import definition as benefits
from services.chassis.consumer import EventApplier
from services.chassis.context import Principal
from services.chassis.convert import from_date
from services.chassis.events import make_envelope
from services.chassis.roles import Role
from services.chassis.scope import scope_for
from services.welfare.adapters.tables import contributions_rules
from services.welfare.bootstrap import definition as welfare
from tests.service_harness import start_service

DEFINITIONS = {"benefits": benefits, "welfare": welfare}
L = offices_pb2


@pytest.fixture(params=list(DEFINITIONS))
def service(request, database_url):
    runtime = start_service(DEFINITIONS[request.param](), database_url)
    yield runtime
    runtime.stop(grace=0)


def apply(runtime, consumer: str, payload, aggregate_id: str) -> str:
    [spec] = [s for s in runtime.definition.consumers(runtime.app) if s.name == consumer]
    envelope = make_envelope(payload, aggregate_type="test", aggregate_id=aggregate_id, branch_code="KP",
                             producer="test")
    return EventApplier(spec.name, runtime.definition.name, spec.registry, runtime.app.ctx.base.unit_of_work).apply(envelope)


def test_migrations_create_exactly_the_tables_the_service_declares(service):
    assert set(inspect(service.engine).get_table_names()) - {"alembic_version"} == set(service.definition.metadata.tables)
    with grpc.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
        check = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert check.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.rule("O-1", "O-2")
def test_the_office_tree_from_membership_scopes_a_regional_user(service):
    tree = events_pb2.OfficeTreeChanged(offices=[
        L.Office(code="KP", level=L.OFFICE_LEVEL_HEAD),
        L.Office(code="KW-SUMBAGUT", level=L.OFFICE_LEVEL_REGIONAL, parent_code="KP"),
        L.Office(code="KC-BINJAI", level=L.OFFICE_LEVEL_BRANCH, parent_code="KW-SUMBAGUT"),
        L.Office(code="KC-MEDAN", level=L.OFFICE_LEVEL_BRANCH, parent_code="KW-SUMBAGUT"),
    ])
    consumer = f"{service.definition.name}-offices"
    assert apply(service, consumer, tree, "office-tree") == "applied"
    directory = service.app.ctx.directory
    assert directory.branches_under("KW-SUMBAGUT") == {"KC-BINJAI", "KC-MEDAN"}
    regional = Principal("rina", "KW-SUMBAGUT", "REGIONAL", frozenset({Role.REGIONAL_OFFICER.value}))
    scope = scope_for(regional, directory)
    assert scope.can_read("KC-BINJAI") and not scope.can_read("KC-JAKSEL") and not scope.can_write("KC-BINJAI")


@pytest.mark.rule("O-3")
def test_each_service_has_an_action_table_for_every_action_it_declares(service):
    table = service.app.ctx.actions
    action_type = type(next(iter(table.permissions)))
    assert set(table.permissions) == set(action_type)
    assert all(table.permissions[a] for a in action_type), "an action no role may perform"


@pytest.mark.rule("C-6a", "W-S-2")
@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_welfare_keeps_contributions_umk_table_from_its_events(database_url):
    runtime = start_service(welfare(), database_url)
    try:
        version = rule_tables_pb2.RuleVersionPublished(table_name="umk_rates", key="KC-BINJAI",
                                                       effective_from=from_date(date(2024, 1, 1)),
                                                       payload_json='{"monthly_rupiah": 2900000}')
        assert apply(runtime, "welfare-contributions-rules", version, "umk_rates:KC-BINJAI") == "applied"
        with runtime.app.ctx.base.read_session() as session:
            assert contributions_rules.in_force(session, "umk_rates", "KC-BINJAI", date(2024, 7, 1)) == {
                "monthly_rupiah": 2_900_000}
    finally:
        runtime.stop(grace=0)
