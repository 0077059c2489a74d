"""Benchmark: the explorer's outlier ranking on real labelled curves nobody here made.

The UCR/UEA time-series archive sets that the ``aeon`` wheel ships (GunPoint,
ItalyPowerDemand, ArrowHead, OSULeaf; read by ``bench/ucr_archive.py``, the wheel fetched
with ``pip download --no-deps`` into ``bench/.cache``, never installed). For each set and
pair of classes and each seed: 100 curves of one class ("OK"; all of them where the class
has fewer) plus 8 of another, shuffled. Every group goes the way a plant's data goes: the
bench starts the real app (``tests.servers.AppProcess``: gunicorn and the engine service,
no demo data), signs in as the first administrator, creates a cluster through
``POST /api/v1/clusters``, makes an editor API token, sends each group as one Parquet batch
through ``POST /api/v1/clusters/<id>/ingest`` (its own process name, x = the sample number),
then asks ``POST /api/v1/clusters/<id>/outliers`` for the top 8 of that process (the golden
curve built from the filtered OK curves, as the explorer does).

Two ways of labelling: *recorded* (the 8 arrive with result NOK, so the ranking's usual
variation is the OK curves, and the baselines use the OK curves' median) and *unrecorded*
(all arrive as OK: nobody has judged them yet; the baselines use the median of all curves).
precision@8 for ours vs peak y (distance from the median peak) vs Euclidean distance to the
pointwise median, computed here on the same samples. Prints the table and writes the
"## Outlier ranking on archive curves" section of docs/benchmarks.md.

Usage: python bench/outliers_archive.py [seeds=3] [--no-write]
"""

from __future__ import annotations

import io
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdoc import replace_section  # noqa: E402
from ucr_archive import Labelled, by_euclid, by_peak, pick, precision_at, read_wheel_set  # noqa: E402

from tests.servers import AppProcess  # noqa: E402

HEADING = "## Outlier ranking on archive curves"
AEON = "aeon==1.6.0"
CACHE = ROOT / "bench" / ".cache"
#: (set, OK class, defect class): every set with a class of about 100 series, both ways
#: round where both classes are that large.
PAIRS = (("GunPoint", "1", "2"), ("GunPoint", "2", "1"),
         ("ItalyPowerDemand", "1", "2"), ("ItalyPowerDemand", "2", "1"),
         ("ArrowHead", "0", "1"), ("ArrowHead", "0", "2"),
         ("OSULeaf", "4", "2"), ("OSULeaf", "2", "4"))
N_OK, N_BAD = 100, 8
METHODS = ("ours", "peak y", "Euclidean to median")
#: The expected precision of a random order (defects among all curves of the group).
CHANCE = "random order"
MEDIA = "application/vnd.apache.parquet"
RETRIES = 3


def wheel(cache: Path = CACHE) -> Path:
    """The aeon wheel in ``cache`` (downloaded there once, dependencies left out)."""
    found = sorted(cache.glob("aeon-*.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                        ":all:", "-d", str(cache), AEON], check=True)
        found = sorted(cache.glob("aeon-*.whl"))
    return found[-1]


def batch(process: str, values: np.ndarray, is_bad: np.ndarray, *, recorded: bool,
          start: datetime) -> bytes:
    """One group's curves as a Parquet body of the ingest API (serial ``<process>-<i>``)."""
    n, length = values.shape
    curve = np.repeat(np.arange(n), length)
    results = np.where(is_bad & recorded, "NOK", "OK")
    table = pa.table({
        "serial": pa.array([f"{process}-{i:03d}" for i in curve]),
        "process": pa.array([process] * (n * length)),
        "ts": pa.array([start + timedelta(seconds=int(i)) for i in curve],
                       pa.timestamp("ms", tz="UTC")),
        "idx": pa.array(np.tile(np.arange(length), n).astype(np.int32)),
        "x": pa.array(np.tile(np.arange(length, dtype=np.float32), n)),
        "y": pa.array(values.astype(np.float32).ravel()),
        "result": pa.array(results[curve]),
    })
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


class Lab:
    """The running app with one cluster and an editor token to send and rank with."""

    def __init__(self, app: AppProcess) -> None:
        self.url = app.url
        found = [line for line in app.output().splitlines() if "password: " in line]
        assert found, app.output()[-2000:]
        admin = app.signed_in("admin@lyceum.local", found[0].split("password: ")[1].strip())
        with sqlite3.connect(app.instance / "lyceum.db") as db:
            (admin_id,) = db.execute("SELECT id FROM users WHERE email = "
                                     "'admin@lyceum.local'").fetchone()
        made = admin.post(f"{self.url}/api/v1/clusters", timeout=60, json={
            "name": "Archive curves", "cluster_type": "development", "region_code": "local",
            "members": [{"user_id": admin_id, "role": "admin"}]})
        assert made.status_code == 202, made.text
        self.cluster = int(made.json()["id"])
        for _ in range(600):
            status = admin.get(f"{self.url}/api/v1/clusters/{self.cluster}/status",
                               timeout=30).json()["status"]
            if status == "running":
                break
            assert status == "provisioning", status
            time.sleep(0.2)
        token = admin.post(f"{self.url}/api/v1/clusters/{self.cluster}/tokens", timeout=30,
                           json={"name": "archive bench", "role": "editor",
                                 "expires_in_days": 1})
        assert token.status_code == 201, token.text
        self.retried = 0
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token.json()['secret']}"

    def send(self, process: str, body: bytes) -> None:
        """Import one group (one batch, whole or not at all; a batch the engine failed
        under the shared machine's load is sent again under a new batch id, at most
        ``RETRIES`` times)."""
        base = f"{self.url}/api/v1/clusters/{self.cluster}/ingest"
        for attempt in range(RETRIES + 1):
            batch_id = process if not attempt else f"{process}-again{attempt}"
            for _ in range(300):
                sent = self.http.post(base, params={"batch_id": batch_id, "kind": "curves"},
                                      data=body, headers={"Content-Type": MEDIA}, timeout=300)
                if sent.status_code != 429:
                    break
                time.sleep(0.5)
            answer = sent.json() if sent.headers.get("Content-Type", "").startswith(
                "application/json") else {}
            if answer.get("status") == "failed" and attempt < RETRIES:
                print(f"{process}: the batch failed ({answer.get('message')}); again",
                      flush=True)
                self.retried += 1
                continue
            break
        assert sent.status_code == 201 and sent.json()["status"] == "done", sent.text[:500]

    def top(self, process: str, n_curves: int, k: int) -> tuple[list[str], list[str], float]:
        """The serials and reasons of the first ``k`` of the explorer's ranking of
        ``process`` (waiting until all ``n_curves`` are in), and the route's seconds."""
        url = f"{self.url}/api/v1/clusters/{self.cluster}/outliers"
        for _ in range(600):
            began = time.perf_counter()
            answer = self.http.post(url, params={"limit": k}, timeout=300,
                                    json={"filter": {"process": process}})
            seconds = time.perf_counter() - began
            body: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
            if body.get("total") == n_curves:
                items = body["items"]
                return [i["serial"] for i in items], [i["reason"] for i in items], seconds
            time.sleep(0.2)
        raise AssertionError(f"{process}: the ranking never had {n_curves} curves: "
                             f"{answer.status_code} {answer.text[:300]}")


def measure(lab: Lab, sets: dict[str, Labelled], seeds: int) -> dict[str, Any]:
    """precision@8 per (set, pair, labelling) for every method, mean over the seeds, and
    the reasons the ranking gave for its first found defect per set."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    reasons: dict[str, str] = {}
    route_s: list[float] = []
    for seed in range(seeds):
        for name, ok_class, bad_class in PAIRS:
            values, is_bad = pick(sets[name], ok_class, bad_class, seed=seed, n_ok=N_OK,
                                  n_bad=N_BAD)
            defects = set(np.flatnonzero(is_bad).tolist())
            for recorded in (True, False):
                process = f"{name.lower()}-{ok_class}v{bad_class}-s{seed}-" \
                          f"{'r' if recorded else 'u'}"
                lab.send(process, batch(process, values, is_bad, recorded=recorded,
                                        start=start))
                serials, words, seconds = lab.top(process, len(values), N_BAD)
                route_s.append(seconds)
                ours = [int(s.rsplit("-", 1)[1]) for s in serials]
                reference = ~is_bad if recorded else np.ones(len(values), dtype=bool)
                found = {"ours": precision_at(ours, defects),
                         "peak y": precision_at(by_peak(values, reference), defects),
                         "Euclidean to median": precision_at(by_euclid(values, reference),
                                                             defects)}
                found[CHANCE] = N_BAD / len(values)
                key = (f"{name} {ok_class} vs {bad_class}", "recorded" if recorded
                       else "unrecorded")
                for method, value in found.items():
                    rows.setdefault(key, {m: [] for m in (*METHODS, CHANCE)})[method].append(
                        value)
                print(f"{process:32s} " + "  ".join(f"{m} {v:.3f}" for m, v in found.items()),
                      flush=True)
                hit = next((w for i, w in zip(ours, words, strict=True) if i in defects), None)
                if recorded and hit and name not in reasons:
                    reasons[name] = hit
    means = {key: {m: float(np.mean(v)) for m, v in row.items()} for key, row in rows.items()}
    return {"rows": means, "reasons": reasons, "route_s": float(np.median(route_s))}


def _table(rows: dict[tuple[str, str], dict[str, float]], labelling: str) -> list[str]:
    shown = (*METHODS, CHANCE)
    lines = ["| Set: OK class vs defect class | " + " | ".join(shown)
             + " | Ours − best baseline |", "|---" * (len(shown) + 2) + "|"]
    picked = {k[0]: r for k, r in rows.items() if k[1] == labelling}
    for name, row in picked.items():
        margin = row["ours"] - max(row["peak y"], row["Euclidean to median"])
        lines.append(f"| {name} | " + " | ".join(f"{row[m]:.2f}" for m in shown)
                     + f" | {margin:+.2f} |")
    mean = {m: float(np.mean([r[m] for r in picked.values()])) for m in shown}
    margin = mean["ours"] - max(mean["peak y"], mean["Euclidean to median"])
    lines.append(f"| **mean over the {len(picked)} pairs** | "
                 + " | ".join(f"**{mean[m]:.2f}**" for m in shown) + f" | **{margin:+.2f}** |")
    return lines


def _verdict(rows: dict[tuple[str, str], dict[str, float]]) -> str:
    """Whether ours beats the better baseline on average, and how close to chance the
    methods are, in one sentence."""
    parts, near = [], set()
    for labelling in ("recorded", "unrecorded"):
        picked = [r for k, r in rows.items() if k[1] == labelling]
        mean = {m: float(np.mean([r[m] for r in picked])) for m in (*METHODS, CHANCE)}
        margin = mean["ours"] - max(mean["peak y"], mean["Euclidean to median"])
        parts.append(f"{labelling} {margin:+.2f}")
        near |= {k[0] for k, r in rows.items() if k[1] == labelling
                 and max(r[m] for m in METHODS) <= 2 * r[CHANCE]}
    beaten = all(float(p.split()[1]) > 0 for p in parts)
    return ("Ours − the better baseline, mean over the pairs: " + ", ".join(parts) + ": on "
            "these curves the ranking " + ("beats" if beaten else "does **not** beat")
            + " the obvious. " + (f"On {len(near)} of the {len({k[0] for k in rows})} "
                                  "pairs no method finds more than twice what a random order "
                                  "finds: those classes differ less than each class varies."
                                  if near else ""))


def section(result: dict[str, Any], sets: dict[str, Labelled], seeds: int) -> str:
    """The docs/benchmarks.md section."""
    sizes = "; ".join(f"{name} ({len(d.labels)} series of {d.values.shape[1]} samples, "
                      "classes " + ", ".join(f"{c}: {n}" for c, n in
                                             sorted(d.class_sizes().items())) + ")"
                      for name, d in sets.items())
    lines = [HEADING, "",
             "`bench/outliers_archive.py` ranks real labelled curves that nobody here made: "
             "sets of the UCR/UEA time-series archive as the `aeon` wheel ships them "
             f"(`{AEON}`, fetched with `pip download --no-deps` into `bench/.cache`, read by "
             f"`bench/ucr_archive.py`): {sizes}. Each group is {N_OK} series of one class "
             f"(all of them where the class has fewer) plus {N_BAD} of another, shuffled; "
             f"mean of {seeds} seeds per row. Every group goes in through the ingest API of "
             "the running app (`tests.servers.AppProcess`; a cluster made by "
             "`POST /api/v1/clusters`, an editor API token, one Parquet batch per group, its "
             "own process, x = the sample number) and is ranked by "
             "`POST /api/v1/clusters/<id>/outliers` (the golden curve built from the "
             "filtered OK curves); the baselines are computed by the bench on the same "
             "samples: peak y (distance from the median peak) and Euclidean distance to the "
             "pointwise median. The archive's series are z-normalised one by one, so level "
             "and gain carry no information here: a defect is a different shape. *Random order* "
             "is the share of defects in the group (what ranking at random finds). Measured "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, 2 "
             "CPUs shared with other agents (the precision does not depend on the load; the "
             f"outlier route's median answer time was {result['route_s'] * 1000:.0f} ms for "
             f"{N_OK + N_BAD} curves).", "",
             f"**Recorded**: the {N_BAD} arrive as NOK, so the ranking's usual variation is "
             "the OK curves and the baselines use the OK curves' median (precision@8):", "",
             *_table(result["rows"], "recorded"), "",
             "**Unrecorded**: all arrive as OK (nobody has judged them yet); the ranking's "
             "usual variation is every curve and the baselines use the median of all:", "",
             *_table(result["rows"], "unrecorded"), "",
             _verdict(result["rows"]), "",
             "What limits it (each group plotted, OK curves grey and defects red, and looked "
             "at): in ArrowHead and OSULeaf the defects lie inside the OK class's own "
             "spread, and the OK classes have rarer shapes of their own (GunPoint 2, "
             "ArrowHead 0) that every score without labels ranks first; peak y wins on "
             "ArrowHead only because its classes 1 and 2 peak a little higher. GunPoint and "
             "ItalyPowerDemand have fewer samples than the explorer's 256 bins (150 and 24), "
             "so most bins are empty in every curve: the ranking interpolates those "
             "structural gaps before aligning. What finds these defects is the neighbour "
             "score (distance to the 5th nearest usual curve in a projection onto their "
             "principal components); the scores against one centre (shift, level, shape, "
             "noise) mostly rank the OK class's own extremes. The bench was checked too: a "
             "copy of the route's grid and golden curve computed beside it gives the same "
             "mean precision (one pair differed by one curve in one seed), and the 8 are "
             "the other class.", "",
             "The reason shown for the first defect found in each set (seed 0, recorded):", ""]
    lines += [f"- {name}: “{text}”" for name, text in result["reasons"].items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Fetch, import, rank, print, write."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seeds = int(args[0]) if args else 3
    source = wheel()
    sets = {name: read_wheel_set(source, name) for name in dict.fromkeys(p[0] for p in PAIRS)}
    with tempfile.TemporaryDirectory(prefix="lyceum-archive-") as tmp:
        app = AppProcess(Path(tmp) / "instance", env={"LYCEUM_DEMO": "off"})
        try:
            app.start(timeout=300)
            result = measure(Lab(app), sets, seeds)
        except BaseException:
            print(app.output()[-4000:])
            raise
        finally:
            app.stop()
    text = section(result, sets, seeds)
    print(text)
    if "--no-write" not in sys.argv:
        replace_section(HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
