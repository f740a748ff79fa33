"""Entry point of one service process: `python -m services.<name>`; stops cleanly on SIGTERM/SIGINT."""
from __future__ import annotations

import logging
import signal
import threading

from .config import Settings
from .logs import configure_logging
from .runtime import ServiceDefinition, ServiceRuntime


def run_service(definition: ServiceDefinition) -> None:
    settings = Settings.from_env(definition.name)
    configure_logging(definition.name, settings.log_level)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    runtime = ServiceRuntime(definition, settings).start()
    logging.getLogger("jamsos").info(
        "serving", extra={"grpc": f"{settings.grpc_host}:{runtime.grpc_port}", "http": f"{settings.http_host}:{runtime.http.port if runtime.http else '-'}"}
    )
    stopping.wait()
    runtime.stop()
