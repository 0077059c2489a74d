"""Drive clickhouse-sqlalchemy + pandas against a cluster's connection (run in .venv-clients).

Arguments: the SQLAlchemy URL (``clickhouse+http://user:secret@host:port/database``) and the
name of another cluster's database. Prints what the client saw as one JSON object.
"""

from __future__ import annotations

import json
import sys

import pandas as pd
from sqlalchemy import create_engine, inspect, text


def main(url: str, other: str) -> None:
    """Read with pandas, list and describe tables, and try another cluster's database."""
    engine = create_engine(url)
    seen: dict[str, object] = {}
    frame = pd.read_sql(text("SELECT id, value, label FROM readings ORDER BY id"), engine)
    seen["rows"] = frame.to_dict("records")
    inspector = inspect(engine)
    seen["tables"] = inspector.get_table_names()
    seen["has_table"] = inspector.has_table("readings")
    seen["columns"] = [column["name"] for column in inspector.get_columns("readings")]
    try:
        pd.read_sql(text(f"SELECT * FROM {other}.readings"), engine)
        seen["other"] = "read"
    except Exception as exc:  # noqa: BLE001 - the refusal's text is what the test checks
        seen["other"] = str(exc)[:400]
    print(json.dumps(seen, default=str))  # noqa: T201 - the test reads standard output


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
