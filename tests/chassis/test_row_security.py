"""PostgreSQL row-level security, the branch scope's second wall (O-2): a statement that
skips the repository's filter still sees and changes only the caller's branches, nothing
is visible with no scope set, the named system path sees every branch, and every table
holding branch data has the policy once a service has migrated."""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import psycopg
import pytest
from sqlalchemy import Column, Engine, ForeignKey, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import ProgrammingError

from services.chassis import row_security
from services.chassis.application import Application
from services.chassis.context import (
    SYSTEM, Principal, request_context, service_principal,
)
from services.chassis.database import make_engine, make_session_factory
from services.chassis.errors import NotFound
from services.chassis.migrations import upgrade_to_head
from services.chassis.repository import ScopedRepository
from jamsos.membership.v1 import employers_pb2_grpc
from services.chassis.runtime import ServiceDefinition, ServiceRuntime
from services.chassis.scope import current_scope
from services.membership.bootstrap import definition as membership_definition
from tests.chassis.conftest import settings_for
from tests.harness.postgres import APP_ROLE
from tests.membership.service.employers_support import register_request
from tests.service_harness import Caller, start_service, token_for

pytestmark = pytest.mark.postgres

metadata = MetaData()
parcels = Table("parcels", metadata, Column("parcel_id", String(10), primary_key=True),
                Column("branch_code", String(30), nullable=False), Column("weight", Integer, nullable=False))
# Reached through its parent: no branch_code, no policy (nor COPY refused).
parcel_notes = Table("parcel_notes", metadata, Column("note_id", Integer, primary_key=True),
                     Column("parcel_id", String(10), ForeignKey("parcels.parcel_id"), nullable=False))
zone_rates = Table("zone_rates", metadata, Column("branch_code", String(30), primary_key=True),
                   Column("rate", Integer, nullable=False), info=row_security.not_branch_data("a rule table"))

ROWS = [("B1", "KC-BINJAI"), ("B2", "KC-BINJAI"), ("M1", "KC-MEDAN"), ("J1", "KC-JAKSEL")]
_ALL_PARCELS = text("SELECT parcel_id FROM parcels ORDER BY parcel_id")  # no branch filter, on purpose


class Regions:
    def branches_under(self, office_code: str) -> frozenset[str]:
        return frozenset({"KC-BINJAI", "KC-MEDAN"}) if office_code == "KW-SUMBAGUT" else frozenset()


def user(office: str, level: str = "BRANCH") -> Principal:
    return Principal(f"{office.lower()}-officer", office, level, frozenset({"SERVICE_OFFICER"}))


@pytest.fixture
def base(postgres_url) -> Iterator[Application]:
    """The parcels database as the services run it: the app role, the chassis engine, the
    policies applied from the metadata, rows of three branches seeded by the system path."""
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        row_security.apply_policies(connection, metadata)
    with request_context(SYSTEM, None), engine.begin() as connection:
        connection.execute(insert(parcels), [dict(parcel_id=p, branch_code=b, weight=1) for p, b in ROWS])
        connection.execute(insert(zone_rates), [dict(branch_code="KC-MEDAN", rate=7)])
    yield Application("parcels", engine, make_session_factory(engine), {})
    engine.dispose()


@contextmanager
def as_caller(principal: Principal | None) -> Iterator[None]:
    """The caller in context, with its scope built as a use case builds it (O-3 then O-2)."""
    with request_context(principal, None):
        if principal is not None:
            current_scope(Regions())
        yield


def ids_seen(base: Application, principal: Principal | None) -> dict[str, list[str]]:
    """What a query without any branch filter returns on each path a use case reads by."""
    with as_caller(principal):
        with base.unit_of_work() as uow:
            through_uow = list(uow.session.execute(_ALL_PARCELS).scalars())
        with base.read_session() as session:
            through_read = list(session.execute(_ALL_PARCELS).scalars())
        with base.lookup() as connection:
            through_lookup = [row.parcel_id for row in connection.execute(_LOOKUP_ALL)]
    return {"unit of work": through_uow, "read session": through_read, "lookup": through_lookup}


_LOOKUP_ALL = select(parcels.c.parcel_id).order_by(parcels.c.parcel_id)


def everywhere(ids: list[str]) -> dict[str, list[str]]:
    return {"unit of work": ids, "read session": ids, "lookup": ids}


def rows_as_superuser(postgres_server, engine: Engine) -> list[tuple[str, str, int]]:
    with psycopg.connect(postgres_server.conninfo(engine.url.database)) as conn:
        return conn.execute("SELECT parcel_id, branch_code, weight FROM parcels ORDER BY parcel_id").fetchall()


@pytest.mark.rule("O-2")
def test_a_query_that_skips_the_branch_filter_returns_only_the_callers_branches(base):
    assert ids_seen(base, user("KC-BINJAI")) == everywhere(["B1", "B2"])
    assert ids_seen(base, user("KC-MEDAN")) == everywhere(["M1"])
    assert ids_seen(base, user("KW-SUMBAGUT", "REGIONAL")) == everywhere(["B1", "B2", "M1"])


@pytest.mark.rule("O-2")
def test_the_head_office_and_other_services_see_every_branch(base):
    assert ids_seen(base, user("KP", "HEAD")) == everywhere(["B1", "B2", "J1", "M1"])
    assert ids_seen(base, service_principal("benefits")) == everywhere(["B1", "B2", "J1", "M1"])


@pytest.mark.rule("O-2")
def test_with_no_scope_set_nothing_is_visible(base, postgres_server):
    assert ids_seen(base, None) == everywhere([])
    # Straight to the database as the services' role, nothing set: the policy fails closed.
    conninfo = postgres_server.conninfo(base.engine.url.database).replace("user=postgres", f"user={APP_ROLE}")
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM parcels").fetchone() == (0,)
        assert conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone() \
            == (False, False)
        assert conn.execute("SELECT rate FROM zone_rates").fetchall() == [(7,)]  # exempt: no policy


@pytest.mark.rule("O-2")
def test_an_update_or_delete_of_another_branchs_rows_changes_nothing(base, postgres_server):
    before = rows_as_superuser(postgres_server, base.engine)
    with as_caller(user("KC-BINJAI")), base.unit_of_work() as uow:
        updated = uow.session.execute(text("UPDATE parcels SET weight = 99 WHERE branch_code <> 'KC-BINJAI'"))
        deleted = uow.session.execute(text("DELETE FROM parcels WHERE parcel_id IN ('M1', 'J1')"))
        own = uow.session.execute(text("UPDATE parcels SET weight = 5 WHERE parcel_id = 'B1'"))
        assert (updated.rowcount, deleted.rowcount, own.rowcount) == (0, 0, 1)
        uow.commit()
    after = rows_as_superuser(postgres_server, base.engine)
    assert after == [("B1", "KC-BINJAI", 5), *before[1:]]


@pytest.mark.rule("O-2")
def test_a_row_of_another_branch_cannot_be_written_nor_one_moved_there(base, postgres_server):
    before = rows_as_superuser(postgres_server, base.engine)
    for statement in ("INSERT INTO parcels VALUES ('M9', 'KC-MEDAN', 1)",
                      "UPDATE parcels SET branch_code = 'KC-MEDAN' WHERE parcel_id = 'B1'"):
        with as_caller(user("KC-BINJAI")), base.unit_of_work() as uow:
            with pytest.raises(ProgrammingError, match="row-level security"):
                uow.session.execute(text(statement))
    assert rows_as_superuser(postgres_server, base.engine) == before


@pytest.mark.rule("O-2")
def test_the_system_path_sees_every_branch_and_the_callers_scope_is_back_after_it(base):
    assert ids_seen(base, SYSTEM) == everywhere(["B1", "B2", "J1", "M1"])
    with as_caller(user("KC-BINJAI")):
        with base.unit_of_work() as uow:
            repo = ScopedRepository(uow.session, current_scope(Regions()))
            with repo.every_branch():
                across = list(uow.session.execute(_ALL_PARCELS).scalars())
            after = list(uow.session.execute(_ALL_PARCELS).scalars())
        with base.lookup(across_branches=True) as connection:
            looked_up = [row.parcel_id for row in connection.execute(_LOOKUP_ALL)]
        with base.read_session(across_branches=True) as session:
            read = list(session.execute(_ALL_PARCELS).scalars())
    assert across == looked_up == read == ["B1", "B2", "J1", "M1"]
    assert after == ["B1", "B2"]


@pytest.mark.rule("O-2")
def test_a_lookup_sends_its_scope_with_each_statement_and_leaves_none_on_the_connection(base):
    """A lookup runs in autocommit, each statement with the caller's scope in front of it
    (one query): the system path on it is a setting of the connection for the statements
    inside, and nothing of a caller's scope is left for the next lookup of the pool."""
    with as_caller(user("KC-BINJAI")), base.lookup() as connection:
        own = [row.parcel_id for row in connection.execute(_LOOKUP_ALL)]
        with row_security.system_path(connection):
            across = [row.parcel_id for row in connection.execute(_LOOKUP_ALL)]
        after = [row.parcel_id for row in connection.execute(_LOOKUP_ALL)]
    assert (own, across, after) == (["B1", "B2"], ["B1", "B2", "J1", "M1"], ["B1", "B2"])
    for _ in range(3):  # whichever pooled connection it gets
        assert ids_seen(base, None)["lookup"] == []
    # An office code is a value, bound by the driver's quoting: it matches no branch, runs nothing.
    assert ids_seen(base, user("KC-BINJAI', 'on', false); DROP TABLE parcels; --"))["lookup"] == []
    assert ids_seen(base, SYSTEM)["lookup"] == ["B1", "B2", "J1", "M1"]


@pytest.mark.rule("O-2")
def test_the_system_path_in_a_query_of_several_statements_holds_for_its_steps_only(base):
    """`system_path_steps` in one `execute_together` query: the steps inside see every
    branch, the statements around them and after the query the caller's branches only."""
    with as_caller(user("KC-BINJAI")), base.unit_of_work() as uow:
        results = uow.prebuilt.execute_together([
            (_LOOKUP_ALL, None), *row_security.system_path_steps((_LOOKUP_ALL, None)), (_LOOKUP_ALL, None)])
        after = uow.prebuilt.execute(_LOOKUP_ALL).all()
    seen = [[row.parcel_id for row in result] for result in results]
    assert seen == [["B1", "B2"], [], ["B1", "B2", "J1", "M1"], [], ["B1", "B2"]]
    assert [row.parcel_id for row in after] == ["B1", "B2"]


@pytest.mark.rule("O-2")
def test_a_record_the_database_hid_is_not_found_and_audited_as_a_refusal(base):
    refusals: list[dict[str, str]] = []
    with request_context(user("KC-BINJAI"), None, refusals=refusals):
        repo_scope = current_scope(Regions())
        with base.unit_of_work() as uow:
            repo = ScopedRepository(uow.session, repo_scope)
            for parcel_id in ("M1", "X9"):  # another branch's, and one that does not exist
                with pytest.raises(NotFound):
                    repo.readable(select(parcels.c.parcel_id).where(parcels.c.parcel_id == parcel_id),
                                  parcels.c.branch_code, "parcel", parcel_id)
            assert list(uow.session.execute(_ALL_PARCELS).scalars()) == ["B1", "B2"]  # back in scope
    assert [(r["subject"], r["subject_branch"], r["outcome"]) for r in refusals] == [
        ("parcel M1", "KC-MEDAN", "answered as not found")]


def test_the_policies_are_applied_once_and_a_new_table_gets_its_own(base):
    with base.engine.begin() as connection:
        assert row_security.apply_policies(connection, metadata) == []  # already in shape
    grown = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(grown)
    Table("crates", grown, Column("crate_id", Integer, primary_key=True), Column("branch_code", String(30)))
    with base.engine.begin() as connection:
        grown.create_all(connection)
        changes = row_security.apply_policies(connection, grown)
    assert changes == ['ALTER TABLE crates ENABLE ROW LEVEL SECURITY', 'ALTER TABLE crates FORCE ROW LEVEL SECURITY',
                       f"CREATE POLICY {row_security.POLICY} ON crates USING ({row_security._VISIBLE})"
                       f" WITH CHECK ({row_security._VISIBLE})"]
    assert policies_by_table(base.engine) == {"crates": (True, True, [row_security.POLICY]),
                                              "parcels": (True, True, [row_security.POLICY])}


def policies_by_table(engine: Engine) -> dict[str, tuple[bool, bool, list[str]]]:
    """Tables with row security or a policy: (enabled, forced, policy names)."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            " array_remove(array_agg(p.polname::text ORDER BY p.polname), NULL)"
            " FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid"
            " WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema())"
            " GROUP BY 1, 2, 3 HAVING c.relrowsecurity OR count(p.polname) > 0")).all()
    return {name: (enabled, forced, list(names)) for name, enabled, forced, names in rows}


def tables_with_a_branch_column(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name = 'branch_code'")).scalars())


@pytest.mark.rule("O-2")
@pytest.mark.parametrize("service", ["membership", "contributions", "benefits", "welfare"])
def test_every_table_holding_branch_data_has_the_policy_once_the_service_migrated(service, postgres_url):
    """From the database the migrations made, not from a list: a table that a revision
    adds with a branch_code column has the policy at the next start, or says in its
    metadata why it holds no branch's data."""
    definition = __import__(f"services.{service}.bootstrap", fromlist=["definition"]).definition()
    engine = make_engine(postgres_url)
    try:
        upgrade_to_head(engine, definition.migrations)
        upgrade_to_head(engine, definition.migrations)  # a restart: nothing to do, nothing fails
        exempt = {t.name: row_security.exemption(t) for t in definition.metadata.sorted_tables
                  if row_security.exemption(t) is not None}
        expected = tables_with_a_branch_column(engine) - set(exempt)
        assert expected, "no branch tables found"
        assert expected == {t.name for t in row_security.branch_tables(definition.metadata)}
        assert policies_by_table(engine) == {name: (True, True, [row_security.POLICY]) for name in expected}
        assert all(reason.strip() for reason in exempt.values())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def membership(postgres_server) -> Iterator[ServiceRuntime]:
    """The membership service on PostgreSQL with an employer in each of two branches."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    runtime = start_service(membership_definition(), postgres_server.create_database(name))
    with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
        for branch in ("KC-BINJAI", "KC-MEDAN"):
            marketing = Caller(channel, token_for(branch, "MARKETING_OFFICER"))(employers_pb2_grpc.EmployerServiceStub)
            marketing.RegisterEmployer(register_request(branch_code=branch))
        yield runtime
    runtime.stop(grace=0)
    postgres_server.drop_database(name)


@pytest.mark.rule("O-2")
def test_raw_sql_through_a_services_own_engine_sees_and_changes_only_the_callers_branch(membership):
    ctx = membership.app.ctx
    with request_context(user("KC-BINJAI"), None):
        ctx.scope()
        with ctx.base.unit_of_work() as uow:
            seen = set(uow.session.execute(text("SELECT branch_code FROM employers")).scalars())
            renamed = uow.session.execute(text("UPDATE employers SET legal_name = 'PT Lain' WHERE branch_code = 'KC-MEDAN'"))
            removed = uow.session.execute(text("DELETE FROM employers WHERE branch_code = 'KC-MEDAN'"))
            assert (renamed.rowcount, removed.rowcount) == (0, 0)
            uow.commit()
    with ctx.base.read_session() as session:  # the tests' own thread: the system path
        everyone = session.execute(text("SELECT branch_code, legal_name FROM employers ORDER BY 1")).all()
    assert seen == {"KC-BINJAI"}
    assert [tuple(row) for row in everyone] == [("KC-BINJAI", "PT Sawit Makmur"), ("KC-MEDAN", "PT Sawit Makmur")]


@pytest.mark.rule("O-2")
def test_a_services_jobs_take_the_system_path_in_their_own_threads(base):
    """A job thread starts with no caller at all: the runtime runs it as the process itself,
    or it would see nothing (the stalled-billing-jobs gauge would read 0 for ever)."""
    seen: list[list[str]] = []

    def look(stop: threading.Event) -> None:
        with base.read_session() as session:
            seen.append(list(session.execute(_ALL_PARCELS).scalars()))

    definition = ServiceDefinition(name="membership", metadata=metadata, tables={}, migrations=Path("unused"),
                                   make_application=lambda settings, app: app, register=lambda server, app: [],
                                   jobs=lambda app: [("look", look)])
    runtime = ServiceRuntime(definition, settings_for(str(base.engine.url.render_as_string(hide_password=False)),
                                                      jobs_enabled=True)).start(migrate=False, http=False)
    try:
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runtime.stop(grace=0)
    assert seen == [["B1", "B2", "J1", "M1"]]
