"""gRPC servicer for WorkerService: decode, call the use case, encode (M-3..M-8)."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import workers_pb2, workers_pb2_grpc
from services.membership.application.workers import WorkerUseCases


class WorkerServicer(workers_pb2_grpc.WorkerServiceServicer):
    def __init__(self, use_cases: WorkerUseCases):
        self.uc = use_cases

    def EnrolWorker(self, request, context):
        return self.uc.enrolment.enrol(request)

    def BulkEnrolWorkers(self, request_iterator, context):
        yield from self.uc.bulk.run(iter(request_iterator))

    def GetWorker(self, request, context):
        return self.uc.queries.get(request)

    def FindKpj(self, request, context):
        return self.uc.queries.find_kpj(request)

    def ListWorkers(self, request, context):
        return self.uc.queries.list_for_employer(request)

    def ChangeWage(self, request, context):
        return self.uc.changes.change_wage(request)

    def ChangeMaritalStatus(self, request, context):
        return self.uc.changes.change_marital_status(request)

    def ChangeFamily(self, request, context):
        return self.uc.changes.change_family(request)

    def GetFamily(self, request, context):
        return self.uc.queries.get_family(request)

    def TerminateWorker(self, request, context):
        return self.uc.changes.terminate(request)

    def RecordDeath(self, request, context):
        return self.uc.changes.record_death(request)

    def GetEmploymentHistory(self, request, context):
        return self.uc.queries.employment_history(request)


def register(server: grpc.Server, use_cases: WorkerUseCases) -> list[str]:
    workers_pb2_grpc.add_WorkerServiceServicer_to_server(WorkerServicer(use_cases), server)
    return [workers_pb2.DESCRIPTOR.services_by_name["WorkerService"].full_name]
