"""A throwaway PostgreSQL cluster for tests: initdb into a temp folder, run, delete.

Why a private cluster instead of a shared server: tests get a known-empty,
fast (fsync off) server on a random port that nobody else uses, and nothing is
left behind. The cluster lives only as long as the test session.

PostgreSQL refuses to run as root, so when the suite runs as root the server
binaries are run as the ``postgres`` OS user (via ``runuser``) and the temp
folder is handed to that user.
"""

from __future__ import annotations

import atexit
import glob
import logging
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from tests.harness.ports import free_port

log = logging.getLogger(__name__)

#: Prefix of the temp folders; also used to find folders left by a killed session.
TEMP_PREFIX = "jamsos-pg-"
#: File in the temp folder holding the pid of the Python process that owns it.
OWNER_FILE = "owner.pid"
#: OS user that runs the server when the suite runs as root.
OS_USER = "postgres"
#: The role services connect as: owns its databases (migrates them at start), neither
#: SUPERUSER nor BYPASSRLS, so the row-security policies hold it (FORCE) as in production
#: (deploy/postgres-init.sql). The harness itself connects as superuser ``postgres``.
APP_ROLE = "jamsos_app"
#: Environment variable to force a specific bin directory (e.g. /usr/lib/postgresql/16/bin).
BINDIR_ENV = "JAMSOS_TEST_PG_BINDIR"

_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: Settings appended to postgresql.conf: durability off (tests never need it), loopback only.
_FAST_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be run here (no binaries, no OS user); callers should skip."""


def _major_version(bindir: Path) -> int:
    """Return the major version of the server in ``bindir`` (0 if it cannot be told)."""
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def _has_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in _REQUIRED_BINARIES)


def find_bindir() -> Path | None:
    """Find the PostgreSQL server bin directory, highest major version first.

    Looks at ``$JAMSOS_TEST_PG_BINDIR``, then at the directory ``initdb`` on PATH
    really lives in (symlinks resolved, so tools like pg_isready next to it are
    found too), then at ``/usr/lib/postgresql/*/bin`` (Debian/Ubuntu layout).
    """
    override = os.environ.get(BINDIR_ENV)
    if override:
        return Path(override) if _has_binaries(Path(override)) else None
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    candidates.extend(Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin"))
    usable = [c for c in dict.fromkeys(candidates) if _has_binaries(c)]
    if not usable:
        return None
    return max(usable, key=_major_version)


def _ensure_os_user() -> pwd.struct_passwd:
    """Return the ``postgres`` OS user, creating it (system user) if missing."""
    try:
        return pwd.getpwnam(OS_USER)
    except KeyError:
        pass
    log.info("creating system user %r to run PostgreSQL (it refuses to run as root)", OS_USER)
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", OS_USER], capture_output=True, text=True
    )
    try:
        return pwd.getpwnam(OS_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, PostgreSQL refuses root and OS user {OS_USER!r} "
            f"could not be created: {result.stderr.strip() or result.returncode}"
        ) from None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ThrowawayPostgres:
    """A private PostgreSQL cluster in a temp folder, on a free loopback port.

    Usage::

        pg = ThrowawayPostgres()
        pg.start()
        url = pg.create_database("orders_test")   # SQLAlchemy URL
        ...
        pg.stop()                                  # also runs at interpreter exit

    Connections are trust-authenticated over TCP on 127.0.0.1; the unix socket lives in
    the temp folder, never in /var/run. ``create_database`` hands out URLs of the app
    role (``APP_ROLE``, held by row security); ``url`` and ``conninfo`` are the superuser's,
    for the harness and for tests that look under the services' feet.
    """

    def __init__(self, bindir: Path | str | None = None, start_timeout: float = 30.0, *, durable: bool = False) -> None:
        found = Path(bindir) if bindir else find_bindir()
        if found is None or not _has_binaries(found):
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb) not found; "
                "install postgresql to run the PostgreSQL half of the suite"
            )
        self.bindir = found
        self.start_timeout = start_timeout
        # durable: fsync, synchronous commit and full pages as production runs (benches);
        # the tests' default leaves them off.
        self.durable = durable
        self.port: int | None = None
        self._root: Path | None = None
        self._as_root = os.geteuid() == 0
        self._atexit_registered = False

    # -- paths and commands -------------------------------------------------

    @property
    def root(self) -> Path:
        """The temp folder holding data dir, unix socket and server log."""
        if self._root is None:
            raise RuntimeError("ThrowawayPostgres is not started")
        return self._root

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "postgres.log"

    def _cmd(self, tool: str, *args: str) -> list[str]:
        """Command line for a server tool, run as the ``postgres`` user when we are root."""
        cmd = [str(self.bindir / tool), *args]
        if self._as_root:
            if shutil.which("runuser"):
                return ["runuser", "-u", OS_USER, "--", *cmd]
            return ["su", OS_USER, "-s", "/bin/sh", "-c", subprocess.list2cmdline(cmd)]
        return cmd

    def _run(self, tool: str, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
        """Run a server tool to completion; PG* variables from our environment are dropped."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return subprocess.run(
            self._cmd(tool, *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd="/",  # the postgres user may not be allowed into our working directory
        )

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> ThrowawayPostgres:
        """initdb a fresh cluster and start it; returns self once it accepts connections."""
        if self._root is not None:
            return self
        reap_stale_clusters()
        self._root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        (self._root / OWNER_FILE).write_text(str(os.getpid()))
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True
        try:
            if self._as_root:
                user = _ensure_os_user()
                os.chown(self._root, user.pw_uid, user.pw_gid)
            self._initdb()
            self._start_server()
            self._wait_until_ready()
            self._create_app_role()
        except BaseException:
            self.stop()
            raise
        log.info("PostgreSQL %s ready on 127.0.0.1:%s (%s)", self.bindir, self.port, self._root)
        return self

    def _initdb(self) -> None:
        sync_flag = "--no-sync" if _major_version(self.bindir) >= 10 else "--nosync"
        started = time.monotonic()
        result = self._run(
            "initdb",
            "-D", str(self.datadir),
            "-U", "postgres",
            "--auth=trust",
            "-E", "UTF8",
            "--locale=C",  # deterministic collation, and works whatever $LANG says
            sync_flag,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        settings = dict(_FAST_SETTINGS, unix_socket_directories=f"'{self.root}'")
        if self.durable:
            settings.update(fsync="on", synchronous_commit="on", full_page_writes="on")
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# jamsos test harness\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        log.debug("initdb took %.1fs", time.monotonic() - started)

    def _start_server(self, attempts: int = 3) -> None:
        """pg_ctl start on a free port; retries with a new port if another process grabbed it."""
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            result = self._run(
                "pg_ctl", "start",
                "-D", str(self.datadir),
                "-l", str(self.logfile),
                "-o", f"-p {self.port}",
                "-w", "-t", str(int(self.start_timeout)),
                timeout=self.start_timeout + 10,
            )
            if result.returncode == 0:
                return
            server_log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            if "could not bind" in server_log and attempt < attempts:
                log.warning("port %s was taken, retrying PostgreSQL start", self.port)
                continue
            raise RuntimeError(
                f"pg_ctl start failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                f"--- server log ---\n{server_log}"
            )

    def _wait_until_ready(self) -> None:
        """Connect loop: pg_ctl -w already waited, but prove TCP connections really work."""
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with psycopg.connect(self.conninfo("postgres"), connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _create_app_role(self) -> None:
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
                sql.Identifier(APP_ROLE)))

    def stop(self) -> None:
        """Stop the server immediately (no checkpoint) and delete the temp folder. Idempotent."""
        root, self._root = self._root, None
        if root is None:
            return
        datadir = root / "data"
        if (datadir / "postmaster.pid").exists():
            try:
                result = self._run("pg_ctl", "stop", "-D", str(datadir), "-m", "immediate", "-w", "-t", "10")
                failure = result.stderr.strip() if result.returncode != 0 else None
            except (OSError, subprocess.SubprocessError) as exc:
                failure = str(exc)
            if failure is not None:
                log.warning("pg_ctl stop failed (%s); signalling the postmaster", failure)
                _kill_postmaster(datadir)
        shutil.rmtree(root, ignore_errors=True)
        log.info("PostgreSQL on port %s stopped and %s removed", self.port, root)

    def is_running(self) -> bool:
        return self._root is not None and (self.datadir / "postmaster.pid").exists()

    # -- databases ----------------------------------------------------------

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq connection string (for psycopg.connect) to ``dbname``."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL to ``dbname`` on this server as superuser (psycopg 3 driver)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def app_url(self, dbname: str) -> str:
        """SQLAlchemy URL to ``dbname`` as the services' role (``APP_ROLE``)."""
        return f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE ``name`` owned by the app role; returns its URL as that role."""
        _check_db_name(name)
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(APP_ROLE)))
        return self.app_url(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE ``name``, disconnecting any sessions still on it (PG 13+ FORCE)."""
        _check_db_name(name)
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _check_db_name(name: str) -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"database name {name!r} must match {_DB_NAME.pattern}")


def _kill_postmaster(datadir: Path, grace: float = 5.0) -> None:
    """Stop a postmaster by its pid file without pg_ctl: SIGQUIT (immediate shutdown), then SIGKILL."""
    try:
        pid = int((datadir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError) as exc:
        log.warning("no usable postmaster.pid in %s: %s", datadir, exc)
        return
    if not _is_postmaster_of(pid, datadir):
        return  # stale pid file; the pid may now belong to an unrelated process
    for sig, wait in ((signal.SIGQUIT, grace), (signal.SIGKILL, grace)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        except OSError as exc:
            log.warning("could not signal postmaster %s: %s", pid, exc)
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                return
            time.sleep(0.05)


def _is_postmaster_of(pid: int, datadir: Path) -> bool:
    """True if ``pid`` is a live process whose command line names ``datadir`` (pg_ctl passes -D)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except FileNotFoundError:
        return False
    except OSError:
        return _pid_alive(pid)  # no /proc: trust the pid file
    return str(datadir) in cmdline


def reap_stale_clusters() -> None:
    """Stop and delete clusters left behind by sessions that died without cleanup (SIGKILL)."""
    for folder in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _pid_alive(owner):
            continue
        log.warning("removing PostgreSQL cluster %s left by dead process %s", folder, owner)
        if (folder / "data" / "postmaster.pid").exists():
            _kill_postmaster(folder / "data")
        shutil.rmtree(folder, ignore_errors=True)
