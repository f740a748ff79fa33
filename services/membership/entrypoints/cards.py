"""gRPC servicer for CardService (M-5, B-JPK-1): decode, call the use case, encode."""
from __future__ import annotations

import grpc

from jamsos.membership.v1 import cards_pb2, cards_pb2_grpc
from services.membership.application.cards import CardUseCases


class CardServicer(cards_pb2_grpc.CardServiceServicer):
    def __init__(self, use_cases: CardUseCases):
        self.use_cases = use_cases

    def IssueCard(self, request, context):
        return self.use_cases.issue(request)

    def DownloadCard(self, request, context):
        return self.use_cases.download(request)


def register(server: grpc.Server, use_cases: CardUseCases) -> list[str]:
    cards_pb2_grpc.add_CardServiceServicer_to_server(CardServicer(use_cases), server)
    return [cards_pb2.DESCRIPTOR.services_by_name["CardService"].full_name]
