"""The read model has no RPCs of its own: its consumers feed the rules of every program."""
from __future__ import annotations

import grpc


def register(server: grpc.Server, use_cases: object) -> list[str]:
    return []
