"""The bare reference: a grpcio server that answers each method with fixed serialized bytes.

What a call costs with no application at all: the same `grpc.server(ThreadPoolExecutor(
max_workers=N))` as the services (N read from the chassis), no interceptor, the request not
even parsed, the answer the bytes a real service once gave for that method. The service's
figures are read against this one's, measured in the same run on the same machine.

Runs in a process of its own (`python -m bench.reference`), started by `ReferenceServer`:

    with ReferenceServer({"/pkg.Service/Method": response_bytes}) as reference:
        ...  # call reference.address

`delay_every=k` makes every k-th call sleep `delay_s` (the load generator's tests use it).
"""
from __future__ import annotations

import argparse
import base64
import itertools
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

from bench import processes

#: The gRPC server options the services use that change how a call is handled.
SERVER_OPTIONS = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.so_reuseport", 0)]


def service_pool_size(database: str = "sqlite") -> int:
    """The services' gRPC thread pool size on `database`, as the chassis reads it
    (GRPC_THREADS, which the bench's service processes inherit, or the database's default)."""
    from services.chassis.config import grpc_threads_from_env

    return grpc_threads_from_env(database)


class _Replay(grpc.GenericRpcHandler):
    def __init__(self, responses: dict[str, bytes], delay_every: int, delay_s: float) -> None:
        self.responses, self.delay_every, self.delay_s = responses, delay_every, delay_s
        self.calls = itertools.count(1)

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[bytes, bytes] | None:
        body = self.responses.get(handler_call_details.method)
        if body is None:
            return None  # UNIMPLEMENTED, as a server without the method
        return grpc.unary_unary_rpc_method_handler(lambda request, context: self._answer(body))

    def _answer(self, body: bytes) -> bytes:
        if self.delay_every and next(self.calls) % self.delay_every == 0:
            time.sleep(self.delay_s)
        return body


def serve(responses: dict[str, bytes], pool_size: int, port: int = 0, delay_every: int = 0,
          delay_s: float = 0.0) -> tuple[grpc.Server, int]:
    """Starts the server in this process; returns it and its port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="reference-rpc"),
                         handlers=[_Replay(responses, delay_every, delay_s)], options=SERVER_OPTIONS)
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, bound


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reference", description=__doc__)
    parser.add_argument("--responses", required=True, help="JSON file: {method: base64 response bytes}")
    parser.add_argument("--pool-size", type=int, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-every", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    responses = {m: base64.b64decode(b) for m, b in json.loads(Path(args.responses).read_text()).items()}
    server, port = serve(responses, args.pool_size, args.port, args.delay_every, args.delay_ms / 1000)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    print(f"ready {port}", flush=True)
    stopping.wait()
    server.stop(0).wait(5)
    return 0


class ReferenceServer:
    """The reference server as a child process of this one."""

    def __init__(self, responses: dict[str, bytes], pool_size: int | None = None, delay_every: int = 0,
                 delay_s: float = 0.0, database: str = "sqlite") -> None:
        self.responses = responses
        self.pool_size = pool_size if pool_size is not None else service_pool_size(database)
        self.delay_every, self.delay_s = delay_every, delay_s
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "the reference server is not started"
        return self.process.pid

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> ReferenceServer:
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-reference-", delete=False) as file:
            json.dump({m: base64.b64encode(b).decode() for m, b in self.responses.items()}, file)
        args = ["--responses", file.name, "--pool-size", str(self.pool_size), "--delay-every", str(self.delay_every),
                "--delay-ms", str(self.delay_s * 1000)]
        self.process = processes.start_python("bench.reference", args, {}, log=None, stdout=subprocess.PIPE)
        try:
            self.port = _read_port(self.process)
        except BaseException:
            self.stop()
            raise
        finally:
            Path(file.name).unlink(missing_ok=True)
        return self

    def stop(self) -> None:
        processes.stop(self.process, timeout=10)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def describe(self) -> dict[str, Any]:
        return {"pool_size": self.pool_size, "response_bytes": {m: len(b) for m, b in sorted(self.responses.items())}}


def _read_port(process: subprocess.Popen[bytes]) -> int:
    assert process.stdout is not None
    line = process.stdout.readline().decode().split()
    if len(line) != 2 or line[0] != "ready":
        raise RuntimeError(f"the reference server did not start (exit {process.poll()}, said {line!r})")
    return int(line[1])


if __name__ == "__main__":
    sys.exit(main())
