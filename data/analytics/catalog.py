"""What one cluster's own data holds: processes with their axes, lines, stations, products,
features with their units, results and defect modes (aggregates over DISTINCT values).

Every function takes a cluster session (``.rows`` and a validated ``.database``); values
are bound as parameters and the only text put into SQL is the database name.
"""

from __future__ import annotations

from typing import Any, Protocol

from data.analytics.clickhouse import validate_identifier


class Session(Protocol):
    """What these queries need: a database name and parameterised ``rows``."""

    @property
    def database(self) -> str: ...

    def rows(self, sql: str, *, parameters: Any = None, settings: Any = None) -> Any: ...


#: Bounds of a catalog read: no plant has more names than this of one kind.
MAX_NAMES = 2000
_SETTINGS = {"max_execution_time": 20}


def _db(session: Session) -> str:
    return validate_identifier(session.database)


def processes(session: Session) -> list[tuple[Any, ...]]:
    """Per process: (name, x name, x unit, y name, y unit, curves, stations, lines), the
    axis names and units being the most frequent ones of its curves."""
    return list(session.rows(
        "SELECT toString(process), topK(1)(x_name)[1], topK(1)(x_unit)[1], "
        "topK(1)(y_name)[1], topK(1)(y_unit)[1], count(), "
        "arraySort(groupUniqArray(toString(station))), arraySort(groupUniqArray(toString(line)))"
        f" FROM {_db(session)}.curves GROUP BY process ORDER BY process "
        "LIMIT {n:UInt32}", parameters={"n": MAX_NAMES}, settings=_SETTINGS))


def places(session: Session) -> list[tuple[str, str, str]]:
    """Every (line, station, product) combination recorded in parts or curves."""
    db = _db(session)
    rows = session.rows(
        "SELECT line, station, product FROM (SELECT DISTINCT toString(line) AS line, "
        f"toString(station) AS station, toString(product) AS product FROM {db}.parts "
        "UNION DISTINCT SELECT DISTINCT toString(line), toString(station), toString(product) "
        f"FROM {db}.curves) ORDER BY line, station, product LIMIT {{n:UInt32}}",
        parameters={"n": MAX_NAMES}, settings=_SETTINGS)
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def features(session: Session) -> list[tuple[str, str, str, int]]:
    """Per (process, feature): the most frequent unit and how many values it has."""
    rows = session.rows(
        "SELECT toString(process), toString(feature), topK(1)(toString(unit))[1], count() "
        f"FROM {_db(session)}.curve_features GROUP BY process, feature "
        "ORDER BY process, feature LIMIT {n:UInt32}", parameters={"n": MAX_NAMES},
        settings=_SETTINGS)
    return [(str(p), str(f), str(u), int(n)) for p, f, u, n in rows]


def outcomes(session: Session) -> list[tuple[str, str, int]]:
    """(result, defect mode, count) over parts and curves (``''``: no defect mode)."""
    db = _db(session)
    rows = session.rows(
        "SELECT r, m, count() FROM (SELECT toString(result) AS r, toString(defect_mode) AS m "
        f"FROM {db}.parts UNION ALL SELECT toString(result), toString(defect_mode) "
        f"FROM {db}.curves) GROUP BY r, m ORDER BY r, m LIMIT {{n:UInt32}}",
        parameters={"n": MAX_NAMES}, settings=_SETTINGS)
    return [(str(r), str(m), int(n)) for r, m, n in rows]
