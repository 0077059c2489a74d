"""The long-lived handles one app process owns: settings, metadata DB, ClickHouse."""

from __future__ import annotations

from dataclasses import dataclass, field

from data.analytics.clickhouse import ClickHouse
from data.metadata.audit_anchor import ANCHOR_FILE, AnchorFile
from data.metadata.db import Database
from lyceum.instance_secrets import InstanceSecrets
from lyceum.settings import Settings
from services.core.cache import ProcessCaches
from services.core.leases import LeaseKeeper
from services.core.passwords import Passwords
from services.core.work_pools import WorkPools


@dataclass
class Runtime:
    """What services need to do their work; built once by ``create_app`` or the CLI."""

    settings: Settings
    db: Database
    ch: ClickHouse
    passwords: Passwords
    #: Keyed hashes of tokens and credentials, sealing of pending secrets (the token key).
    keys: InstanceSecrets = field(init=False, repr=False)
    #: The bounded pools that run long work (made from ``settings.pools``).
    pools: WorkPools = field(init=False)
    #: The in-process caches (explorer views, held populations, density images), by kind.
    caches: ProcessCaches = field(init=False, repr=False)
    #: This process's leases in the metadata DB (once-per-deployment duties, liveness).
    leases: LeaseKeeper = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.keys = InstanceSecrets(self.settings.token_key)
        self.pools = WorkPools(self.settings.pools)
        self.caches = ProcessCaches()
        self.leases = LeaseKeeper(self.db)
        # the audit chain's anchor lives in the instance folder, apart from the rows
        if self.db.audit_anchor is None:
            self.db.keep_audit_anchor(AnchorFile(self.settings.instance_path / ANCHOR_FILE))

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        """Connect to both databases named in ``settings`` (nothing is created yet)."""
        return cls(
            settings=settings,
            db=Database(settings.database_url),
            ch=ClickHouse(settings.clickhouse_url, bundled=settings.bundled_engine,
                          max_connections=settings.threads + 8,
                          timeout_s=settings.ceilings.max_execution_time + 30),
            passwords=Passwords(time_cost=settings.argon2_time_cost,
                                memory_kib=settings.argon2_memory_kib),
        )

    def close(self) -> None:
        """Stop the work pools and release connections."""
        self.pools.shutdown()
        self.ch.close()
        self.db.dispose()
