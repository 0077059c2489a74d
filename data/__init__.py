"""The only package that talks to ClickHouse or SQLAlchemy."""
