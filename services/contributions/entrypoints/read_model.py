"""The read model has no gRPC API: it is fed by membership's events (application/read_model/)."""
from __future__ import annotations


def register(server, use_cases) -> list[str]:
    return []
