"""The demo plant data: generated shapes and rates, and the idempotent loader on real chDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from data.analytics.ch_schema import ALL_TABLES, TIME_TABLES
from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.demo.curves import (
    PEAK_FORCE_OK,
    PRESS_FIT,
    PROCESS_SPECS,
    PROCESSES,
    SCREW_DRIVING,
    TEMPERATURE,
    CurveArrays,
    generate_curves,
)
from services.demo.plant import (
    DEMO_SIZES,
    PRODUCTS,
    DemoLoadReport,
    iter_demo_tables,
    load_demo,
)

NOW = datetime(2026, 11, 25, 7, tzinfo=UTC)
SMALL = DEMO_SIZES["small"]
DEMO_DB = "test_demo_small"


@pytest.fixture(scope="module")
def now() -> datetime:
    """The demo end: the current hour, so the tables' retention TTL never deletes a row."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def demo(ch: ClickHouse, now: datetime) -> Iterator[DemoLoadReport]:
    """The small demo, loaded once into its own database for the read-only tests."""
    ch.command(f"DROP DATABASE IF EXISTS {DEMO_DB}")
    yield load_demo(ch, DEMO_DB, size="small", now=now)
    ch.command(f"DROP DATABASE IF EXISTS {DEMO_DB}")


def _collect(seed: int = 7) -> dict[str, pa.Table]:
    found: dict[str, list[pa.Table]] = {}
    for name, table in iter_demo_tables("small", now=NOW, seed=seed):
        found.setdefault(name, []).append(table)
    return {name: pa.concat_tables(tables) for name, tables in found.items()}


def _count(ch: ClickHouse, sql: str) -> int:
    return int(ch.scalar(sql.format(db=DEMO_DB)))


def _by_mode(process: str, per_mode: int = 25, seed: int = 3) -> tuple[np.ndarray, CurveArrays]:
    modes = np.repeat(np.arange(len(PROCESS_SPECS[process].modes)), per_mode)
    return modes, generate_curves(process, modes, np.random.default_rng(seed))


def test_load_reports_the_rows_it_wrote(ch: ClickHouse, demo: DemoLoadReport) -> None:
    assert not demo.skipped
    for table in ALL_TABLES:
        assert demo.rows[table] == _count(ch, f"SELECT count() FROM {{db}}.{table}"), table
    assert demo.rows["parts"] == SMALL.press_fit
    assert demo.rows["alerts"] == 0
    assert demo.samples == _count(ch, "SELECT sum(n_points) FROM {db}.curves")
    assert demo.generate_seconds + demo.insert_seconds <= demo.seconds


def test_curve_counts_follow_the_routes(ch: ClickHouse, demo: DemoLoadReport) -> None:
    counts = dict(ch.rows(f"SELECT process, count() FROM {DEMO_DB}.curves GROUP BY process"))
    assert counts[PRESS_FIT] == SMALL.press_fit
    # A part goes on to the next station of its route unless the last one rejected it (NOK),
    # so a station holds exactly the curves of the parts the station before passed on.
    routes = ((PRESS_FIT, SCREW_DRIVING, PRODUCTS[:2]), (SCREW_DRIVING, TEMPERATURE, PRODUCTS[:1]))
    for before, station, products in routes:
        passed_on = ch.scalar(f"SELECT count() FROM {DEMO_DB}.curves WHERE process = {{p:String}}"
                              " AND result != 'NOK' AND has({products:Array(String)}, product)",
                              parameters={"p": before, "products": list(products)})
        assert counts[station] == passed_on, station
    assert 0 < counts[TEMPERATURE] <= SMALL.temperature < counts[SCREW_DRIVING]
    assert counts[SCREW_DRIVING] <= SMALL.screw_driving
    features = dict(ch.rows(f"SELECT process, uniqExact(feature) FROM {DEMO_DB}.curve_features"
                            " GROUP BY process"))
    assert features == {p: len(PROCESS_SPECS[p].features) for p in PROCESSES}


def test_generated_columns_are_the_schema_columns(ch: ClickHouse, demo: DemoLoadReport,
                                                  now: datetime) -> None:
    seen: set[str] = set()
    for name, table in iter_demo_tables("small", now=now):
        if name in seen:
            continue
        seen.add(name)
        columns = ch.rows("SELECT name FROM system.columns WHERE database = {db:String}"
                          " AND table = {t:String} ORDER BY position",
                          parameters={"db": DEMO_DB, "t": name})
        assert table.column_names == [c[0] for c in columns], name
    assert seen == set(TIME_TABLES) - {"alerts"}


def test_ids_and_serials_are_unique(ch: ClickHouse, demo: DemoLoadReport) -> None:
    assert _count(ch, "SELECT uniqExact(serial) FROM {db}.parts") == SMALL.press_fit
    assert _count(ch, "SELECT uniqExact(part_id) FROM {db}.parts") == SMALL.press_fit
    assert _count(ch, "SELECT uniqExact(curve_id) FROM {db}.curves") == demo.rows["curves"]
    assert _count(ch, "SELECT count() FROM {db}.curves WHERE part_id NOT IN"
                      " (SELECT part_id FROM {db}.parts)") == 0
    assert _count(ch, "SELECT count() FROM {db}.curves c JOIN {db}.parts p USING part_id"
                      " WHERE c.serial != p.serial OR c.batch != p.batch") == 0
    assert ch.scalar(f"SELECT serial FROM {DEMO_DB}.parts ORDER BY part_id LIMIT 1").startswith(
        "LC-")


def test_samples_are_complete_and_indexed(ch: ClickHouse, demo: DemoLoadReport) -> None:
    assert _count(ch, "SELECT count() FROM (SELECT curve_id, count() AS n, max(idx) AS top"
                      " FROM {db}.curve_samples GROUP BY curve_id) s"
                      " JOIN {db}.curves c USING curve_id"
                      " WHERE s.n != c.n_points OR s.top + 1 != c.n_points") == 0
    sizes = ch.rows(f"SELECT process, min(n_points), max(n_points), avg(n_points)"
                    f" FROM {DEMO_DB}.curves GROUP BY process")
    bounds = {p: PROCESS_SPECS[p].points for p in PROCESSES}
    for process, low, high, _ in sizes:
        assert bounds[process][0] <= low <= high <= bounds[process][1]


def test_everything_lies_in_the_last_90_days(ch: ClickHouse, demo: DemoLoadReport,
                                              now: datetime) -> None:
    for table in TIME_TABLES[:-1]:
        low, high = ch.rows(f"SELECT min(ts), max(ts) FROM {DEMO_DB}.{table}")[0]
        assert now - timedelta(days=90) <= low.replace(tzinfo=UTC) < high.replace(
            tzinfo=UTC) <= now, table


def test_results_modes_and_rates_are_plausible(ch: ClickHouse, demo: DemoLoadReport) -> None:
    # Rates are drawn, so they are checked on a fixed end (the loaded demo ends this hour, and
    # a few parts more or less from one hour to the next must not fail the test).
    results = _collect()["parts"].column("result").to_pylist()
    assert 0.01 <= results.count("NOK") / SMALL.press_fit <= 0.10
    assert 0.005 <= results.count("WARNING") / SMALL.press_fit <= 0.08
    assert _count(ch, "SELECT count() FROM {db}.parts"
                      " WHERE (result = 'OK') != (defect_mode = '')") == 0
    assert _count(ch, "SELECT count() FROM {db}.curves"
                      " WHERE (result = 'OK') != (defect_mode = '')") == 0
    assert _count(ch, "SELECT count() FROM {db}.parts WHERE first_pass = 0") > 0
    assert _count(ch, "SELECT count() FROM {db}.parts WHERE first_pass = 0 AND result != 'OK'") == 0
    press_modes = {m for (m,) in ch.rows(f"SELECT DISTINCT defect_mode FROM {DEMO_DB}.curves"
                                         " WHERE result = 'NOK' AND process = 'press-fit'")}
    assert press_modes <= set(PROCESS_SPECS[PRESS_FIT].modes[2:]) and len(press_modes) >= 2


def test_a_part_is_judged_by_its_worst_curve(ch: ClickHouse, demo: DemoLoadReport) -> None:
    assert _count(ch, "SELECT count() FROM {db}.parts p JOIN (SELECT part_id,"
                      " max(toUInt8(result)) AS worst FROM {db}.curves GROUP BY part_id) w"
                      " USING part_id WHERE toUInt8(p.result) != w.worst") == 0
    assert _count(ch, "SELECT count() FROM {db}.parts p JOIN {db}.curves c"
                      " ON c.part_id = p.part_id AND c.station = p.station"
                      " WHERE p.result != 'OK' AND c.result != p.result") == 0
    assert _count(ch, "SELECT count() FROM {db}.curves WHERE part_id IN (SELECT part_id"
                      " FROM {db}.curves WHERE result = 'NOK' AND process = 'press-fit')"
                      " AND process != 'press-fit'") == 0


def test_ok_press_fit_curves_peak_in_band_with_rising_stroke(ch: ClickHouse,
                                                             demo: DemoLoadReport) -> None:
    low, high = ch.rows(f"SELECT min(y_max), max(y_max) FROM {DEMO_DB}.curves"
                        " WHERE process = 'press-fit' AND result = 'OK'")[0]
    assert PEAK_FORCE_OK[0] <= low <= high <= PEAK_FORCE_OK[1]
    assert _count(ch, "SELECT count() FROM (SELECT arraySort((x, i) -> i, groupArray(x),"
                      " groupArray(idx)) AS xs FROM {db}.curve_samples"
                      " WHERE process = 'press-fit' GROUP BY curve_id)"
                      " WHERE NOT arrayAll((a, b) -> a < b, arrayPopBack(xs),"
                      " arrayPopFront(xs))") == 0
    assert _count(ch, "SELECT count() FROM {db}.curves c JOIN {db}.curve_features f"
                      " USING curve_id WHERE f.feature = 'peak_force'"
                      " AND abs(f.value - c.y_max) > 1e-3") == 0


def test_press_fit_defect_shapes() -> None:
    modes, curves = _by_mode(PRESS_FIT)
    peak, knee = curves.features["peak_force"], curves.features["knee_position"]
    ok = modes == 0
    assert (curves.result[ok] == 0).all() and (curves.result[modes >= 2] == 2).all()
    assert (curves.result[modes == 1] == 1).all()
    assert (peak[modes == 2] < 2.0).all()  # missing part: the force stays low
    assert (peak[modes == 3] > PEAK_FORCE_OK[1]).all()  # oversize: too high …
    assert knee[modes == 3].max() < knee[ok].min()  # … and early
    assert (curves.features["final_position"][modes == 4] < 11.9).all()  # tilted: not seated
    lifted = curves.y + np.repeat(np.arange(len(modes)) * 1000.0, curves.n_points)
    drop = np.maximum.reduceat(np.maximum.accumulate(lifted) - lifted, curves.starts)
    assert drop[ok].max() < 1.0 < 2.0 < drop[modes == 4].min()  # tilted: the force falls back


def test_screw_driving_defect_shapes() -> None:
    modes, curves = _by_mode(SCREW_DRIVING)
    f, ok = curves.features, modes == 0
    assert (f["final_torque"][ok] > 8.0).all() and (f["final_torque"][ok] < 9.0).all()
    assert f["snug_angle"][modes == 2].max() < np.nanmin(f["snug_angle"][ok])  # cross-thread
    assert (f["final_torque"][modes == 3] < 0.5 * f["peak_torque"][modes == 3]).all()  # stripped
    missing = modes == 4  # the spindle turns freely: no torque, no snug point
    assert (f["peak_torque"][missing] < 0.5).all() and np.isnan(f["snug_angle"][missing]).all()


def test_temperature_defect_shapes() -> None:
    modes, curves = _by_mode(TEMPERATURE)
    f, ok = curves.features, modes == 0
    assert (f["max_temperature"][modes == 2] > 170).all()  # oven overshoot
    assert f["soak_time"][modes == 3].max() < f["soak_time"][ok].min()  # short soak
    first = curves.y[curves.starts]
    assert (first[ok] < 40).all() and (f["max_temperature"][ok] < 166).all()


def test_measurements_agree_with_the_curves(ch: ClickHouse, demo: DemoLoadReport) -> None:
    rows = ch.rows(f"SELECT c.defect_mode, m.characteristic, m.value > m.usl, m.value < m.lsl"
                   f" FROM {DEMO_DB}.measurements m JOIN {DEMO_DB}.curves c"
                   f" ON c.part_id = m.part_id AND c.station = m.station"
                   f" WHERE c.result = 'NOK'")
    for mode, characteristic, above, below in rows:
        if (mode, characteristic) == ("oversize part", "pin_diameter"):
            assert above
        if (mode, characteristic) == ("tilted press-in", "press_depth"):
            assert below


def test_parts_are_made_while_the_line_runs(ch: ClickHouse, demo: DemoLoadReport) -> None:
    states = dict(ch.rows(f"SELECT toString(state), count() FROM {DEMO_DB}.production_events"
                          " GROUP BY state"))
    assert set(states) == {"running", "stopped", "changeover"}
    assert _count(ch, "SELECT count() FROM {db}.curves c ASOF JOIN (SELECT * FROM"
                      " {db}.production_events WHERE station = 'OP10 Press-fit') e"
                      " ON c.line = e.line AND c.ts >= e.ts"
                      " WHERE c.process = 'press-fit' AND e.state != 'running'") == 0


def test_hourly_yield_view_matches_parts(ch: ClickHouse, demo: DemoLoadReport) -> None:
    view = ch.rows(f"SELECT line, station, product, sum(parts), sum(ok), sum(warning), sum(nok),"
                   f" sum(first_pass_ok) FROM {DEMO_DB}.hourly_yield"
                   " GROUP BY line, station, product ORDER BY line, station, product")
    parts = ch.rows(f"SELECT line, station, product, count(), countIf(result = 'OK'),"
                    f" countIf(result = 'WARNING'), countIf(result = 'NOK'),"
                    f" countIf(result = 'OK' AND first_pass = 1) FROM {DEMO_DB}.parts"
                    " GROUP BY line, station, product ORDER BY line, station, product")
    assert view == parts and len(view) > 3


def test_same_seed_same_data_other_seed_other_data() -> None:
    first, again, other = _collect(), _collect(), _collect(seed=8)
    assert first.keys() == again.keys()
    for name in first:
        assert first[name].equals(again[name]), name
    assert not first["curve_samples"].equals(other["curve_samples"])
    assert not first["parts"].equals(other["parts"])


def test_second_load_skips(ch: ClickHouse, demo: DemoLoadReport, now: datetime) -> None:
    again = load_demo(ch, DEMO_DB, size="small", now=now)
    assert again.skipped
    assert again.rows == demo.rows and again.samples == demo.samples


def test_partial_demo_is_reloaded_without_duplicates(ch: ClickHouse, ch_database: str,
                                                     now: datetime) -> None:
    first = load_demo(ch, ch_database, size="small", now=now)
    newest = ch.scalar("SELECT max(partition_id) FROM system.parts WHERE active"
                       " AND database = {db:String} AND table = 'parts'",
                       parameters={"db": ch_database})
    for damage in (f"ALTER TABLE {{db}}.parts DROP PARTITION ID '{newest}'",  # some parts lost
                   "TRUNCATE TABLE {db}.parts"):  # the load stopped before the parts table
        ch.command(damage.format(db=ch_database))
        assert 0 <= int(ch.scalar(f"SELECT count() FROM {ch_database}.parts")) < SMALL.press_fit
        again = load_demo(ch, ch_database, size="small", now=now)
        assert not again.skipped
        assert again.rows == first.rows
        for table in ALL_TABLES:
            count = int(ch.scalar(f"SELECT count() FROM {ch_database}.{table}"))
            assert count == first.rows[table], table
        yield_parts = ch.scalar(f"SELECT sum(parts) FROM {ch_database}.hourly_yield")
        assert int(yield_parts) == SMALL.press_fit


def test_bad_input_is_refused_before_anything_is_written(ch: ClickHouse,
                                                         ch_database: str) -> None:
    with pytest.raises(ValidationError) as bad_size:
        load_demo(ch, ch_database, size="huge")
    assert bad_size.value.user_message == "Unknown demo size 'huge'; use one of: full, small."
    with pytest.raises(ValidationError) as naive:
        load_demo(ch, ch_database, size="small", now=datetime(2026, 1, 1))
    assert naive.value.user_message == "The demo end time must be timezone-aware (UTC)."
    assert ch.scalar("SELECT count() FROM system.databases WHERE name = {db:String}",
                     parameters={"db": ch_database}) == 0
