"""Real servers for tests: PostgreSQL from Debian's packages, the engine service and the app
as subprocesses."""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian package 'postgresql'); "
                           "run `make test`, which installs it.")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away PostgreSQL on a temporary data dir and free port; yield its URL."""
    base = Path(tempfile.mkdtemp(prefix="lyceum-pg-"))
    data = base / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    subprocess.run(_as_postgres([_pg_bin("initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([
        _pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
    ]), check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate",
                                     "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the server behind ``admin_url``; return its URL."""
    import psycopg

    with psycopg.connect(admin_url.replace("postgresql://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


ENGINE_APP_USER = "lyceum_app"


class _Served:
    """A ``python -m lyceum …`` subprocess with its output in a log file: start it and wait
    until a probe answers (failing at once, with the log, when it exits), read its output,
    stop it."""

    #: What the process is called in messages ("engine", "app").
    name = ""
    #: Seconds a clean stop may take before the process is killed.
    stop_grace_s = 15.0

    def __init__(self, log_path: Path, env: dict[str, str]) -> None:
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def _launch(self, command: str, probe: Callable[[], bool], *, timeout: float, every: float,
                waiting_for: str) -> None:
        log = self.log_path.open("wb")
        proc = self.proc = subprocess.Popen([sys.executable, "-m", "lyceum", command], cwd=ROOT,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.output()}")
            try:
                return probe()
            except (requests.ConnectionError, requests.Timeout):
                return False  # not listening yet, or a worker still booting

        wait_until(ready, within=timeout, every=every, message=lambda: (
            f"{self.name} did not {waiting_for} in {timeout} s:\n{self.output()}"))

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after ``stop_grace_s``)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=self.stop_grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class EngineProcess(_Served):
    """The real engine service (``python -m lyceum engine``) on a free port in a subprocess,
    over ``instance``, with a key of its own for the app user (``lyceum_app``)."""

    name = "engine"

    def __init__(self, instance: Path, *, env: dict[str, str] | None = None) -> None:
        self.instance = instance
        self.port = free_port()
        #: The app's key at the engine (``LYCEUM_ENGINE_KEY``: given in ``env``, or random).
        self.key = (env or {}).get("LYCEUM_ENGINE_KEY") or secrets.token_urlsafe(32)
        self.url = f"http://127.0.0.1:{self.port}"
        #: The app's DSN for this engine (what ``Settings.clickhouse_url`` builds).
        self.dsn = f"http://{ENGINE_APP_USER}:{self.key}@127.0.0.1:{self.port}"
        super().__init__(instance.parent / f"engine-{self.port}.log", {
            **os.environ, "LYCEUM_INSTANCE": str(instance),
            "LYCEUM_ENGINE_PORT": str(self.port), "LYCEUM_ENGINE_KEY": self.key,
            "LYCEUM_DEMO": "off", "LYCEUM_ARGON2_TIME_COST": "1",
            "LYCEUM_ARGON2_MEMORY_KIB": "8192", "PYTHONUNBUFFERED": "1", **(env or {})})

    def start(self, timeout: float = 60) -> None:
        """Start the service and wait until ``/ping`` answers."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self._launch("engine", lambda: requests.get(f"{self.url}/ping", timeout=2).text
                     == "Ok.\n", timeout=timeout, every=0.1, waiting_for="answer /ping")


class AppProcess(_Served):
    """The real app (``python -m lyceum run``) serving on a free port in a subprocess.

    By default it starts and supervises its own engine service (on a free port, over the
    same instance), as ``make run`` does; given ``engine``, it uses that running engine
    service instead (``LYCEUM_ENGINE_MANAGED=off``), as a second app process of one
    deployment would. ``workers`` is ``LYCEUM_WORKERS``; ``partials`` is
    ``LYCEUM_EXPLORER_PARTIALS`` (on, as ``make run``; the tests whose apps draw every
    process from memory switch it off: its backfill took ~35 CPU s of each app's start).
    """

    name = "app"
    stop_grace_s = 40.0

    def __init__(self, instance: Path, *, env: dict[str, str] | None = None,
                 engine: EngineProcess | None = None, workers: int = 1,
                 partials: bool = True) -> None:
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.engine_port = engine.port if engine is not None else free_port()
        engine_env = ({"LYCEUM_ENGINE_MANAGED": "off", "LYCEUM_ENGINE_KEY": engine.key}
                      if engine is not None else {})
        super().__init__(instance.parent / f"app-{self.port}.log", {
            **os.environ, "LYCEUM_INSTANCE": str(instance), "LYCEUM_PORT": str(self.port),
            "LYCEUM_ENGINE_PORT": str(self.engine_port), "LYCEUM_WORKERS": str(workers),
            "LYCEUM_DEMO": "small", "LYCEUM_ARGON2_TIME_COST": "1",
            "LYCEUM_ARGON2_MEMORY_KIB": "8192", "PYTHONUNBUFFERED": "1",
            "LYCEUM_EXPLORER_PARTIALS": "on" if partials else "off",
            **engine_env, **(env or {})})

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run ``python -m lyceum ARGS`` against the same instance (app must be stopped)."""
        return subprocess.run([sys.executable, "-m", "lyceum", *args], cwd=ROOT, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=300)

    def start(self, timeout: float = 180) -> None:
        """Start serving and wait until ``/healthz`` answers."""
        self._launch("run", lambda: requests.get(f"{self.url}/healthz", timeout=2).status_code
                     == 200, timeout=timeout, every=0.2, waiting_for="become healthy")

    def first_admin(self) -> tuple[str, str]:
        """The first admin's e-mail and the password the app printed once on first start."""
        found = re.search(r"password: (\S+)", self.output())
        assert found, self.output()
        return "admin@lyceum.local", found.group(1)

    def signed_in(self, email: str, password: str, *, origin: bool = True) -> requests.Session:
        """An HTTP session signed in through the login form (with the page's CSRF token);
        with ``origin`` it sends the app's ``Origin``, as a same-site browser's writes do."""
        http = requests.Session()
        page = http.get(f"{self.url}/login", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf, page[:300]
        answer = http.post(f"{self.url}/login", data={
            "email": email, "password": password, "csrf_token": csrf.group(1)},
            allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text[:300]
        if origin:
            http.headers["Origin"] = self.url
        return http


REDIS_SERVER = "/usr/bin/redis-server"


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A real redis-server (Debian's package) on a free port, data in ``folder``; its URL."""
    import redis

    if not shutil.which(REDIS_SERVER):
        raise RuntimeError("redis-server is not installed (Debian package 'redis-server'); "
                           "run `make test`, which installs it.")
    port = free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                                "--dir", str(folder), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            if process.poll() is not None:
                raise
            return False

    try:
        wait_until(answers, within=10, message=f"redis-server on port {port} did not answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
