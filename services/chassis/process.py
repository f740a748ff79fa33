"""Entry point of one service process: `python -m services.<name>`; stops cleanly on SIGTERM/SIGINT.

It logs "serving" once started, then "service stopping" (naming the signal) when asked to
stop and "service stopped" once the runtime has stopped.

Once started, what the process holds (modules, metadata, compiled statements: some 120,000
objects) is moved out of the garbage collector's sight (`gc.freeze`): a full collection
walked them all, 60 ms with every thread stopped (a started membership, issue 14), a stall
of every call in flight. Full collections are rare (20,000 GetWorker calls made 4 young
ones), but each one lands on the calls' tail. What is allocated afterwards is collected as
before. Only here, in the service's own process: test processes start and stop many runtimes.
"""
from __future__ import annotations

import gc
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
    gc.collect()  # the start-up's garbage first: frozen, it would never be freed
    gc.freeze()
    log.info(
        "serving", extra={"grpc": f"{settings.grpc_host}:{runtime.grpc_port}", "http": f"{settings.http_host}:{runtime.http.port if runtime.http else '-'}"}
    )
    stopping.wait()
    log.info("service stopping", extra={"signal": signal.Signals(received[0]).name if received else None})
    try:
        runtime.stop()
    finally:
        log.info("service stopped")
