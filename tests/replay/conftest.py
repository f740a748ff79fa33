"""One running service per backend and name for the whole replay folder, started on first use."""
from __future__ import annotations

from contextlib import ExitStack

import grpc
import pytest

from tests.contributions.service.read_model_support import office_tree
from tests.replay.scenarios import DEFINITIONS, Stage
from tests.replay.support import BACKENDS, running


@pytest.fixture(scope="module", params=BACKENDS)
def stages(request, tmp_path_factory):
    """`stages(service)`: that service on this backend (the office tree applied), shared by the module."""
    started: dict[str, Stage] = {}
    with ExitStack() as stack:
        def stage(service: str) -> Stage:
            if service not in started:
                runtime = stack.enter_context(running(DEFINITIONS[service], request.param, request, tmp_path_factory))
                channel = stack.enter_context(grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}"))
                started[service] = Stage.of(runtime, channel)
                if service != "membership":
                    started[service].replay.feed(office_tree())
            return started[service]
        yield stage


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path_factory):
    """`fresh(service)`: a service of its own on an empty database of this backend, for one test."""
    with ExitStack() as stack:
        def stage(service: str) -> Stage:
            runtime = stack.enter_context(running(DEFINITIONS[service], request.param, request, tmp_path_factory))
            channel = stack.enter_context(grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}"))
            made = Stage.of(runtime, channel)
            made.replay.feed(office_tree())
            return made
        yield stage
