"""A PostgreSQL server for a run: an existing one by DSN, or a throwaway cluster started here.

The throwaway cluster lives in a temporary directory: initdb creates it, the
postgres server listens on a free 127.0.0.1 port (its Unix socket stays inside the
same directory), and on exit, on an exception, on Ctrl-C and on SIGTERM the server
is stopped and the directory deleted. Connections need a password, generated for
each cluster, so other users of the machine cannot connect during the run.
initdb rejects root, so when this process runs as root the cluster belongs to an
unprivileged user (`postgres` where that account exists, otherwise `nobody`). The
server also receives SIGTERM when the process that started it dies, so a killed
harness leaves no server running. The next cluster started deletes its directory.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
import psycopg.conninfo

logger = logging.getLogger(__name__)

DSN_ENV = "DDD_BENCH_PG_DSN"
BIN_ENV = "DDD_BENCH_PG_BIN"  # a directory holding initdb and postgres
TEMP_PREFIX = "ddd-bench-pg-"
OWNER_FILE = "owner.pid"  # in each cluster directory: the pid of the process that made it
SUPERUSER = "ddd_bench"
DATABASE = "postgres"

# Where the binaries usually are: on PATH, /usr/local/bin, or Debian's versioned directories.
_SEARCH_DIRS = ("/usr/local/bin", "/usr/local/pgsql/bin", "/usr/lib/postgresql/*/bin")
_UNPRIVILEGED_USERS = ("postgres", "nobody")

START_TIMEOUT_S = 60.0  # initdb plus start-up take about 2 s; a loaded machine can be far slower
START_ATTEMPTS = 3  # each attempt probes a fresh port
STOP_TIMEOUT_S = 30.0  # a fast shutdown ends open sessions at once; this bounds a stuck one

# Server settings for the throwaway cluster. The cluster is discarded after the run,
# so durability is traded for speed where it does not change the query path.
SERVER_SETTINGS: dict[str, str] = {
    "max_connections": "200",  # C2 and C4 open pools of up to 100 connections plus audits
    "shared_buffers": "128MB",
    "fsync": "off",  # nothing outlives the run; commits still go through the WAL code path
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_preload_libraries": "pg_stat_statements",  # server-side query time for C2
    "pg_stat_statements.track": "all",
    "log_min_messages": "warning",
}

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ServerExited(RuntimeError):
    """The postgres server exited during start-up; the message contains its log's tail."""


class PostgresUnavailable(Exception):
    """No DSN was given and no PostgreSQL binaries were found; the message names how to fix it."""


@dataclass
class PostgresServer:
    """A server the harness may use: its DSN and the settings recorded in the run."""

    dsn: str
    managed: bool
    settings: dict[str, Any] = field(default_factory=dict)


def find_binaries() -> Path | None:
    """Return the directory that contains initdb and postgres, or None."""
    candidates: list[str] = []
    if os.environ.get(BIN_ENV):
        candidates.append(os.environ[BIN_ENV])  # when set, the only directory searched
    else:
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(str(Path(on_path).parent))
        for pattern in _SEARCH_DIRS:
            # Newest version first, so version 16 wins over 15 when both are installed.
            candidates.extend(sorted(glob.glob(pattern), reverse=True))
    for directory in candidates:
        path = Path(directory)
        if all(os.access(path / name, os.X_OK) for name in ("initdb", "postgres")):
            return path
    return None


def unavailable_message() -> str:
    return (
        "PostgreSQL is not available: no initdb and postgres binaries were found on PATH, "
        f"in {', '.join(_SEARCH_DIRS)} or in ${BIN_ENV}, and no server was given. "
        "Install the server (for example `apt-get install postgresql`, or set "
        f"${BIN_ENV} to the directory that holds initdb) so ddd-bench can start "
        f"a throwaway cluster, or pass --pg-dsn postgresql://USER@HOST:PORT/DB (or set {DSN_ENV}) "
        "to use an existing server."
    )


def redact_dsn(dsn: str) -> str:
    """Return the DSN with its password, if any, replaced by ***, for logs and results."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparsable DSN>"
    if "password" in parts:
        parts["password"] = "***"
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in parts.items()})


def check_available(dsn: str | None) -> None:
    """Raise PostgresUnavailable unless a DSN is given or the binaries exist."""
    if dsn or os.environ.get(DSN_ENV):
        return
    if find_binaries() is None:
        raise PostgresUnavailable(unavailable_message())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """Return the account the cluster runs as: None (this process's own) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in _UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable(
        "running as root, and no unprivileged account to run PostgreSQL as: "
        f"create one of {', '.join(_UNPRIVILEGED_USERS)} or run ddd-bench as another user"
    )


def _recorded_pid(path: Path) -> int | None:
    """Return the pid on the first line of path, or None when the file is missing.

    Raises OSError when the file cannot be read and ValueError when it contains no pid.
    """
    try:
        first_line = path.read_text(encoding="ascii").splitlines()[0]
    except FileNotFoundError:
        return None
    except IndexError as error:
        raise ValueError(f"empty pid file {path}") from error
    return int(first_line)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 checks that the process exists and sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def remove_stale_directories() -> list[Path]:
    """Delete the cluster directories that killed runs left, and return them.

    A directory is stale when the process that made it and its server have both
    exited. A directory without an owner file, or with a file that cannot be
    read, is left alone.
    """
    removed = []
    for directory in sorted(Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*")):
        try:
            owner = _recorded_pid(directory / OWNER_FILE)
            server = _recorded_pid(directory / "data" / "postmaster.pid")
        except (OSError, ValueError) as error:
            logger.debug(
                "kept %s because a pid file is unreadable or invalid: %s", directory, error
            )
            continue
        if owner is None or _alive(owner) or (server is not None and _alive(server)):
            continue
        shutil.rmtree(directory, ignore_errors=True)
        logger.info("deleted %s, left by process %d, which has exited", directory, owner)
        removed.append(directory)
    return removed


def _die_with_parent() -> None:
    # Runs in the child after the switch to the server's user, which would clear it if set earlier.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class TemporaryCluster:
    """A PostgreSQL cluster in a temporary directory; use it as a context manager."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = 0
        self.root: Path | None = None
        self.password = secrets.token_urlsafe(24)  # URL-safe, so the DSN needs no quoting
        self._process: subprocess.Popen[bytes] | None = None
        self._account = _server_user()

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def user_name(self) -> str:
        """The account the server runs as."""
        if self._account is not None:
            return self._account.pw_name
        return pwd.getpwuid(os.geteuid()).pw_name

    @property
    def dsn(self) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def _run_as_server_user(self, command: list[str], timeout: float) -> None:
        kwargs: dict[str, Any] = {}
        if self._account is not None:
            kwargs = {"user": self._account.pw_uid, "group": self._account.pw_gid}
            kwargs["extra_groups"] = []
        completed = subprocess.run(
            command,
            capture_output=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
            **kwargs,
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr).decode(errors="replace").strip()
            raise RuntimeError(f"{command[0]} failed with status {completed.returncode}: {output}")

    def start(self) -> None:
        remove_stale_directories()
        self.root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        (self.root / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        password_file = self.root / "password"
        password_file.write_text(self.password, encoding="ascii")
        password_file.chmod(0o600)
        if self._account is not None:
            for path in (self.root, password_file):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        try:
            self._run_as_server_user(
                [
                    str(self.bindir / "initdb"),
                    "--pgdata",
                    str(self.datadir),
                    "--username",
                    SUPERUSER,
                    "--pwfile",
                    str(password_file),
                    "--auth",
                    "scram-sha-256",
                    "--encoding",
                    "UTF8",
                    "--no-sync",
                ],
                START_TIMEOUT_S,
            )
        finally:
            password_file.unlink(missing_ok=True)
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self._start_server()
                return
            except ServerExited as error:
                # Another process can take the probed port before the server binds it.
                if attempt == START_ATTEMPTS:
                    raise
                logger.warning(
                    "PostgreSQL start-up attempt %d failed, retrying: %s", attempt, error
                )

    def _start_server(self) -> None:
        assert self.root is not None
        self.port = _free_port()
        command = [
            str(self.bindir / "postgres"),
            "-D",
            str(self.datadir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"port={self.port}",
            "-c",
            f"unix_socket_directories={self.root}",
        ]
        for name, value in SERVER_SETTINGS.items():
            command += ["-c", f"{name}={value}"]
        kwargs: dict[str, Any] = {}
        if self._account is not None:
            kwargs = {
                "user": self._account.pw_uid,
                "group": self._account.pw_gid,
                "extra_groups": [],
            }
        log = (self.root / "server.log").open("wb")
        if self._account is not None:
            os.chown(self.root / "server.log", self._account.pw_uid, self._account.pw_gid)
        # A new session keeps the terminal's Ctrl-C away from the server, so this
        # process stops it in order instead of both racing to shut down.
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            **kwargs,
        )
        log.close()
        logger.info(
            "started PostgreSQL pid %d on 127.0.0.1:%d in %s",
            self._process.pid,
            self.port,
            self.root,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            status = self._process.poll()
            if status is not None:
                self._process = None
                raise ServerExited(
                    f"PostgreSQL exited with status {status} during start-up: "
                    f"{self._server_log_tail()}"
                )
            try:
                with psycopg.connect(self.dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError as error:
                last_error = error
                time.sleep(0.1)
        raise RuntimeError(
            f"PostgreSQL did not accept connections within {START_TIMEOUT_S:.0f} s: {last_error}"
        )

    def _server_log_tail(self) -> str:
        try:
            return (self.root / "server.log").read_text(errors="replace")[-2000:]  # type: ignore[operator]
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL) and delete the directory."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # the postmaster's "fast" shutdown
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                logger.warning("PostgreSQL pid %d ignored fast shutdown; killing it", process.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT_S)
            logger.info("stopped PostgreSQL pid %d", process.pid)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            logger.info("deleted the PostgreSQL directory %s", self.root)
            self.root = None

    def __enter__(self) -> TemporaryCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"received signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so `finally` blocks run and the cluster is removed."""
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)
    else:
        yield


def _server_version(dsn: str) -> str:
    with psycopg.connect(dsn, connect_timeout=10) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


@contextlib.contextmanager
def postgres_server(dsn: str | None = None) -> Iterator[PostgresServer]:
    """Yield a server: the DSN given, else $DDD_BENCH_PG_DSN, else a throwaway cluster."""
    dsn = dsn or os.environ.get(DSN_ENV)
    if dsn:
        logger.info("using the existing PostgreSQL server from the DSN")
        yield PostgresServer(dsn, managed=False, settings={"source": "existing server (--pg-dsn)"})
        return
    bindir = find_binaries()
    if bindir is None:
        raise PostgresUnavailable(unavailable_message())
    with _sigterm_as_interrupt(), TemporaryCluster(bindir) as cluster:
        settings: dict[str, Any] = {
            "source": "throwaway cluster started by ddd-bench",
            "binaries": str(bindir),
            "version": _server_version(cluster.dsn),
            "listen": f"127.0.0.1:{cluster.port}",
            "directory": str(cluster.root),
            "run_as": cluster.user_name,
            **SERVER_SETTINGS,
        }
        yield PostgresServer(cluster.dsn, managed=True, settings=settings)
