"""The command line: set up, serve, create accounts, load the demo.

Everything that touches the embedded engine runs in this one process (chDB allows one
process per data path), so ``run`` prepares and then serves from the same process.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from typing import TYPE_CHECKING

from lyceum.errors import AppError

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
    """Migrate, ensure an admin and the demo, then serve."""
    from waitress import serve

    from app import create_app
    from services.startup.background import start_background
    from services.startup.first_start import prepare

    started = time.perf_counter()
    runtime = _open()
    report = prepare(runtime)
    server = create_app(runtime.settings, runtime=runtime)
    start_background(runtime)
    _banner(report, runtime.settings)
    print(f"Ready in {time.perf_counter() - started:.1f} s.", flush=True)
    serve(server, host=runtime.settings.host, port=runtime.settings.port,
          threads=runtime.settings.threads,
          connection_limit=1000, ident="lyceum")
    return 0


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
    member.add_argument("--role", required=True, choices=["admin", "editor", "analyst", "viewer"])
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
