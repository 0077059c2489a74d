"""The engine service: the embedded engine's data path behind the ClickHouse HTTP interface.

``python -m lyceum engine`` runs :func:`lyceum.engine.server.serve`: one process owns the
chDB data path of the instance and answers ClickHouse clients (clickhouse-connect,
clickhouse-sqlalchemy, ``@clickhouse/client``, curl) and the app itself. The HTTP dialect is
in :mod:`lyceum.engine.protocol` and :mod:`lyceum.engine.bodies`; who may run what is decided
by :mod:`services.gateway.engine_access` and :mod:`services.gateway.engine_statements`; every
chDB call is in :mod:`data.engine_store`.
"""
