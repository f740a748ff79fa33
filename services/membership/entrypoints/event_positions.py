"""gRPC servicer for EventPositionService: call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import positions_pb2, positions_pb2_grpc
from services.membership.application.event_positions import EventPositions


class EventPositionServicer(positions_pb2_grpc.EventPositionServiceServicer):
    def __init__(self, use_cases: EventPositions):
        self.use_cases = use_cases

    def GetEventPosition(self, request, context):
        view = self.use_cases.get()
        return positions_pb2.GetEventPositionResponse(
            positions=[positions_pb2.EventPosition(topic=view.topic, partition=p, offset=o)
                       for p, o in sorted(view.positions.items())],
            unpublished=view.unpublished)


def register(server: grpc.Server, use_cases: EventPositions) -> list[str]:
    positions_pb2_grpc.add_EventPositionServiceServicer_to_server(EventPositionServicer(use_cases), server)
    return [positions_pb2.DESCRIPTOR.services_by_name["EventPositionService"].full_name]
