"""Entry point of one service process: `python -m services.<name>`; stops cleanly on SIGTERM/SIGINT.

It logs "serving" once started, then "service stopping" (naming the signal) when asked to
stop and "service stopped" once the runtime has stopped.
"""
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
    log = logging.getLogger("jamsos")
    stopping = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)  # nothing else here: the main thread logs and stops
        stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    runtime = ServiceRuntime(definition, settings).start()
    log.info(
        "serving", extra={"grpc": f"{settings.grpc_host}:{runtime.grpc_port}", "http": f"{settings.http_host}:{runtime.http.port if runtime.http else '-'}"}
    )
    stopping.wait()
    log.info("service stopping", extra={"signal": signal.Signals(received[0]).name if received else None})
    try:
        runtime.stop()
    finally:
        log.info("service stopped")
