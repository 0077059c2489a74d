"""Labelled curves from the UCR/UEA time-series archive, as the ``aeon`` wheel ships them
(``aeon/datasets/data/<Name>/<Name>_TRAIN.ts`` and ``_TEST.ts``), and the known-answer
arithmetic of the archive outlier bench (``bench/outliers_archive.py``): pick OK and defect
curves, rank them by the two baselines, score a ranking by precision@k.

The ``.ts`` reader is deliberately small: univariate series of one length, no missing values,
one class label after the last ``:`` (what the sets used here are); anything else is refused
with a ``ValueError`` naming the line."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Where a set's files sit inside the aeon wheel.
WHEEL_DATA = "aeon/datasets/data"


@dataclass(frozen=True)
class Labelled:
    """Equal-length series (``values[series, sample]``) and their class labels."""

    name: str
    values: np.ndarray
    labels: list[str]

    def of_class(self, label: str) -> np.ndarray:
        """The series of one class, in file order."""
        return self.values[[i for i, c in enumerate(self.labels) if c == label]]

    def class_sizes(self) -> dict[str, int]:
        """How many series each class has."""
        sizes: dict[str, int] = {}
        for label in self.labels:
            sizes[label] = sizes.get(label, 0) + 1
        return sizes


def parse_ts(text: str, *, name: str = "") -> Labelled:
    """A univariate, equal-length, labelled ``.ts`` file's series (header lines start with
    ``@``, comments with ``#``; after ``@data`` one series a line: values separated by
    commas, then ``:label``)."""
    rows: list[list[float]] = []
    labels: list[str] = []
    in_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if line.lower().startswith("@data"):
                in_data = True
            continue
        *dims, label = line.split(":")
        if len(dims) != 1:
            raise ValueError(f"{name} line {number}: expected one dimension and a label.")
        try:
            values = [float(v) for v in dims[0].split(",")]
        except ValueError as exc:
            raise ValueError(f"{name} line {number}: a value is not a number "
                             "(missing values are not supported).") from exc
        if rows and len(values) != len(rows[0]):
            raise ValueError(f"{name} line {number}: {len(values)} values, the first series "
                             f"has {len(rows[0])}.")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} line {number}: missing values are not supported.")
        rows.append(values)
        labels.append(label.strip())
    if not rows:
        raise ValueError(f"{name}: no series after @data.")
    return Labelled(name=name, values=np.asarray(rows, dtype=np.float64), labels=labels)


def read_wheel_set(wheel: Path, name: str) -> Labelled:
    """A set's TRAIN and TEST series together, read from the aeon wheel (a zip file)."""
    with zipfile.ZipFile(wheel) as archive:
        parts = [parse_ts(archive.read(f"{WHEEL_DATA}/{name}/{name}_{part}.ts").decode(),
                          name=f"{name}_{part}") for part in ("TRAIN", "TEST")]
    if parts[0].values.shape[1] != parts[1].values.shape[1]:
        raise ValueError(f"{name}: TRAIN and TEST series differ in length.")
    return Labelled(name=name, values=np.vstack([p.values for p in parts]),
                    labels=parts[0].labels + parts[1].labels)


def pick(data: Labelled, ok_class: str, bad_class: str, *, seed: int, n_ok: int = 100,
         n_bad: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``n_ok`` series of ``ok_class`` (all of them when it has fewer) and ``n_bad`` of
    ``bad_class``, drawn with ``seed`` and shuffled: (values, is_defect)."""
    rng = np.random.default_rng(seed)
    ok, bad = data.of_class(ok_class), data.of_class(bad_class)
    if len(bad) < n_bad:
        raise ValueError(f"{data.name}: class {bad_class} has {len(bad)} series, "
                         f"{n_bad} needed.")
    ok = ok[rng.choice(len(ok), min(n_ok, len(ok)), replace=False)]
    bad = bad[rng.choice(len(bad), n_bad, replace=False)]
    values = np.vstack([ok, bad])
    is_bad = np.r_[np.zeros(len(ok), dtype=bool), np.ones(len(bad), dtype=bool)]
    order = rng.permutation(len(values))
    return values[order], is_bad[order]


def by_peak(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Baseline: series indexes by |peak y − the reference series' median peak|, largest
    first (ties by index)."""
    peak = values.max(axis=1)
    return np.argsort(-np.abs(peak - np.median(peak[reference])), kind="stable")


def by_euclid(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Baseline: series indexes by Euclidean distance to the reference series' pointwise
    median, largest first (ties by index)."""
    median = np.median(values[reference], axis=0)
    return np.argsort(-np.sqrt(((values - median) ** 2).sum(axis=1)), kind="stable")


def precision_at(ranked: list[int] | np.ndarray, defects: set[int], k: int | None = None
                 ) -> float:
    """The share of the first ``k`` (default: as many as there are defects) ranked items
    that are defects."""
    k = len(defects) if k is None else k
    if k <= 0:
        raise ValueError("k must be positive.")
    top = [int(i) for i in list(ranked)[:k]]
    return len(defects.intersection(top)) / k
