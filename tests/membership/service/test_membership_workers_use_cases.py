"""The workers use cases called with commands, without gRPC (issue 8): a use case takes a
command dataclass and returns domain values; only the entrypoint knows protobuf. The
service's database (migrated, SQLite) and clock are real; the caller is a principal in
the request context, as the interceptor would set it."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest

from services.chassis.context import Principal, request_context
from services.chassis.errors import InvalidArgument, NotFound
from services.chassis.scope import scope_for
from services.membership.application import workers_commands as c
from services.membership.domain.family import FamilyMember, Relation
from services.membership.domain.person import MaritalStatus
from tests.membership.service.workers_fixtures import BORN, enrol, new_nik

pytestmark = pytest.mark.parametrize("shared_service", ["sqlite"], indirect=True)


@pytest.fixture
def acting(shared_service):
    """`with acting("KC-BINJAI") as (workers, scope):` the workers component and the scope
    of an administration officer of that office."""
    @contextmanager
    def make(office: str, user: str = "uc-test"):
        ctx = shared_service.app.ctx
        level = "BRANCH" if office.startswith("KC-") else "HEAD"
        principal = Principal(user, office, level, frozenset({"ADMINISTRATION_OFFICER", "SERVICE_OFFICER"}))
        with request_context(principal, "uc-test"):
            yield shared_service.app.workers, scope_for(principal, ctx.directory)

    return make


@pytest.mark.rule("M-6", "M-4")
def test_m6_change_family_and_get_family_as_commands_return_domain_values(acting, caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    spouse = FamilyMember("Ahmad", Relation.SPOUSE, date(1988, 5, 5))
    with acting("KC-BINJAI") as (workers, scope):
        with workers.ctx.base.unit_of_work() as uow:  # what base.mutation gives the use case
            changed = workers.changes.change_family(uow, scope, c.ChangeFamily(kpj, (spouse,)))
            uow.commit()
        [member] = changed.members
        assert (member.name, member.relation, bool(member.member_id)) == ("Ahmad", Relation.SPOUSE, True)
        family = workers.queries.get_family(scope, c.GetFamily(kpj, date(2023, 1, 1)))
        assert family.marital_status is MaritalStatus.MARRIED
        assert [m.member_id for m in family.covered] == [member.member_id]


@pytest.mark.rule("M-5", "O-2")
def test_m5_find_kpj_as_a_command_answers_the_kpj_and_another_branch_not_found(acting, caller, binjai_npp):
    nik = new_nik()
    kpj = enrol(caller, binjai_npp, nik=nik).worker.kpj
    with acting("KC-BINJAI") as (workers, scope):
        found = workers.queries.find_kpj(scope, c.FindKpj(nik, BORN))
        assert (found.kpj, found.name) == (kpj, "Siti Aminah")
    with acting("KC-JAKSEL") as (workers, scope), pytest.raises(NotFound):
        workers.queries.find_kpj(scope, c.FindKpj(nik, BORN))


@pytest.mark.rule("M-4")
def test_m4_get_worker_as_a_command_shows_the_wage_and_a_bad_wage_change_names_its_field(acting, caller, binjai_npp):
    kpj = enrol(caller, binjai_npp).worker.kpj
    with acting("KC-BINJAI") as (workers, scope):
        view = workers.queries.get(scope, c.GetWorker(kpj))
        assert (view.worker.kpj, view.monthly_wage_rupiah) == (kpj, 3_500_000)
        with pytest.raises(InvalidArgument) as err, workers.ctx.base.unit_of_work() as uow:
            workers.changes.change_wage(uow, scope, c.ChangeWage(kpj, -1, date(2021, 1, 1)))
        assert [v.field for v in err.value.violations] == ["monthly_wage"]

