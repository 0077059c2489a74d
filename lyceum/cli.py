"""The command line: set up, serve, create accounts, load the demo.

``run`` starts the bundled engine service (the only process that opens the chDB data path)
as a supervised child, sets up once, and serves the app from ``LYCEUM_WORKERS`` processes
that all reach the engine over HTTP (:mod:`lyceum.serve`).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import getpass
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lyceum.errors import AppError
from services.core.roles import ROLE_NAMES

# Each command imports what it needs inside its function, for start-up speed only (no cycle
# is hidden: nothing imports this module): `--help`, `create-user` or `engine` start in a
# fraction of a second instead of loading Dash, the app and every service (~10 s here).
if TYPE_CHECKING:
    from lyceum.settings import Settings
    from services.core.runtime import Runtime
    from services.startup.first_start import SetupReport


def _open() -> Runtime:
    from lyceum.settings import load_settings
    from services.core.runtime import Runtime

    return Runtime.open(load_settings())


def _banner(report: SetupReport, settings: Settings) -> None:
    print(f"Metadata schema at revision {report.revision}.")
    if report.demo_seconds is not None:
        state = "already loaded" if report.demo_skipped else "loaded"
        total = sum(report.demo_rows.values())
        print(f"Demo data {state} in {report.demo_seconds:.1f} s ({total:,} rows).")
    if report.admin_password:
        print("\n" + "=" * 66)
        print("  First administrator created. This password is shown only once:")
        print("    e-mail:   admin@lyceum.local")
        print(f"    password: {report.admin_password}")
        print("=" * 66 + "\n")
    print(f"Serving Lyceum Clusters on http://{settings.host}:{settings.port}", flush=True)


def cmd_run(_args: argparse.Namespace) -> int:
    """Start the engine service (supervised), set up once, then serve from N web processes."""
    from lyceum.serve import EngineSupervisor, WebServer
    from lyceum.settings import load_settings

    started = time.perf_counter()
    settings = load_settings()
    supervisor = EngineSupervisor(settings) if settings.engine_managed else None
    if supervisor is not None:
        supervisor.start()
    try:
        report = _set_up(settings)
    except BaseException:
        if supervisor is not None:
            supervisor.stop()
        raise
    import app  # noqa: F401 - imported once here, shared by the forked workers

    holder: dict[str, object] = {}
    server = WebServer(settings, make_app=lambda: _worker_app(settings, holder),
                       on_exit=supervisor.stop if supervisor is not None else lambda: None,
                       worker_exit=lambda: _worker_exit(holder))
    _banner(report, settings)
    print(f"Ready in {time.perf_counter() - started:.1f} s ({settings.workers} web "
          f"process(es) of {settings.threads} threads).", flush=True)
    server.run()
    return 0


def _set_up(settings: Settings) -> SetupReport:
    """Migrate, recover, ensure the admin and the demo: one process of the instance at a time
    (a lock file in the instance folder); the runtime is closed before the workers fork."""
    from services.core.runtime import Runtime
    from services.startup.first_start import prepare

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    with _instance_lock(settings.instance_path / "setup.lock"):
        runtime = Runtime.open(settings)
        try:
            return prepare(runtime)
        finally:
            runtime.leases.stop()
            runtime.close()


@contextlib.contextmanager
def _instance_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _worker_app(settings: Settings, holder: dict[str, object]) -> object:
    """One web worker's WSGI app, its runtime and background work (after the fork)."""
    from app import create_app
    from services.core.runtime import Runtime
    from services.startup.background import start_background

    runtime = Runtime.open(settings)
    server = create_app(settings, runtime=runtime)
    holder["runtime"], holder["duties"] = runtime, start_background(runtime)
    return server


def _worker_exit(holder: dict[str, object]) -> None:
    """A web worker ends: stop its background work, give its leases up, close its clients."""
    from services.core.leases import Duties
    from services.core.runtime import Runtime
    from services.startup.background import stop_background

    runtime, duties = holder.get("runtime"), holder.get("duties")
    if isinstance(runtime, Runtime):
        stop_background(runtime, duties if isinstance(duties, Duties) else None)
        runtime.close()


def cmd_engine(_args: argparse.Namespace) -> int:
    """Serve the instance's embedded engine over the ClickHouse HTTP interface."""
    from lyceum.engine.server import engine_runtime, open_engine, serve
    from lyceum.settings import load_settings

    started = time.perf_counter()
    app = open_engine(engine_runtime(load_settings()))
    settings = app.runtime.settings
    print(f"Engine service on http://{settings.engine_host}:{settings.engine_port} "
          f"(ClickHouse {app.version}), ready in {time.perf_counter() - started:.2f} s.",
          flush=True)
    return serve(app)


def cmd_worker(args: argparse.Namespace) -> int:
    """Take background jobs from Redis in this process (needs a ClickHouse server)."""
    from app import create_app
    from lyceum.settings import load_settings
    from services.core.jobs import check_external_worker, run_worker
    from services.core.runtime import Runtime

    settings = load_settings()
    check_external_worker(settings)
    runtime = Runtime.open(settings)
    create_app(settings, runtime=runtime)  # registers the app's background callbacks
    return run_worker(runtime, threads=max(1, args.threads))


def cmd_migrate(_args: argparse.Namespace) -> int:
    """Bring the metadata schema to the newest revision."""

    runtime = _open()
    runtime.db.migrate()
    print(f"Metadata schema at revision {runtime.db.current_revision()}.")
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    """Create a global administrator; the password is read from stdin or generated."""
    from services.access.accounts import create_user, generate_password

    runtime = _open()
    runtime.db.migrate()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password (empty to generate one): ") or generate_password()
    else:
        password = generate_password()
    create_user(runtime.db, runtime.passwords, email=args.email, password=password,
                display_name=args.name or args.email, is_admin=True)
    print(f"Administrator {args.email} created.")
    if not args.password_stdin:
        print(f"Password (shown once): {password}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    """Create an account and give it a role on one cluster (by database name)."""
    from services.access.accounts import create_member_account, generate_password

    runtime = _open()
    runtime.db.migrate()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else generate_password()
    create_member_account(runtime.db, runtime.passwords, email=args.email, password=password,
                          database=args.cluster, role=args.role,
                          display_name=args.name or args.email)
    print(f"User {args.email} created with role {args.role} on {args.cluster}.")
    if not args.password_stdin:
        print(f"Password (shown once): {password}")
    return 0


def cmd_deactivate_user(args: argparse.Namespace) -> int:
    """Deactivate an account: no more sign-ins, sessions ended, API tokens revoked."""
    from services.access.accounts import deactivate_user
    from services.core.audit import Actor

    runtime = _open()
    runtime.db.migrate()
    revoked = deactivate_user(runtime.db, email=args.email, actor=Actor(label="cli"))
    print(f"Account {args.email} deactivated; {revoked} API token(s) revoked.")
    return 0


def cmd_load_demo(_args: argparse.Namespace) -> int:
    """Create the demo cluster and load its data (idempotent)."""
    from services.startup.first_start import ensure_demo_cluster

    runtime = _open()
    runtime.db.migrate()
    seconds, rows, skipped = ensure_demo_cluster(runtime)
    state = "already loaded" if skipped else "loaded"
    print(f"Demo data {state} in {seconds or 0:.1f} s: {rows}")
    return 0


def quiet_migrations() -> None:
    """Keep alembic's per-revision INFO lines out of the command's output (warnings stay)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m lyceum", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="set up and serve the app").set_defaults(func=cmd_run)
    sub.add_parser("engine", help="serve the embedded engine (ClickHouse HTTP interface) on "
                                  "LYCEUM_ENGINE_HOST:LYCEUM_ENGINE_PORT").set_defaults(
        func=cmd_engine)
    sub.add_parser("migrate", help="migrate the metadata database").set_defaults(
        func=cmd_migrate)
    worker = sub.add_parser("worker", help="run background jobs from REDIS_URL "
                                           "(with a ClickHouse server)")
    worker.add_argument("--threads", type=int, default=4, help="jobs run at once")
    worker.set_defaults(func=cmd_worker)
    admin = sub.add_parser("create-admin", help="create a global administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="")
    admin.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    admin.set_defaults(func=cmd_create_admin)
    member = sub.add_parser("create-user", help="create a user with a role on one cluster")
    member.add_argument("--email", required=True)
    member.add_argument("--name", default="")
    member.add_argument("--cluster", required=True, help="the cluster's database name")
    member.add_argument("--role", required=True, choices=ROLE_NAMES)
    member.add_argument("--password-stdin", action="store_true")
    member.set_defaults(func=cmd_create_user)
    off = sub.add_parser("deactivate-user", help="deactivate an account: sign-ins, sessions "
                                                 "and API tokens end")
    off.add_argument("--email", required=True)
    off.set_defaults(func=cmd_deactivate_user)
    sub.add_parser("load-demo", help="create the demo cluster and its data").set_defaults(
        func=cmd_load_demo)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    quiet_migrations()
    try:
        return int(args.func(args))
    except AppError as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return 2
