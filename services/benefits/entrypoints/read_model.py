"""The read model has no gRPC API: it is fed by membership's and contributions' events."""
from __future__ import annotations


def register(server, use_cases) -> list[str]:
    return []
