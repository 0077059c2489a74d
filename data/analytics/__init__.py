"""ClickHouse: the cluster databases' schema, queries and inserts (clickhouse-connect)."""
