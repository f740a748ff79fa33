"""Reading members' records, within the caller's branch scope (O-2).

A branch user reads its own branch's workers, a regional user its branches', the head
office (and the read-only auditor, O-3) everyone's; any other read is PERMISSION_DENIED
and logged.

FindKpj (M-5) follows the same read scope: the member asks at an office that can see the
record (the worker's own branch, its region or the head office). It answers NOT_FOUND,
with the same message, both for an unknown NIK and for a known NIK with the wrong birth
date, so the lookup never confirms half an identity. Only a full match outside the
caller's scope is PERMISSION_DENIED.
"""
from __future__ import annotations

from jamsos.membership.v1 import workers_pb2
from services.chassis.convert import decode_page_token, encode_page_token, from_date, page_size, to_date
from services.chassis.errors import InvalidArgument, NotFound, Violations
from services.membership.adapters.worker_repository import WorkerRepository
from services.membership.application.context import MembershipContext
from services.membership.application.workers_changes import present, wage_day
from services.membership.application.workers_mapping import (
    MARITAL_TO_PROTO, STATUS, STATUS_TO_PROTO, enum_in, family_member_to_proto, period_to_proto, worker_to_proto,
)
from services.membership.domain.employment_history import is_active_on, member_since, months_of_membership
from services.membership.domain.family import covered_dependants
from services.membership.domain.nik import normalise_nik
from services.membership.domain.numbers import validate_kpj, validate_npp
from services.membership.domain.roles import MembershipAction


class WorkerQueries:
    def __init__(self, ctx: MembershipContext):
        self.ctx = ctx

    def _scope(self):
        """O-3: every role reads; the scope (O-2) is applied by the repository."""
        return self.ctx.authorise(MembershipAction.READ)

    def get(self, request: workers_pb2.GetWorkerRequest) -> workers_pb2.GetWorkerResponse:
        scope = self._scope()
        kpj = validate_kpj(request.kpj)
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            return workers_pb2.GetWorkerResponse(worker=present(repo, repo.readable(kpj), self.ctx.today()))

    def find_kpj(self, request: workers_pb2.FindKpjRequest) -> workers_pb2.FindKpjResponse:
        """M-5: the KPJ of a member who lost the card, from NIK plus birth date."""
        scope = self._scope()
        nik = normalise_nik(request.nik)
        birth_date = to_date(request, "birth_date")
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            worker = repo.by_nik(nik)
            if worker is None or not worker.matches_identity(nik, birth_date):
                raise NotFound("worker", "with this NIK and birth date")
            scope.require_read_record(worker.branch_code, "worker", "with this NIK and birth date")  # never the KPJ
        return workers_pb2.FindKpjResponse(kpj=worker.kpj, name=worker.name, status=STATUS_TO_PROTO[worker.status])

    def list_for_employer(self, request: workers_pb2.ListWorkersRequest) -> workers_pb2.ListWorkersResponse:
        """An employer's workers (current or last employer), by KPJ, keyset-paged."""
        scope = self._scope()
        npp = validate_npp(request.npp, "npp")
        size = page_size(request.page)
        token = decode_page_token(request.page.page_token) or {}
        after = token.get("kpj")
        if after is not None and not isinstance(after, str):
            raise InvalidArgument.field("page.page_token", "not a token this service issued")
        v = Violations()
        status = enum_in(STATUS, request.status, "status", v, required=False)
        v.raise_if_any()
        today = self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            repo.employer_readable(npp)
            found = repo.list_for_employer(npp, status, after, size + 1)
            page = found[:size]
            wages = repo.wages_on({w.kpj: wage_day(w, today) for w in page})
        response = workers_pb2.ListWorkersResponse(workers=[worker_to_proto(w, wages.get(w.kpj)) for w in page])
        if len(found) > size:
            response.page.next_page_token = encode_page_token({"kpj": page[-1].kpj})
        return response

    def get_family(self, request: workers_pb2.GetFamilyRequest) -> workers_pb2.GetFamilyResponse:
        """M-6: the family list and the dependants JPK covers on `on_date` (unset: today)."""
        scope = self._scope()
        kpj = validate_kpj(request.kpj)
        on_date = to_date(request, "on_date", required=False) or self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            worker = repo.readable(kpj)
            members = repo.family(kpj)
        covered = covered_dependants(worker.marital_status, members, on_date)
        return workers_pb2.GetFamilyResponse(
            members=[family_member_to_proto(m) for m in members],
            covered_dependants=[family_member_to_proto(m) for m in covered],
            marital_status=MARITAL_TO_PROTO[worker.marital_status],
        )

    def employment_history(self, request: workers_pb2.GetEmploymentHistoryRequest) -> workers_pb2.GetEmploymentHistoryResponse:
        """M-3: every employment of the KPJ across employers and the length of membership."""
        scope = self._scope()
        kpj = validate_kpj(request.kpj)
        on_date = to_date(request, "on_date", required=False) or self.ctx.today()
        with self.ctx.base.read_session() as session:
            repo = WorkerRepository(session, scope)
            repo.readable(kpj)
            periods = repo.periods(kpj)
        response = workers_pb2.GetEmploymentHistoryResponse(
            periods=[period_to_proto(p) for p in periods],
            months_of_membership=months_of_membership(periods, on_date),
            active_on_date=is_active_on(periods, on_date),
        )
        first = member_since(periods)
        if first is not None:
            response.member_since.CopyFrom(from_date(first))
        return response
