"""The scoped repository base (O-2): lists filtered by the caller's branches, records of
another branch answered as absent, and one named system path for consumers and jobs."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from services.chassis.context import Principal, request_context, service_principal, system_principal
from services.chassis.errors import NotFound, PermissionDenied
from services.chassis.repository import ScopedRepository
from services.chassis.scope import scope_for

metadata = MetaData()
claims = Table("claims", metadata, Column("claim_id", String(10), primary_key=True),
               Column("branch_code", String(30), nullable=False), Column("amount", Integer, nullable=False))


class Regions:
    def branches_under(self, office_code: str) -> frozenset[str]:
        return frozenset({"KC-BINJAI", "KC-MEDAN"}) if office_code == "KW-SUMBAGUT" else frozenset()


class ClaimRepository(ScopedRepository):
    def get(self, claim_id: str):
        return self.readable(select(claims.c.claim_id, claims.c.amount).where(claims.c.claim_id == claim_id),
                             claims.c.branch_code, "claim", claim_id)

    def for_change(self, claim_id: str):
        return self.writable(select(claims).where(claims.c.claim_id == claim_id), claims.c.branch_code,
                             "claim", claim_id, lock=False)

    def all_ids(self) -> list[str]:
        return list(self.session.execute(self.scoped(select(claims.c.claim_id), claims.c.branch_code)).scalars())


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/claims.db")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(insert(claims), [dict(claim_id="B1", branch_code="KC-BINJAI", amount=10),
                                         dict(claim_id="M1", branch_code="KC-MEDAN", amount=20),
                                         dict(claim_id="J1", branch_code="KC-JAKSEL", amount=30)])
        yield session
    engine.dispose()


def repo(session, office: str, level: str) -> ClaimRepository:
    principal = Principal("u", office, level, frozenset({"SERVICE_OFFICER"}))
    return ClaimRepository(session, scope_for(principal, Regions()))


@pytest.mark.rule("O-2")
def test_a_list_holds_only_the_branches_the_caller_reads(session):
    assert repo(session, "KC-BINJAI", "BRANCH").all_ids() == ["B1"]
    assert sorted(repo(session, "KW-SUMBAGUT", "REGIONAL").all_ids()) == ["B1", "M1"]
    assert sorted(repo(session, "KP", "HEAD").all_ids()) == ["B1", "J1", "M1"]


@pytest.mark.rule("O-2")
def test_another_branch_s_record_is_not_found_like_one_that_does_not_exist(session):
    binjai = repo(session, "KC-BINJAI", "BRANCH")
    assert binjai.get("B1").amount == 10
    answers = []
    for claim_id in ("M1", "X9"):
        with pytest.raises(NotFound) as err:
            binjai.get(claim_id)
        answers.append(err.value.message.replace(claim_id, "<id>"))
    assert answers[0] == answers[1]


@pytest.mark.rule("O-2")
def test_a_record_the_caller_reads_but_may_not_change_is_permission_denied(session):
    with pytest.raises(PermissionDenied):
        repo(session, "KW-SUMBAGUT", "REGIONAL").for_change("B1")
    with pytest.raises(NotFound):
        repo(session, "KC-MEDAN", "BRANCH").for_change("B1")
    assert repo(session, "KC-BINJAI", "BRANCH").for_change("B1").amount == 10


def test_the_system_path_sees_every_branch_and_only_inside_the_process(session):
    with request_context(system_principal("consumer:x"), "c"):
        assert sorted(ClaimRepository.for_system(session).all_ids()) == ["B1", "J1", "M1"]
    assert len(ClaimRepository.for_system(session).all_ids()) == 3  # a job with no caller
    for caller in (service_principal("benefits"), Principal("u", "KP", "HEAD", frozenset({"HEAD_OFFICE_ADMIN"}))):
        with request_context(caller, "c"), pytest.raises(PermissionDenied):
            ClaimRepository.for_system(session)
