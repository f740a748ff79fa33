"""gRPC servicer for WorkerService (M-3..M-8): authorise (O-3) before reading the request,
decode it to a command, run the use case (a mutation once per request id, in one
transaction), encode the result."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import Message

from jamsos.membership.v1 import workers_pb2 as pb
from jamsos.membership.v1 import workers_pb2_grpc
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.membership.application import workers_mapping as m
from services.membership.application.workers import WorkerUseCases
from services.membership.domain.roles import MembershipAction as A


class WorkerServicer(workers_pb2_grpc.WorkerServiceServicer):
    def __init__(self, use_cases: WorkerUseCases):
        self.uc = use_cases
        self.ctx = use_cases.ctx

    def _change(self, request: Message, response_cls: type, action: A, decode: Callable[[Any], Any],
                run: Callable[[UnitOfWork, BranchScope, Any], Any], encode: Callable[[Any], Message]) -> Any:
        """A change of one worker's record: write scope checked before the request id is
        looked at (O-2), then the use case once per request id."""
        scope = self.ctx.authorise(action)
        command = decode(request)
        self.uc.changes.check_writable(scope, command.kpj)
        return self.ctx.base.mutation(request, response_cls, lambda uow: encode(run(uow, scope, command)))

    def _read(self, request: Message, decode: Callable[[Any], Any], run: Callable[[BranchScope, Any], Any],
              encode: Callable[[Any], Message]) -> Any:
        """O-3: every role reads; the scope (O-2) is applied by the repository."""
        scope = self.ctx.authorise(A.READ)
        return encode(run(scope, decode(request)))

    def EnrolWorker(self, request, context):
        target = self.uc.enrolment.target(request.npp, request.kind)
        today = self.ctx.today()
        employer = target.employer
        command = m.enrolment_command(request, npp=employer.npp, branch_code=employer.branch_code,
                                      kind=target.kind, today=today)

        def enrol(uow: UnitOfWork) -> pb.EnrolWorkerResponse:
            enrolled = self.uc.enrolment.enrol(uow, target, command, today)
            return m.enrolment_to_proto(enrolled.enrolment, enrolled.message)

        return self.ctx.base.mutation(request, pb.EnrolWorkerResponse, enrol)

    def BulkEnrolWorkers(self, request_iterator, context):
        yield from self.uc.bulk.run(iter(request_iterator))

    def GetWorker(self, request, context):
        return self._read(request, m.get_worker, self.uc.queries.get,
                          lambda view: pb.GetWorkerResponse(worker=m.view_to_proto(view)))

    def FindKpj(self, request, context):
        return self._read(request, m.find_kpj, self.uc.queries.find_kpj, m.kpj_found_to_proto)

    def ListWorkers(self, request, context):
        return self._read(request, m.list_workers, self.uc.queries.list_for_employer, m.page_to_proto)

    def GetFamily(self, request, context):
        return self._read(request, m.get_family, self.uc.queries.get_family, m.family_to_proto)

    def GetEmploymentHistory(self, request, context):
        return self._read(request, m.employment_history, self.uc.queries.employment_history, m.history_to_proto)

    def ChangeWage(self, request, context):
        return self._change(request, pb.ChangeWageResponse, A.CHANGE_WAGE, m.change_wage, self.uc.changes.change_wage,
                            lambda view: pb.ChangeWageResponse(worker=m.view_to_proto(view)))

    def ChangeMaritalStatus(self, request, context):
        return self._change(request, pb.ChangeMaritalStatusResponse, A.CHANGE_WORKER_DETAILS, m.change_marital_status,
                            self.uc.changes.change_marital_status,
                            lambda view: pb.ChangeMaritalStatusResponse(worker=m.view_to_proto(view)))

    def ChangeFamily(self, request, context):
        return self._change(request, pb.ChangeFamilyResponse, A.CHANGE_FAMILY, m.change_family,
                            self.uc.changes.change_family, m.changed_family_to_proto)

    def TerminateWorker(self, request, context):
        return self._change(request, pb.TerminateWorkerResponse, A.TERMINATE_WORKER, m.terminate_worker,
                            self.uc.changes.terminate,
                            lambda view: pb.TerminateWorkerResponse(worker=m.view_to_proto(view)))

    def RecordDeath(self, request, context):
        return self._change(request, pb.RecordDeathResponse, A.RECORD_DEATH, m.record_death,
                            self.uc.changes.record_death,
                            lambda view: pb.RecordDeathResponse(worker=m.view_to_proto(view)))


def register(server: grpc.Server, use_cases: WorkerUseCases) -> list[str]:
    workers_pb2_grpc.add_WorkerServiceServicer_to_server(WorkerServicer(use_cases), server)
    return [pb.DESCRIPTOR.services_by_name["WorkerService"].full_name]
