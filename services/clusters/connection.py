"""How to connect to a cluster with the clients people already use.

The address is a real ClickHouse HTTP interface: the bundled engine service's public URL
(``settings.engine_public_url``) on the embedded engine, or the server's own URL (the
``LYCEUM_CLICKHOUSE_DSN`` without its credentials) on a ClickHouse server. The snippets are
filled with the cluster's URL, database and user; the secret is read from an environment
variable, because the app keeps only a hash of it (it is shown once, see
:mod:`services.clusters.credentials`).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from data.analytics.clickhouse import validate_identifier
from data.analytics.sql_console import table_columns
from data.metadata import memberships
from lyceum.errors import Forbidden, NotFound
from lyceum.settings import Settings
from services.clusters import credentials
from services.core.audit import Actor
from services.core.runtime import Runtime

#: The environment variable every snippet reads the secret from.
SECRET_VARIABLE = "CLICKHOUSE_PASSWORD"
_SCHEMES = {"http": "http", "https": "https", "clickhouse": "http", "clickhouses": "https"}
_DEFAULT_PORTS = {"http": 8123, "https": 8443}
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Endpoint:
    """Where the ClickHouse HTTP interface answers."""

    scheme: str
    host: str
    port: int

    @property
    def url(self) -> str:
        """``scheme://host:port`` (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def secure(self) -> bool:
        """True for HTTPS."""
        return self.scheme == "https"


@dataclass(frozen=True)
class Snippet:
    """One client's copy-paste example."""

    key: str
    label: str
    language: str
    code: str


@dataclass(frozen=True)
class Connection:
    """A cluster's connection details, ready for a page or JSON."""

    cluster_id: int
    endpoint: Endpoint | None
    database: str
    username: str
    mode: str
    snippets: tuple[Snippet, ...]
    #: Why there is nothing to connect to (no credential, not running), or empty.
    unavailable: str = ""
    #: The new secret while it waits to be saved, for an admin only (decision 0012).
    secret: str | None = None

    def as_json(self) -> dict[str, object]:
        """Plain JSON-ready data (the secret only while it waits, for admins)."""
        endpoint = self.endpoint
        return {
            "cluster_id": self.cluster_id, "available": not self.unavailable,
            "unavailable_reason": self.unavailable or None,
            "url": endpoint.url if endpoint else None,
            "scheme": endpoint.scheme if endpoint else None,
            "host": endpoint.host if endpoint else None,
            "port": endpoint.port if endpoint else None,
            "database": self.database, "username": self.username or None,
            "credential_mode": self.mode or None, "secret": self.secret,
            "secret_variable": SECRET_VARIABLE,
            "snippets": [{"key": s.key, "label": s.label, "language": s.language,
                          "code": s.code} for s in self.snippets],
        }


def engine_endpoint(settings: Settings) -> Endpoint:
    """The ClickHouse HTTP interface clients reach: the engine service or the server."""
    if settings.bundled_engine:
        return parse_endpoint(settings.engine_public_url)
    return parse_endpoint(settings.clickhouse_dsn)


def parse_endpoint(url: str) -> Endpoint:
    """Scheme, host and port of ``url`` (credentials, path and query left out).

    Raises :class:`ValueError` for a URL that is not HTTP(S) or has no host.
    """
    parts = urlsplit(url.strip())
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise ValueError(f"not an HTTP(S) ClickHouse URL: {parts.scheme}://{parts.hostname}")
    return Endpoint(scheme, parts.hostname, parts.port or _DEFAULT_PORTS[scheme])


def connection(runtime: Runtime, cluster_id: int, *, role: str,
               actor: Actor | None = None) -> Connection:
    """The connection details of one cluster as a member with ``role`` sees them; an admin
    ``actor`` also gets the credential's new secret while it waits to be saved.

    Raises :class:`NotFound` for a cluster that does not exist.
    """
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None:
            raise NotFound("That cluster does not exist.")
        database, username = cluster.database_name, cluster.credential_user or ""
        status, mode = cluster.status, cluster.credential_mode or ""
    table = _first_table(runtime, database) if status == "running" and username else None
    if status != "running" or not username:
        reason = ("the cluster is not running" if status != "running"
                  else "no credential was created for this cluster")
        return Connection(cluster_id, None, database, username, mode, (), unavailable=reason)
    endpoint = engine_endpoint(runtime.settings)
    sql = f"SELECT * FROM {quoted_name(table)} LIMIT 10" if table else "SELECT version()"
    secret = None
    if actor is not None and role == "admin":
        try:
            pending = credentials.pending_secret(runtime, cluster_id, actor=actor)
        except Forbidden:  # an admin token of someone who is no longer an admin
            pending = None
        secret = pending.secret if pending else None
    return Connection(cluster_id, endpoint, database, username, mode,
                      snippets(endpoint, database=database, username=username, sql=sql),
                      secret=secret)


def quoted_name(name: str) -> str:
    """``name`` as it is typed in SQL: bare when it is a plain identifier, else backquoted."""
    if _PLAIN_NAME.fullmatch(name):
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _first_table(runtime: Runtime, database: str) -> str | None:
    """The table with the most rows (the first by name among equals), for the examples."""
    tables = sorted(table_columns(runtime.ch, database), key=lambda t: (-t.rows, t.name))
    return tables[0].name if tables else None


def snippets(endpoint: Endpoint, *, database: str, username: str, sql: str
             ) -> tuple[Snippet, ...]:
    """clickhouse-connect, pandas (clickhouse-sqlalchemy), curl and Node examples."""
    validate_identifier(database)
    py = json.dumps
    connect = (
        "import os\n\nimport clickhouse_connect\n\n"
        f"client = clickhouse_connect.get_client(\n"
        f"    host={py(endpoint.host)}, port={endpoint.port}, secure={endpoint.secure},\n"
        f"    username={py(username)},\n"
        f"    password=os.environ[{py(SECRET_VARIABLE)}],\n"
        f"    database={py(database)})\n"
        f"result = client.query({py(sql)})\n"
        "print(result.column_names)\nfor row in result.result_rows:\n    print(row)\n")
    protocol = "?protocol=https" if endpoint.secure else ""
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    pandas = (
        "import os\nfrom urllib.parse import quote\n\nimport pandas as pd\n"
        "from sqlalchemy import create_engine\n\n"
        f"secret = quote(os.environ[{py(SECRET_VARIABLE)}], safe=\"\")\n"
        "engine = create_engine(\n"
        f"    f\"clickhouse+http://{quote(username, safe='')}:{{secret}}@{host}:{endpoint.port}"
        f"/{database}{protocol}\")\n"
        f"frame = pd.read_sql({py(sql)}, engine)\nprint(frame)\n")
    query_url = f"{endpoint.url}/?database={quote(database)}"
    curl = (
        f"curl -sS --fail-with-body {shlex.quote(query_url)} \\\n"
        f"  -H {shlex.quote('X-ClickHouse-User: ' + username)} \\\n"
        f"  -H \"X-ClickHouse-Key: ${SECRET_VARIABLE}\" \\\n"
        f"  --data-binary {shlex.quote(sql + ' FORMAT CSVWithNames')}\n")
    node = (
        "import { createClient } from '@clickhouse/client'\n\n"
        "const client = createClient({\n"
        f"  url: {py(endpoint.url)},\n"
        f"  username: {py(username)},\n"
        f"  password: process.env.{SECRET_VARIABLE},\n"
        f"  database: {py(database)},\n"
        "})\n"
        f"const result = await client.query({{ query: {py(sql)}, format: 'JSONEachRow' }})\n"
        "console.log(await result.json())\nawait client.close()\n")
    # Short tab names, so the four tabs fit the console's card; the code names its client.
    return (Snippet("clickhouse-connect", "Python", "python", connect),
            Snippet("pandas", "pandas", "python", pandas),
            Snippet("curl", "curl", "bash", curl),
            Snippet("node", "Node.js", "javascript", node))
