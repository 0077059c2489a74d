"""The metadata database: engine, sessions and migrations (SQLite file or PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from data.metadata.audit import keep_anchor
from data.metadata.audit_anchor import AnchorFile

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
__all__ = ["Database", "Session", "alembic_config", "head_revision", "make_engine"]


#: Pooled connections to a SQLite file. The engine service (24 request threads) and a web
#: process can ask with more threads at once than the default pool serves (5 kept, 10 more
#: opened, set up with three pragmas and closed per use; a 16th thread waited up to 30 s).
#: A file has no server-side connection limit, so enough are kept for every thread. (At 20
#: engine clients this changed no measured rate: the wait, not a cost, is what it removes.)
SQLITE_POOL = 32


def make_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets WAL, foreign keys and a busy timeout, a
    server's connections are pinged before use."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # A server's connections can drop while pooled, so they are pinged before use; a SQLite
    # file's cannot, and the ping was a statement of its own on every checkout.
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": not url.startswith("sqlite")}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pool_size=SQLITE_POOL, max_overflow=SQLITE_POOL)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Owns the engine and hands out sessions that commit on success and roll back on error.

    With an ``audit_anchor`` (a file apart from the database), every commit that appended
    audit entries records the chain's head there (see :mod:`data.metadata.audit_anchor`).
    """

    def __init__(self, url: str, *, audit_anchor: AnchorFile | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self.audit_anchor: AnchorFile | None = None
        if audit_anchor is not None:
            self.keep_audit_anchor(audit_anchor)

    def keep_audit_anchor(self, anchor: AnchorFile) -> None:
        """Keep the audit chain's anchor in ``anchor`` from now on."""
        keep_anchor(self._factory, anchor)
        self.audit_anchor = anchor

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit when the block ends, roll back if it raises."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self, revision: str = "heads") -> None:
        """Bring the schema to ``revision`` with alembic."""
        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def downgrade(self, revision: str) -> None:
        """Take the schema back to ``revision`` with alembic."""
        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

    def current_revision(self) -> str | None:
        """The alembic revision(s) the database is at, comma-joined; ``None`` if never migrated."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return ",".join(sorted(found)) or None

    def ping(self) -> bool:
        """True if the database answers ``SELECT 1``."""
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def head_revision() -> str:
    """The newest migration revision(s), comma-joined like :meth:`Database.current_revision`."""
    from alembic.script import ScriptDirectory

    return ",".join(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


def alembic_config(url: str) -> Config:
    """An alembic config pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
