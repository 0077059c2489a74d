"""Before serving on a ClickHouse server (``LYCEUM_CLICKHOUSE_DSN``): is it new enough?

The app needs ClickHouse :data:`MIN_SERVER_VERSION` or newer: the SQL gateway parses every
statement with ``formatQuerySingleLine`` (23.10), and 24.3 is the first long-term-support
release after it. The version alone does not prove that the schema works (a server may lack
the ``tiered`` storage policy, or a grant), so the check also runs the statements the app
depends on, in a scratch database it drops again, and names the first one that fails with
the server's own message. The bundled engine service is checked by its own tests.
"""

from __future__ import annotations

import re
import secrets

from data.analytics import engine_stats
from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse, ClickHouseError
from lyceum.errors import ConfigError

MIN_SERVER_VERSION = (24, 3)
#: Characters of a failing statement quoted in the error.
QUOTED_CHARS = 300
_VERSION = re.compile(r"^(\d+)\.(\d+)")


def version_tuple(version: str) -> tuple[int, int] | None:
    """``(major, minor)`` of a ClickHouse version string such as ``24.8.4.13``."""
    found = _VERSION.match(version.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def version_problem(version: str) -> str | None:
    """Why ``version`` is refused, or ``None`` when it is new enough."""
    found = version_tuple(version)
    least = ".".join(map(str, MIN_SERVER_VERSION))
    if found is None:
        return f"The ClickHouse server reports version {version!r}, which is not a version " \
               f"number; Lyceum needs ClickHouse {least} or newer."
    if found < MIN_SERVER_VERSION:
        return (f"The ClickHouse server is version {version}; Lyceum needs ClickHouse {least} "
                "or newer.")
    return None


def probe_statements(database: str) -> list[str]:
    """What the check runs: the cluster schema (tiered policy, TTL, the hourly view), a
    parameterised query and the gateway's parse, in ``database``."""
    return [*schema_statements(database),
            "SELECT {probe:UInt8} + 1",
            "SELECT formatQuerySingleLine('SELECT 1')"]


def check_server(ch: ClickHouse, *, statements: list[str] | None = None) -> str:
    """Refuse to start on a server that is too old or rejects what the app runs; return its
    version. The error names the version and the failing statement."""
    try:
        version = engine_stats.engine_version(ch)
    except ClickHouseError as exc:
        raise ConfigError(f"The ClickHouse server at {ch.label} does not answer "
                          f"`SELECT version()`: {exc}") from exc
    problem = version_problem(version)
    if problem:
        raise ConfigError(problem)
    scratch = f"lyceum_probe_{secrets.token_hex(4)}"
    try:
        for statement in statements or probe_statements(scratch):
            try:
                ch.command(statement, parameters={"probe": 1} if "{probe:" in statement else None)
            except ClickHouseError as exc:
                quoted = statement if len(statement) <= QUOTED_CHARS else \
                    statement[:QUOTED_CHARS] + "…"
                raise ConfigError(
                    f"The ClickHouse server (version {version}) rejected a statement Lyceum "
                    f"needs: {quoted}\nThe server said: {exc}"
                ) from exc
    finally:
        try:
            ch.command(f"DROP DATABASE IF EXISTS {scratch}")
        except ClickHouseError:
            pass  # the database was never made, or the server went away: nothing to clean
    return version
