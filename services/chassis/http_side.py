"""The HTTP side of every service (uvicorn): /metrics, /healthz, /readyz.

A bare ASGI app: three routes do not need a framework.
"""
from __future__ import annotations

import asyncio
import errno
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

# The ASGI interface: a scope, a receive and a send callable.
AsgiMessage: TypeAlias = dict[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[AsgiMessage]]
Send: TypeAlias = Callable[[AsgiMessage], Awaitable[None]]
AsgiApp: TypeAlias = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


def broker_reachable(bootstrap_servers: str, timeout: float = 1.0) -> bool:
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "localhost", int(port)), timeout=timeout):
                return True
        except OSError:
            continue
    return False


def make_app(service: str, checks: dict[str, Callable[[], bool]]) -> AsgiApp:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope.get("path", "")
        if path == "/metrics":
            await _respond(send, 200, generate_latest(), CONTENT_TYPE_LATEST)
        elif path == "/healthz":
            await _respond(send, 200, json.dumps({"service": service, "status": "ok"}).encode(), "application/json")
        elif path == "/readyz":
            results = {name: await asyncio.to_thread(check) for name, check in checks.items()}
            ready = all(results.values())
            body = json.dumps({"service": service, "ready": ready, "checks": results}).encode()
            await _respond(send, 200 if ready else 503, body, "application/json")
        else:
            await _respond(send, 404, b"not found", "text/plain")

    return app


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type.encode())]})
    await send({"type": "http.response.body", "body": body})


class HttpSide:
    """Runs uvicorn in a background thread; `port` is the bound port (0 picks a free one).

    The socket is bound and put to listening here, so a port in use fails the service's
    start at once with a RuntimeError naming host:port (SO_REUSEADDR only lets it reuse a
    port left in TIME_WAIT, never share one another server listens on).
    """

    def __init__(self, service: str, host: str, port: int, checks: dict[str, Callable[[], bool]]):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            # Listen now: two sockets with SO_REUSEADDR may both bind a port nobody listens on
            # yet, and the loser would only find out inside uvicorn's thread.
            sock.listen(2048)
        except OSError as exc:
            sock.close()
            reason = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
            raise RuntimeError(f"cannot bind HTTP port {host}:{port} ({service}): {reason}") from None
        self._socket = sock
        self.host = host
        self.port = sock.getsockname()[1]
        self._error: BaseException | None = None
        config = uvicorn.Config(make_app(service, checks), log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name=f"{service}-http", daemon=True)

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # SystemExit too: uvicorn exits on a failed startup
            self._error = exc
            if self._server.started:
                raise

    def start(self, timeout: float = 10.0) -> None:
        """Returns once uvicorn listens, so probes right after start do not see a refusal."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server.should_exit = True
                self._thread.join(timeout=1)
                self._socket.close()
                why = f": {self._error!r}" if self._error is not None else ""
                raise RuntimeError(f"HTTP side did not start on {self.host}:{self.port}{why}")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()
