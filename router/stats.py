"""The simulator's statistics: a fixed-memory histogram of durations, percentiles, and 95 %
confidence intervals by batch means, with the checks that say when they cannot be trusted."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BATCHES",
    "Histogram",
    "Interval",
    "Percentiles",
    "median_and_p99",
    "relaxation_s",
    "is_loose",
    "run_warnings",
]

BATCHES = 20
# Student's t, 97.5 % quantile, for 1..19 degrees of freedom (two-sided 95 % intervals).
T_975: tuple[float, ...] = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262)
T_975 += (2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093)
# A run shorter than this many relaxation times gives batch means that are not independent.
RELAXATION_TIMES = 1000
# Tail samples per batch below which a per-batch p99 is mostly noise.
MIN_TAIL_PER_BATCH = 50
SATURATED = 0.99
STEADY_SHAPES = ("poisson", "constant")  # batch means assume the rate does not change
# A p99 interval wider than this share of the estimate is too loose to judge by.
LOOSE_SPREAD = 0.1


@dataclass(frozen=True)
class Percentiles:
    """Seconds."""

    p50: float
    p90: float
    p99: float
    p999: float
    mean: float

    def to_ms(self) -> dict:
        return {
            name: round(value * 1000, 3)
            for name, value in (
                ("mean", self.mean),
                ("p50", self.p50),
                ("p90", self.p90),
                ("p99", self.p99),
                ("p999", self.p999),
            )
        }


class Histogram:
    """Durations in log-spaced bins 0.1 % wide from 1 us to 1e6 s, with exact zeros and sum:
    memory stays fixed however long the run, and a percentile is off by < 0.05 %.
    Values are binned in batches: binning a few per poll would cost more than the simulation."""

    LOW_S = 1e-6
    GROWTH = math.log1p(1e-3)
    BINS = math.ceil(math.log(1e6 / LOW_S) / GROWTH) + 1
    BATCH = 1 << 16
    LOG_LOW, PER_GROWTH = math.log(LOW_S), 1.0 / GROWTH  # in place: fewer passes over the values

    def __init__(self) -> None:
        self.counts = np.zeros(self.BINS, dtype=np.int64)
        self.zeros = 0
        self.n = 0
        self.total = 0.0
        self._pending: list[np.ndarray] = []
        self._pending_n = 0

    @classmethod
    def merged(cls, parts: list[Histogram]) -> Histogram:
        whole = cls()
        for part in parts:
            part.flush()
            whole.counts += part.counts
            whole.zeros += part.zeros
            whole.n += part.n
            whole.total += part.total
        return whole

    def add(self, values: np.ndarray) -> None:
        self._pending.append(values)
        self._pending_n += len(values)
        if self._pending_n >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        values = np.concatenate(self._pending)
        self._pending, self._pending_n = [], 0
        positive = values[values >= self.LOW_S]
        self.n += len(values)
        self.zeros += len(values) - len(positive)
        self.total += float(values.sum())
        logs = np.log(positive)
        logs -= self.LOG_LOW
        logs *= self.PER_GROWTH
        index = logs.astype(np.int64)
        np.minimum(index, self.BINS - 1, out=index)
        self.counts += np.bincount(index, minlength=self.BINS)

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile: the value at rank ceil(q / 100 * n)."""
        self.flush()
        rank = max(1, math.ceil(q / 100 * self.n - 1e-9))
        if rank <= self.zeros:
            return 0.0
        i = int(np.searchsorted(np.cumsum(self.counts), rank - self.zeros))
        return self.LOW_S * math.exp((i + 0.5) * self.GROWTH)

    def mean(self) -> float:
        self.flush()
        return self.total / self.n if self.n else 0.0

    def summary(self) -> Percentiles:
        self.flush()
        if not self.n:
            return Percentiles(0.0, 0.0, 0.0, 0.0, 0.0)
        p50, p90, p99, p999 = (self.percentile(q) for q in (50, 90, 99, 99.9))
        return Percentiles(p50, p90, p99, p999, self.mean())


@dataclass(frozen=True)
class Interval:
    """An estimate and its 95 % confidence interval from batch means (None: too few batches)."""

    value: float
    low: float | None
    high: float | None

    @classmethod
    def from_batches(cls, value: float, batches: list[float]) -> Interval:
        if len(batches) < 2:
            return cls(value, None, None)
        half = T_975[len(batches) - 2] * statistics.stdev(batches) / math.sqrt(len(batches))
        return cls(value, max(0.0, value - half), value + half)

    @property
    def spread(self) -> float | None:
        """The interval's upper half as a share of the estimate; None without an interval."""
        if self.high is None or not self.value:
            return None
        return (self.high - self.value) / self.value

    def to_dict(self, scale: float = 1.0, digits: int = 3) -> dict:
        def shown(v: float | None) -> float | None:
            return None if v is None else round(v * scale, digits)

        return {"value": shown(self.value), "low": shown(self.low), "high": shown(self.high)}

    def text(self, scale: float = 1.0, unit: str = "") -> str:
        if self.low is None or self.high is None:
            return f"{self.value * scale:,.3f}{unit} (no interval: run too short)"
        return (
            f"{self.value * scale:,.3f}{unit} "
            f"(95 % CI {self.low * scale:,.3f} to {self.high * scale:,.3f}{unit})"
        )


def median_and_p99(parts: list[np.ndarray]) -> tuple[float | None, float | None]:
    """Exact nearest-rank p50 and p99 (None for no values). Partitioning at the p99 and then
    its lower part at the median costs a sixth of one partition at both ranks."""
    if not parts:
        return None, None
    values = np.concatenate(parts)
    if not len(values):
        return None, None
    r50, r99 = (max(0, math.ceil(q * len(values) - 1e-9) - 1) for q in (0.5, 0.99))
    lower = np.partition(values, r99)
    p99 = float(lower[r99])
    return float(np.partition(lower[: r99 + 1], r50)[r50]), p99


def relaxation_s(service_s: float, slots: float, utilization: float) -> float:
    """How long the queue takes to forget its state: T / (c (1 - sqrt(rho))^2), Morse's M/M/1
    relaxation time with c slots draining c times faster. inf when saturated: a measured
    utilization of SATURATED or more means the slots were busy nearly all the time."""
    if utilization >= SATURATED or slots <= 0:
        return math.inf
    return service_s / (slots * (1.0 - math.sqrt(utilization)) ** 2)


def run_warnings(
    shape: str,
    duration: float,
    batch_count: int,
    requests: int,
    utilization: float,
    relaxation: float,
    wait_p99: Interval,
) -> tuple[str, ...]:
    """Why the run's intervals may not be trusted, each with what to do."""
    out = []
    if shape not in STEADY_SHAPES:
        out.append(
            f"{shape} traffic changes over the run: the intervals show how much the spans of "
            "the run differ, not the uncertainty of one steady rate"
        )
    if math.isinf(relaxation):
        out.append(
            f"the replicas were saturated (utilization {utilization:.1%}): the queue grows "
            "while the load lasts, so every wait figure depends on the run's length"
        )
    elif duration < RELAXATION_TIMES * relaxation:
        out.append(
            f"run too short for utilization {utilization:.1%}: the queue relaxes in about "
            f"{relaxation:,.3g} s, and {duration:,.0f} s is {duration / relaxation:,.0f} of those; "
            f"run at least {RELAXATION_TIMES * relaxation:,.0f} s, the intervals shown are too narrow"
        )
    if batch_count < BATCHES:
        out.append(f"only {batch_count} polls: confidence intervals need {BATCHES}; run longer")
    elif requests / batch_count * 0.01 < MIN_TAIL_PER_BATCH:
        out.append(
            f"{requests:,} requests leave under {MIN_TAIL_PER_BATCH} above the p99 per batch: "
            "the p99 interval is rough; run longer"
        )
    if is_loose(wait_p99):
        out.append(
            f"p99 wait is known to +-{wait_p99.spread:.0%} only; run longer for a firmer figure"
        )
    return tuple(out)


def is_loose(wait_p99: Interval) -> bool:
    """The p99 wait's interval is too wide to judge by. Judged only where the p99 matters: a
    p99 wait under a millisecond is no one's problem."""
    spread = wait_p99.spread
    return spread is not None and wait_p99.value > 1e-3 and spread > LOOSE_SPREAD
