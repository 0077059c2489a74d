"""A second synthetic plant, unlike the demo, for tests that must not lean on the demo's names.

Its processes (riveting force/displacement whose x goes back on retraction, a leak test's
pressure over time, spot-weld current over time, crimping force over crank angle) have their
own axes, units, 150 to 20,000 points per curve, 2 to 8 stations each and their own defect
modes. :func:`curve_table` and :func:`parts_table` give the rows in the documented import
format (Arrow tables: write them as CSV or Parquet, or send them to the ingest API).
Everything is vectorised with numpy and seeded, so a test gets the same plant every time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


@dataclass(frozen=True)
class PlantProcess:
    """One process of the test plant: axes, point counts, stations and defect modes."""

    name: str
    x_name: str
    x_unit: str
    y_name: str
    y_unit: str
    points: tuple[int, int]
    stations: tuple[str, ...]
    defects: tuple[str, ...]


PROCESSES: tuple[PlantProcess, ...] = (
    PlantProcess("riveting", "displacement", "mm", "force", "N", (150, 600),
                 ("RV-1", "RV-2", "RV-3", "RV-4"), ("short rivet", "hole misaligned")),
    PlantProcess("leak-test", "time", "s", "pressure", "mbar", (2_000, 20_000),
                 ("LT-A", "LT-B"), ("gross leak", "fine leak")),
    PlantProcess("spot-weld", "time", "ms", "current", "A", (300, 3_000),
                 tuple(f"SW-{i:02d}" for i in range(1, 9)), ("expulsion", "cold weld")),
    PlantProcess("crimping", "crank angle", "deg", "force", "kgf", (360, 720),
                 ("CR-L", "CR-R", "CR-X"), ("open crimp", "wire missing")),
)
LINES: tuple[str, ...] = ("Hall North", "Hall South")
PRODUCTS: tuple[str, ...] = ("RX-7 rail bracket", "HV-2 valve body")
BATCHES: tuple[str, ...] = ("L-0031", "L-0032", "L-0033")
#: Share of curves with a defect (NOK), split evenly over the process's defect modes.
NOK_RATE = 0.12


def process(name: str) -> PlantProcess:
    """The test plant's process called ``name``."""
    return next(p for p in PROCESSES if p.name == name)


def plant_names() -> set[str]:
    """Every name the test plant uses (processes, axes, stations, lines, products, modes)."""
    names = {*LINES, *PRODUCTS}
    for p in PROCESSES:
        names |= {p.name, p.x_name, p.y_name, *p.stations, *p.defects}
    return names


def _shape(p: PlantProcess, t: np.ndarray, k: np.ndarray, mode: np.ndarray,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every sample; ``t`` runs 0..1 within each curve, ``k`` is the curve index
    of each sample and ``mode`` each curve's mode (0 OK, 1.. its defects)."""
    level = rng.normal(1.0, 0.03, mode.size)[k]
    bad = mode[k]
    noise = rng.normal(0.0, 0.004, t.size)
    if p.name == "riveting":  # displacement goes up to the stroke and back (retraction)
        stroke = np.where(bad == 1, 4.2, 5.0) * level
        x = stroke * np.where(t < 0.7, t / 0.7, 1 - (t - 0.7) / 0.3 * 0.8)
        y = 9000 * level * np.where(t < 0.7, (t / 0.7) ** 2, np.clip(1 - (t - 0.7) / 0.1, 0, 1))
        y = y * np.where(bad == 2, 0.8, 1.0) + 60 * noise * 100
        return x, y
    if p.name == "leak-test":  # fill, settle, decay; a leak decays faster
        x = 60.0 * t
        decay = np.choose(bad, [0.02, 0.6, 0.15])
        fill = np.clip(t / 0.1, 0, 1)
        y = 2000 * level * fill * np.exp(-decay * np.clip(t - 0.1, 0, None)) + 2 * noise * 100
        return x, y
    if p.name == "spot-weld":  # current pulse; expulsion spikes, cold weld is low
        x = 400.0 * t
        pulse = np.clip(np.sin(np.pi * np.clip((t - 0.05) / 0.9, 0, 1)), 0, None) ** 0.3
        y = 9500 * level * pulse * np.where(bad == 2, 0.7, 1.0)
        y = y + np.where((bad == 1) & (np.abs(t - 0.6) < 0.02), 4000, 0) + 30 * noise * 100
        return x, y
    x = 360.0 * t + 90  # crimping: force over crank angle, peak at bottom dead centre
    y = 850 * level * np.exp(-((t - 0.5) / 0.08) ** 2) * np.choose(bad, [1.0, 0.55, 0.3])
    return x, y + 4 * noise * 100


def curve_table(*, curves: int = 12, seed: int = 19, end: datetime | None = None,
                days: float = 3.0, processes: tuple[PlantProcess, ...] = PROCESSES,
                serial_prefix: str = "TP") -> pa.Table:
    """``curves`` curves of each process in the import format (one row per sample, text
    and number columns), spread over the ``days`` before ``end`` (default: now)."""
    rng = np.random.default_rng(seed)
    end = end or datetime.now(UTC).replace(microsecond=0)
    tables = []
    for n_proc, p in enumerate(processes):
        n = rng.integers(p.points[0], p.points[1] + 1, curves)
        n[0], n[-1] = p.points  # both ends of the range appear
        mode = np.where(rng.random(curves) < NOK_RATE, rng.integers(1, len(p.defects) + 1,
                                                                    curves), 0)
        k = np.repeat(np.arange(curves), n)
        starts = np.concatenate(([0], np.cumsum(n)[:-1]))
        idx = np.arange(n.sum()) - starts[k]
        t = idx / (n[k] - 1)
        x, y = _shape(p, t, k, mode, rng)
        offsets = np.sort(rng.uniform(0, days * 86400, curves))[::-1]
        stamps = [(end - timedelta(seconds=float(s))).strftime("%Y-%m-%dT%H:%M:%SZ")
                  for s in offsets]
        part = np.arange(curves)
        text = {
            "serial": [f"{serial_prefix}-{i:05d}" for i in part],
            "process": [p.name] * curves, "ts": stamps,
            "line": [LINES[i % len(LINES)] for i in part],
            "station": [p.stations[(i + n_proc) % len(p.stations)] for i in part],
            "product": [PRODUCTS[(i // 3) % len(PRODUCTS)] for i in part],
            "batch": [BATCHES[i % len(BATCHES)] for i in part],
            "result": ["NOK" if m else "OK" for m in mode],
            "defect_mode": [p.defects[m - 1] if m else "" for m in mode],
            "x_unit": [p.x_unit] * curves, "y_unit": [p.y_unit] * curves,
            "x_name": [p.x_name] * curves, "y_name": [p.y_name] * curves,
        }
        columns = {name: pa.array(values, pa.string()).take(pa.array(k))
                   for name, values in text.items()}
        columns |= {"idx": pa.array(idx.astype(np.int64)),
                    "x": pa.array(x.astype(np.float64)), "y": pa.array(y.astype(np.float64))}
        tables.append(pa.table(columns))
    return pa.concat_tables(tables)


def parts_table(curves: pa.Table) -> pa.Table:
    """One part per serial of ``curves``: NOK with the first defect mode of its curves."""
    first = curves.group_by("serial").aggregate([
        ("ts", "max"), ("line", "min"), ("station", "min"), ("product", "min"),
        ("batch", "min"), ("result", "min"), ("defect_mode", "max")])
    nok = [r == "NOK" for r in first["result_min"].to_pylist()]
    return pa.table({
        "serial": first["serial"], "ts": first["ts_max"], "line": first["line_min"],
        "station": first["station_min"], "product": first["product_min"],
        "batch": first["batch_min"],
        "shift": pa.array(["A"] * first.num_rows, pa.string()),
        "result": pa.array(["NOK" if b else "OK" for b in nok], pa.string()),
        "first_pass": pa.array(["0" if b else "1" for b in nok], pa.string()),
        "defect_mode": first["defect_mode_max"]})


def to_csv(table: pa.Table) -> bytes:
    """The table as a CSV file with a header."""
    out = io.BytesIO()
    pacsv.write_csv(table, out)
    return out.getvalue()


def to_parquet(table: pa.Table) -> bytes:
    """The table as a Parquet file."""
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()
