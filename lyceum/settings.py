"""One typed settings object, read from the environment and the instance folder."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import quote

from lyceum.errors import ConfigError

#: Values that must never be used as a secret key (copied from tutorials and templates).
KNOWN_DEFAULT_SECRETS = frozenset(
    {"", "dev", "secret", "changeme", "change-me", "changethis", "default", "password",
     "secret-key", "secret_key", "your-secret-key", "supersecret", "development"}
)
MIN_SECRET_LENGTH = 32
SECRET_FILE = "secret_key"
TOKEN_KEY_FILE = "token_key"
ENGINE_KEY_FILE = "engine_key"
#: The engine service's user for the app itself (its key is ``Settings.engine_key``).
ENGINE_APP_USER = "lyceum_app"
DEMO_SIZES = ("full", "small", "off")
#: Server threads left for pages when every pool a request waits on is full.
MIN_FREE_THREADS = 4
#: Share of the host's memory one query may use by default.
QUERY_MEMORY_SHARE = 4
#: Longest a query may run by default, whatever a cluster asks for (seconds).
DEFAULT_MAX_EXECUTION_S = 300
DEFAULT_QUERY_NICE = 10
#: Smallest argon2 memory cost: 8 KiB for each of the 2 lanes auth.passwords hashes with.
MIN_ARGON2_MEMORY_KIB = 16
MAX_PORT = 65535
#: Spellings of a boolean setting (any case).
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
_GIB = 1024**3


def machine_memory_bytes() -> int:
    """The memory this process may use: the host's RAM, or a smaller cgroup limit."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return int(total)
    return min(int(total), int(limit)) if limit.isdigit() else int(total)


@dataclass(frozen=True)
class HostCeilings:
    """What one query may use on this host, whatever a cluster's own limits say."""

    max_execution_time: int
    max_memory_usage: int
    max_threads: int
    #: The "nice" of the engine's threads while they run a cluster's query (0 to 19): the
    #: threads that serve pages come first. Needs CAP_SYS_NICE, else the engine ignores it.
    query_nice: int = DEFAULT_QUERY_NICE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HostCeilings:
        """``LYCEUM_HOST_MAX_EXECUTION_S``, ``LYCEUM_HOST_MAX_MEMORY_GB`` and
        ``LYCEUM_HOST_MAX_THREADS``; by default 300 s, a quarter of the memory in whole GiB
        (the console and the API set memory in whole GiB: a ceiling of 5.9 GiB showed as 5
        in the console's field, and applying the other limits lowered it), every CPU."""
        env = os.environ if env is None else env
        memory_gb = env.get("LYCEUM_HOST_MAX_MEMORY_GB")
        return cls(
            max_execution_time=whole_number(env, "LYCEUM_HOST_MAX_EXECUTION_S",
                                            DEFAULT_MAX_EXECUTION_S),
            max_memory_usage=(whole_number(env, "LYCEUM_HOST_MAX_MEMORY_GB", 1) * _GIB
                              if memory_gb else
                              max(_GIB, machine_memory_bytes() // QUERY_MEMORY_SHARE
                                  // _GIB * _GIB)),
            max_threads=whole_number(env, "LYCEUM_HOST_MAX_THREADS", os.cpu_count() or 1),
            query_nice=whole_number(env, "LYCEUM_QUERY_NICE", DEFAULT_QUERY_NICE,
                                    least=0, most=19))

    def as_settings(self) -> dict[str, int]:
        """The ceilings as ClickHouse settings."""
        return {"max_execution_time": self.max_execution_time,
                "max_memory_usage": self.max_memory_usage, "max_threads": self.max_threads}


@dataclass(frozen=True)
class PoolSizes:
    """Workers and waiting places of the pools that run long work (see services.core.work_pools)."""

    gateway: int = 4
    imports: int = 1
    reports: int = 1
    maintenance: int = 1
    #: Streams of every filtered curve's samples (CSV, Parquet, Arrow) written at once.
    exports: int = 2
    #: The explorer's outlier rankings after each draw (the page polls for the answer: no
    #: request waits on them).
    rankings: int = 1
    #: Jobs that may wait for a worker in each pool; beyond that new work is refused.
    queue: int = 2
    #: Jobs of one cluster that may run or wait in one pool at once.
    per_cluster: int = 2

    def workers(self, pool: str) -> int:
        """The workers of one named pool."""
        return int(getattr(self, pool))

    def waiting_requests(self) -> int:
        """Server threads that can be waiting on pooled work at once (the pools a request
        waits on: gateway, imports, maintenance and the export streams; reports and
        outlier rankings run on their own)."""
        return sum(self.workers(name) + self.queue
                   for name in ("gateway", "imports", "maintenance", "exports"))


@dataclass(frozen=True)
class TrustedProxies:
    """Which reverse proxies may name the client in ``X-Forwarded-For`` (default: none).

    Either a number of proxy hops in front of the app (every request passes through them),
    or the proxies' own addresses/networks (the header is read only from those).
    """

    hops: int = 0
    networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @property
    def configured(self) -> bool:
        """Whether any proxy is trusted."""
        return bool(self.hops or self.networks)


def parse_trusted_proxies(value: str | None) -> TrustedProxies:
    """Read ``LYCEUM_TRUSTED_PROXIES``: empty or 0 (trust none), a hop count such as ``1``,
    or a comma-separated list of proxy addresses or networks (``10.0.0.5, 10.1.0.0/16``)."""
    text = (value or "").strip()
    if not text:
        return TrustedProxies()
    if text.isdigit():
        hops = int(text)
        if hops > 10:
            raise ConfigError("LYCEUM_TRUSTED_PROXIES is a hop count of 0 to 10, or a list of "
                              "proxy addresses.")
        return TrustedProxies(hops=hops)
    networks = []
    for part in text.split(","):
        try:
            networks.append(ip_network(part.strip(), strict=False))
        except ValueError as exc:
            raise ConfigError(f"LYCEUM_TRUSTED_PROXIES: {part.strip()!r} is neither an address "
                              "nor a network.") from exc
    return TrustedProxies(networks=tuple(networks))


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from outside; build it with :func:`load_settings`."""

    instance_path: Path
    secret_key: str
    token_key: str
    #: The app's own key at the engine service (user ``lyceum_app``): it may run anything.
    engine_key: str
    database_url: str
    clickhouse_dsn: str
    clickhouse_cluster: str | None = None
    redis_url: str | None = None
    demo: str = "full"
    host: str = "127.0.0.1"
    port: int = 8050
    secure_cookies: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    trusted_proxies: TrustedProxies = field(default_factory=lambda: TrustedProxies())
    dashboard_refresh_s: int = 30
    #: Where the plant's shifts start, minutes after midnight UTC, ascending
    #: (``LYCEUM_SHIFT_STARTS="06:00,14:00,22:00"``): the explorer's "this shift" range.
    shift_starts: tuple[int, ...] = (360, 840, 1320)
    #: Samples the explorer holds in memory per web process (8 bytes each); bigger
    #: processes are drawn from stored density partials or ClickHouse.
    explorer_held_samples: int = 40_000_000
    #: Whether the deployment builds and keeps current the stored density partials the
    #: explorer draws processes too big to hold from (``LYCEUM_EXPLORER_PARTIALS``). Off,
    #: nothing is built and the explorer reads none (partials built before would miss the
    #: curves since): such processes are drawn from ClickHouse's sample bins (slower);
    #: a deployment whose curves every process holds saves the backfill's CPU (~35 CPU s for
    #: the small demo's 10,000 curves at start, measured on this machine).
    explorer_partials: bool = True
    #: Threads of the web server (waitress); more than the pools can keep waiting.
    threads: int = 20
    pools: PoolSizes = field(default_factory=PoolSizes)
    ceilings: HostCeilings = field(default_factory=HostCeilings.from_env)
    #: Bytes an uploaded Parquet/Arrow file may take once decompressed.
    max_decompressed_bytes: int = 2048 * 1024**2
    #: Where the bundled engine service listens (the ClickHouse HTTP interface, loopback).
    engine_host: str = "127.0.0.1"
    engine_port: int = 8123
    #: The URL people paste into their clients (a proxy's, when one fronts the engine).
    engine_public_url: str = "http://127.0.0.1:8123"
    #: Threads of the engine service: the statements it runs at once, all callers together.
    engine_threads: int = 24
    #: Statements one cluster's credential may run at once there; more are refused at once.
    engine_cluster_queries: int = 4
    #: Web processes serving the app (``LYCEUM_WORKERS``; default: the machine's cores).
    workers: int = 1
    #: Whether ``run`` starts and supervises the bundled engine service itself
    #: (``LYCEUM_ENGINE_MANAGED=off``: an engine service started separately is used).
    engine_managed: bool = True

    @property
    def bundled_engine(self) -> bool:
        """True when the app uses the bundled engine service (chDB behind the ClickHouse HTTP
        interface, ``python -m lyceum engine``) rather than a ClickHouse server or Cloud
        (``LYCEUM_CLICKHOUSE_DSN``)."""
        return not self.clickhouse_dsn

    @property
    def clickhouse_url(self) -> str:
        """Where the app's ClickHouse client connects: the server DSN, or the bundled engine
        service as the app's own user (``lyceum_app`` with the engine key)."""
        if self.clickhouse_dsn:
            return self.clickhouse_dsn
        return (f"http://{ENGINE_APP_USER}:{quote(self.engine_key, safe='')}"
                f"@{self.engine_host}:{self.engine_port}")

    @property
    def clickhouse_root(self) -> Path:
        """The folder that holds the bundled engine's data, config and tier disks."""
        return self.instance_path / "clickhouse"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields replaced (used by tests and the CLI)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def check_secret_key(value: str) -> str:
    """Return ``value`` if it is usable as a secret key, else raise :class:`ConfigError`."""
    if value.strip().lower() in KNOWN_DEFAULT_SECRETS:
        raise ConfigError("The secret key is missing or a well-known default; refusing to start.")
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"The secret key is shorter than {MIN_SECRET_LENGTH} characters; refusing to start."
        )
    return value


def ensure_secret_file(instance_path: Path, name: str = SECRET_FILE) -> str:
    """Read a key file of the instance folder, generating it (mode 0600) on first run."""
    path = instance_path / name
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def whole_number(env: Mapping[str, str], name: str, default: int, *, least: int = 1,
                 most: int | None = None) -> int:
    """The whole number ``env[name]`` (``default`` when unset or blank), from ``least`` to
    ``most``; anything else raises :class:`ConfigError` naming the variable and the value."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if most is not None:
        if value is None or not least <= value <= most:
            raise ConfigError(f"{name} must be a whole number from {least} to {most}; "
                              f"got {text!r}.")
        return value
    if value is None:
        raise ConfigError(f"{name} must be a whole number; got {text!r}.")
    if value < least:
        raise ConfigError(f"{name} must be at least {least}; got {value}.")
    return value


def shift_starts(env: Mapping[str, str], name: str = "LYCEUM_SHIFT_STARTS") -> tuple[int, ...]:
    """The shift start times ``env[name]`` ("HH:MM,HH:MM,…" in UTC; default 06:00, 14:00,
    22:00) as ascending minutes after midnight; anything else raises :class:`ConfigError`."""
    text = (env.get(name) or "").strip() or "06:00,14:00,22:00"
    minutes = []
    for part in text.split(","):
        hours, _, mins = part.strip().partition(":")
        if not (hours.isdigit() and mins.isdigit() and len(mins) == 2
                and int(hours) < 24 and int(mins) < 60):
            raise ConfigError(f"{name} must be start times like 06:00,14:00,22:00 (UTC); "
                              f"got {text!r}.")
        minutes.append(int(hours) * 60 + int(mins))
    if len(minutes) > 24 or sorted(set(minutes)) != minutes:
        raise ConfigError(f"{name} must list up to 24 different times in ascending order; "
                          f"got {text!r}.")
    return tuple(minutes)


def boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    """The switch ``env[name]`` (``default`` when unset or blank): 1/true/yes/on or
    0/false/no/off in any case; anything else raises :class:`ConfigError`."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    if text.lower() in TRUE_WORDS:
        return True
    if text.lower() in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of {', '.join(TRUE_WORDS)} (on) or "
                      f"{', '.join(FALSE_WORDS)} (off); got {text!r}.")


def load_pools(env: Mapping[str, str], *, threads: int) -> PoolSizes:
    """Pool sizes from ``LYCEUM_POOL_*``; refused when they could hold every server thread."""
    base = PoolSizes()
    pools = PoolSizes(
        gateway=whole_number(env, "LYCEUM_POOL_GATEWAY", base.gateway),
        imports=whole_number(env, "LYCEUM_POOL_IMPORTS", base.imports),
        reports=whole_number(env, "LYCEUM_POOL_REPORTS", base.reports),
        maintenance=whole_number(env, "LYCEUM_POOL_MAINTENANCE", base.maintenance),
        exports=whole_number(env, "LYCEUM_POOL_EXPORTS", base.exports),
        rankings=whole_number(env, "LYCEUM_POOL_RANKINGS", base.rankings),
        queue=whole_number(env, "LYCEUM_POOL_QUEUE", base.queue),
        per_cluster=whole_number(env, "LYCEUM_CLUSTER_CONCURRENCY", base.per_cluster))
    needed = pools.waiting_requests() + MIN_FREE_THREADS
    if threads < needed:
        raise ConfigError(
            f"LYCEUM_THREADS is {threads}, but the work pools can keep "
            f"{pools.waiting_requests()} requests waiting; use at least {needed} threads so "
            f"{MIN_FREE_THREADS} always serve pages (or make the pools smaller).")
    return pools


def _instance_key(env: dict[str, str], instance: Path, *, variable: str, file: str,
                  label: str, generate: bool) -> str:
    """A key from ``env[variable]`` or the instance's ``file`` (generated 0600 on first run)."""
    key = env.get(variable)
    if key is None:
        if generate:
            key = ensure_secret_file(instance, file)
        elif (instance / file).exists():
            key = (instance / file).read_text().strip()
        else:
            key = ""
    if key.strip().lower() in KNOWN_DEFAULT_SECRETS or len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"The {label} is missing or shorter than {MIN_SECRET_LENGTH} "
                          "characters; refusing to start.")
    return key


def load_settings(
    env: dict[str, str] | None = None, *, generate_secret: bool = True
) -> Settings:
    """Build :class:`Settings` from ``env`` (default: ``os.environ``).

    The secret key comes from ``LYCEUM_SECRET_KEY`` or the instance folder's ``secret_key``
    file, generated on first run when ``generate_secret`` is true; the token key (the key of
    keyed token hashes) likewise from ``LYCEUM_TOKEN_KEY`` or the ``token_key`` file, and the
    app's key at the engine service from ``LYCEUM_ENGINE_KEY`` or the ``engine_key`` file. A
    missing, short or well-known key raises :class:`ConfigError`.
    """
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("LYCEUM_INSTANCE", "instance")).resolve()
    secret = env.get("LYCEUM_SECRET_KEY")
    if secret is None:
        if generate_secret:
            secret = ensure_secret_file(instance)
        elif (instance / SECRET_FILE).exists():
            secret = (instance / SECRET_FILE).read_text().strip()
        else:
            secret = ""
    check_secret_key(secret)
    token_key = _instance_key(env, instance, variable="LYCEUM_TOKEN_KEY", file=TOKEN_KEY_FILE,
                              label="token key", generate=generate_secret)
    engine_key = _instance_key(env, instance, variable="LYCEUM_ENGINE_KEY",
                               file=ENGINE_KEY_FILE, label="engine key",
                               generate=generate_secret)
    demo = env.get("LYCEUM_DEMO", "full").strip().lower()
    if demo not in DEMO_SIZES:
        raise ConfigError(f"LYCEUM_DEMO must be one of {', '.join(DEMO_SIZES)}; got {demo!r}.")
    threads = whole_number(env, "LYCEUM_THREADS", 20)
    engine_host = env.get("LYCEUM_ENGINE_HOST", "127.0.0.1").strip() or "127.0.0.1"
    engine_port = whole_number(env, "LYCEUM_ENGINE_PORT", 8123, most=MAX_PORT)
    return Settings(
        instance_path=instance,
        secret_key=secret,
        token_key=token_key,
        engine_key=engine_key,
        database_url=env.get("LYCEUM_DATABASE_URL") or f"sqlite:///{instance / 'lyceum.db'}",
        clickhouse_dsn=(env.get("LYCEUM_CLICKHOUSE_DSN") or "").strip(),
        clickhouse_cluster=env.get("LYCEUM_CLICKHOUSE_CLUSTER") or None,
        redis_url=env.get("REDIS_URL") or None,
        demo=demo,
        host=env.get("LYCEUM_HOST", "127.0.0.1"),
        port=whole_number(env, "LYCEUM_PORT", 8050, most=MAX_PORT),
        secure_cookies=boolean(env, "LYCEUM_SECURE_COOKIES", False),
        argon2_time_cost=whole_number(env, "LYCEUM_ARGON2_TIME_COST", 3),
        argon2_memory_kib=whole_number(env, "LYCEUM_ARGON2_MEMORY_KIB", 65536,
                                       least=MIN_ARGON2_MEMORY_KIB),
        oidc_issuer=env.get("LYCEUM_OIDC_ISSUER") or None,
        oidc_client_id=env.get("LYCEUM_OIDC_CLIENT_ID") or None,
        oidc_client_secret=env.get("LYCEUM_OIDC_CLIENT_SECRET") or None,
        dashboard_refresh_s=whole_number(env, "LYCEUM_DASHBOARD_REFRESH_S", 30),
        shift_starts=shift_starts(env),
        explorer_held_samples=whole_number(env, "LYCEUM_EXPLORER_HELD_SAMPLES", 40_000_000,
                                           least=0),
        explorer_partials=boolean(env, "LYCEUM_EXPLORER_PARTIALS", True),
        smtp_host=env.get("LYCEUM_SMTP_HOST") or None,
        smtp_port=whole_number(env, "LYCEUM_SMTP_PORT", 587, most=MAX_PORT),
        smtp_user=env.get("LYCEUM_SMTP_USER") or None,
        smtp_password=env.get("LYCEUM_SMTP_PASSWORD") or None,
        smtp_from=env.get("LYCEUM_SMTP_FROM") or None,
        smtp_starttls=boolean(env, "LYCEUM_SMTP_STARTTLS", True),
        trusted_proxies=parse_trusted_proxies(env.get("LYCEUM_TRUSTED_PROXIES")),
        threads=threads,
        pools=load_pools(env, threads=threads),
        ceilings=HostCeilings.from_env(env),
        max_decompressed_bytes=whole_number(env, "LYCEUM_MAX_DECOMPRESSED_MB", 2048) * 1024**2,
        engine_host=engine_host,
        engine_port=engine_port,
        engine_public_url=(env.get("LYCEUM_ENGINE_PUBLIC_URL") or "").strip().rstrip("/")
        or f"http://{engine_host}:{engine_port}",
        engine_threads=whole_number(env, "LYCEUM_ENGINE_THREADS", 24, most=512),
        engine_cluster_queries=whole_number(env, "LYCEUM_ENGINE_CLUSTER_QUERIES", 4, most=512),
        workers=whole_number(env, "LYCEUM_WORKERS", os.cpu_count() or 1, most=64),
        engine_managed=boolean(env, "LYCEUM_ENGINE_MANAGED", True),
    )
