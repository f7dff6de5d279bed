"""Discrete-event simulation of requests through azureml-fe, its autoscaler and the replicas.

The model, so a number can be judged (docs/router.md explains each choice and its effect):
- azureml-fe is one FIFO queue in front of all replicas (one coordinator picks the backend for
  every request). Its own overhead is a constant `router_overhead_ms` added to every latency.
- A replica has max_concurrent_requests_per_instance slots, each serving one request at a time
  at full speed: the request time must be the one measured at that concurrency.
  Each request is given, on arrival, the slot that frees first (router.slots): start =
  max(arrival, earliest free slot). That is exactly a central FIFO queue while the set of slots
  stays the same; it changes only at scale events:
  * scale-up: a new pod's slots exist from the decision on, free from decision + start delay,
    so requests arriving after the decision use them exactly. A request that arrived before
    the decision and would still be waiting when the pod turns ready misses it; its wait is
    longer than the start delay, so with start_delay_s >= the request timeout it has timed out
    anyway and the result is exact.
  * scale-down: the slots that free first are retired and their committed work still
    completes; exact unless requests are queued at that moment (they stay on the retired slot).
    A cancelled starting pod takes its own slots, or the earliest-free ones if a request
    already waits for them.
- request_timeout_ms covers queue and scoring. A request that waits that long never starts and
  uses no replica time; one that starts but ends later keeps its replica busy (scoring code is
  not interrupted). Both count as timeouts, with the timeout as their latency.
- The autoscaler polls every polling_interval seconds. `sampling` says what it sees: "instant"
  (default), the busy slots and queued requests at the poll, as the documented formula reads;
  "average", their time-averages since the previous poll, which is smoother.
- Replica-seconds count ready and starting pods: both hold node resources.
- Uncertainty: the run is cut into BATCHES equal spans of polls; the spread of the per-span
  mean, p99 and goal misses gives 95 % confidence intervals (batch means). They hold when each
  span is long against the queue's relaxation time, which the result checks and warns about.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

from router.capacity import ROUTER_OVERHEAD_MEAN_MS
from router.controller import SAMPLING, Autoscaler, ReplicaPool
from router.errors import InputError, show
from router.scale import RequestSettings, ScaleSettings
from router.slots import Slots
from router.traffic import Traffic

__all__ = ["Interval", "Percentiles", "Series", "ServiceTime", "SimulationResult", "simulate"]

DISTRIBUTIONS = ("exponential", "deterministic", "lognormal")
# Series buckets are the smallest of these (s) giving at most MAX_POINTS points.
NICE_INTERVALS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
MAX_POINTS = 500
BATCHES = 20
# Student's t, 97.5 % quantile, for 1..19 degrees of freedom (two-sided 95 % intervals).
T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)
T_975 += (2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093)
# A run shorter than this many relaxation times gives batch means that are not independent.
RELAXATION_TIMES = 1000
# Tail samples per batch below which a per-batch p99 is mostly noise.
MIN_TAIL_PER_BATCH = 50
SATURATED = 0.99
STEADY_SHAPES = ("poisson", "constant")  # batch means assume the rate does not change
MAX_SLOTS = 100_000  # replicas x concurrency: each block sorts all slots, so time stays bounded
MAX_SERVICE_S = 86400.0


@dataclass(frozen=True)
class ServiceTime:
    """Time a replica slot spends on one request: exponential (the M/M/c assumption),
    deterministic, or lognormal with coefficient of variation `cv`."""

    mean_s: float
    distribution: str = "exponential"
    cv: float = 1.0

    def __post_init__(self) -> None:
        if (
            not isinstance(self.mean_s, (int, float))
            or isinstance(self.mean_s, bool)
            or not 0 < self.mean_s <= MAX_SERVICE_S
        ):
            raise InputError(
                "request_time_s",
                f"must be a number of seconds in (0, {MAX_SERVICE_S:g}] (got {show(self.mean_s)})",
            )
        if self.distribution not in DISTRIBUTIONS:
            raise InputError(
                "service_distribution",
                f"must be one of {', '.join(DISTRIBUTIONS)} (got {self.distribution!r})",
            )
        if not isinstance(self.cv, (int, float)) or not 0 < self.cv <= 100:
            raise InputError("service_cv", f"must be a number in (0, 100] (got {show(self.cv)})")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.distribution == "exponential":
            return rng.exponential(self.mean_s, n)
        if self.distribution == "deterministic":
            return np.full(n, float(self.mean_s))
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean_s) - sigma2 / 2, math.sqrt(sigma2), n)

    def describe(self) -> dict:
        described = {"distribution": self.distribution, "meanS": self.mean_s}
        if self.distribution == "lognormal":
            described["cv"] = self.cv
        return described


class _Histogram:
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
    def merged(cls, parts: list[_Histogram]) -> _Histogram:
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
        return Percentiles(*(self.percentile(q) for q in (50, 90, 99, 99.9)), mean=self.mean())


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

    def to_dict(self, scale: float = 1.0, digits: int = 3) -> dict:
        def shown(v: float | None) -> float | None:
            return None if v is None else round(v * scale, digits)

        return {"value": shown(self.value), "low": shown(self.low), "high": shown(self.high)}

    def text(self, scale: float = 1.0, unit: str = "") -> str:
        if self.low is None:
            return f"{self.value * scale:,.3f}{unit} (no interval: run too short)"
        return (
            f"{self.value * scale:,.3f}{unit} "
            f"(95 % CI {self.low * scale:,.3f} to {self.high * scale:,.3f}{unit})"
        )


@dataclass(frozen=True)
class Series:
    """Per-bucket values; bucket i covers (time_s[i] - interval_s, time_s[i]]. Replica counts
    are the highest and lowest seen at the bucket's polls, so peaks and flapping show."""

    interval_s: float
    time_s: tuple[float, ...]
    offered_rps: tuple[float, ...]  # arrivals in the bucket / its length
    offered_peak_rps: tuple[float, ...]  # the busiest polling interval of the bucket
    ready_max: tuple[int, ...]  # ready replicas, highest at a poll of the bucket
    ready_min: tuple[int, ...]
    desired_max: tuple[int, ...]  # ready + starting replicas, highest at a poll
    formula: tuple[int, ...]  # the docs' formula for the bucket's offered load, within min/max
    queue_max: tuple[int, ...]  # longest azureml-fe queue seen at a poll in the bucket
    latency_p50_s: tuple[float | None, ...]  # of requests arriving in the bucket; None: none
    latency_p99_s: tuple[float | None, ...]

    def to_dict(self) -> dict:
        return {
            "desiredMax": list(self.desired_max),
            "formulaReplicas": list(self.formula),
            "intervalS": self.interval_s,
            "latencyP50Ms": _ms_list(self.latency_p50_s),
            "latencyP99Ms": _ms_list(self.latency_p99_s),
            "offeredPeakRps": [round(v, 3) for v in self.offered_peak_rps],
            "offeredRps": [round(v, 3) for v in self.offered_rps],
            "queueMax": list(self.queue_max),
            "readyMax": list(self.ready_max),
            "readyMin": list(self.ready_min),
            "timeS": list(self.time_s),
        }


def _ms_list(seconds: tuple[float | None, ...]) -> list[float | None]:
    return [None if v is None else round(v * 1000, 3) for v in seconds]


@dataclass(frozen=True)
class SimulationResult:
    traffic: dict
    service: dict
    scale: ScaleSettings
    request: RequestSettings
    start_delay_s: float
    scale_up_delay_s: float
    scale_down_delay_s: float
    sampling: str
    seed: int
    duration_s: float
    requests: int
    timeouts: int  # wait + scoring exceeded request_timeout_ms
    dropped: int  # of those, never started (waited the whole timeout)
    wait: Percentiles  # time in azureml-fe's queue
    latency: Percentiles  # overhead + wait + scoring, the timeout for timed-out requests
    wait_mean: Interval
    wait_p99: Interval
    latency_p99: Interval
    slo_wait_ms: float | None
    slo_wait_violations: int  # requests whose wait + overhead exceeded slo_wait_ms
    slo_wait_fraction: Interval | None
    slo_latency_ms: float | None
    slo_latency_violations: int
    slo_latency_fraction: Interval | None
    replica_seconds: float  # cost: integral of (ready + starting) pods over time
    formula_replica_seconds: float  # the docs' formula for the offered load, within min/max
    peak_replicas: int
    max_queue: int  # longest queue seen at a poll
    scale_events: int
    direction_changes: int  # flips: scale-ups followed by scale-downs and vice versa
    utilization: float  # busy slot-seconds / ready slot-seconds
    relaxation_s: float  # the queue's relaxation time at that utilization (inf if overloaded)
    warnings: tuple[str, ...]
    series: Series

    @property
    def replica_premium(self) -> float:
        """Replica-seconds held beyond the formula's, as a fraction (0.25: 25 % more)."""
        return self.replica_seconds / self.formula_replica_seconds - 1.0

    @property
    def flips_per_hour(self) -> float:
        return self.direction_changes * 3600.0 / self.duration_s

    def to_dict(self) -> dict:
        """camelCase keys, as the CLI's JSON prints them."""
        return {
            "controller": {
                "sampling": self.sampling,
                "scaleDownDelayS": self.scale_down_delay_s,
                "scaleUpDelayS": self.scale_up_delay_s,
                "startDelayS": self.start_delay_s,
            },
            "directionChanges": self.direction_changes,
            "dropped": self.dropped,
            "durationS": self.duration_s,
            "flipsPerHour": round(self.flips_per_hour, 3),
            "formulaReplicaSeconds": round(self.formula_replica_seconds, 3),
            "latencyMs": self.latency.to_ms(),
            "latencyP99Ms": self.latency_p99.to_dict(1000),
            "maxQueue": self.max_queue,
            "peakReplicas": self.peak_replicas,
            "relaxationS": _finite(self.relaxation_s),
            "replicaPremium": round(self.replica_premium, 4),
            "replicaSeconds": round(self.replica_seconds, 3),
            "request": self.request.to_v2(),
            "requests": self.requests,
            "scale": self.scale.to_v2(),
            "scaleEvents": self.scale_events,
            "seed": self.seed,
            "series": self.series.to_dict(),
            "service": self.service,
            "sloLatency": _goal(
                self.slo_latency_ms, self.slo_latency_violations, self.slo_latency_fraction
            ),
            "sloWait": _goal(self.slo_wait_ms, self.slo_wait_violations, self.slo_wait_fraction),
            "timeoutFraction": round(self.timeouts / self.requests, 6) if self.requests else 0.0,
            "timeouts": self.timeouts,
            "traffic": self.traffic,
            "utilization": round(self.utilization, 4),
            "waitMeanMs": self.wait_mean.to_dict(1000),
            "waitMs": self.wait.to_ms(),
            "waitP99Ms": self.wait_p99.to_dict(1000),
            "warnings": list(self.warnings),
        }


def _finite(value: float) -> float | str:
    return "unbounded" if math.isinf(value) else round(value, 6)


def _goal(goal_ms: float | None, violations: int, fraction: Interval | None) -> dict | None:
    if goal_ms is None:
        return None
    return {"goalMs": goal_ms, "violations": violations, "fraction": fraction.to_dict(digits=6)}


class _Arrivals:
    """Cuts the traffic's chunks at poll times."""

    def __init__(self, chunks) -> None:
        self._chunks = iter(chunks)
        self._buffer = np.empty(0)

    def before(self, t: float) -> np.ndarray:
        parts = []
        while True:
            cut = int(np.searchsorted(self._buffer, t))
            if cut < len(self._buffer):
                parts.append(self._buffer[:cut])
                self._buffer = self._buffer[cut:]
                break
            parts.append(self._buffer)
            self._buffer = next(self._chunks, None)
            if self._buffer is None:
                self._buffer = np.empty(0)
                break
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


class _Batch:
    """What one of the BATCHES spans of the run saw, for the confidence intervals."""

    def __init__(self) -> None:
        self.waits = _Histogram()
        self.latencies = _Histogram()
        self.slo_wait_violations = 0
        self.slo_latency_violations = 0


def _series_interval(duration_s: float, polling_interval: int) -> int:
    wanted = duration_s / MAX_POINTS
    nice = next((n for n in NICE_INTERVALS_S if n >= wanted), NICE_INTERVALS_S[-1])
    return math.ceil(nice / polling_interval) * polling_interval


def _check_goal(field: str, value: float | None) -> float | None:
    if value is not None and (
        not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < math.inf
    ):
        raise InputError(field, f"must be a number of milliseconds > 0 (got {show(value)})")
    return value


def _check_inputs(
    scale: ScaleSettings,
    request: RequestSettings,
    sampling: str,
    seed: int,
    initial: int,
    router_overhead_ms: float,
) -> None:
    if sampling not in SAMPLING:
        raise InputError("sampling", f"must be one of {', '.join(SAMPLING)} (got {sampling!r})")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError("seed", f"must be a whole number >= 0 (got {show(seed)})")
    if (
        isinstance(initial, bool)
        or not isinstance(initial, int)
        or not 1 <= initial <= scale.max_instances
    ):
        raise InputError(
            "initial_replicas",
            f"must be a whole number in [1, max_instances={scale.max_instances}] (got {show(initial)})",
        )
    slots = scale.max_instances * request.max_concurrent_requests_per_instance
    if slots > MAX_SLOTS:
        raise InputError(
            "scale_settings.max_instances",
            f"max_instances x max_concurrent is {slots:,}; the simulator holds at most "
            f"{MAX_SLOTS:,} slots: lower max_instances",
        )
    if (
        not isinstance(router_overhead_ms, (int, float))
        or isinstance(router_overhead_ms, bool)
        or not 0 <= router_overhead_ms <= 60_000
    ):
        raise InputError(
            "router_overhead_ms",
            f"must be a number of milliseconds in [0, 60000] (got {show(router_overhead_ms)})",
        )


def simulate(
    traffic: Traffic,
    service: ServiceTime,
    scale: ScaleSettings = ScaleSettings(),
    request: RequestSettings = RequestSettings(),
    *,
    start_delay_s: float = 30.0,
    scale_up_delay_s: float = 1.0,
    scale_down_delay_s: float = 60.0,
    sampling: str = "instant",
    seed: int = 0,
    slo_wait_ms: float | None = None,
    slo_latency_ms: float | None = None,
    router_overhead_ms: float = ROUTER_OVERHEAD_MEAN_MS,
    initial_replicas: int | None = None,
) -> SimulationResult:
    """Replay `traffic` through azureml-fe, the autoscaler and the replicas; same seed, same result.

    The run starts with `initial_replicas` ready pods (default min_instances) and an empty queue.
    """
    initial = scale.min_instances if initial_replicas is None else initial_replicas
    _check_inputs(scale, request, sampling, seed, initial, router_overhead_ms)
    slo_wait_ms = _check_goal("slo_wait_ms", slo_wait_ms)
    slo_latency_ms = _check_goal("slo_latency_ms", slo_latency_ms)

    k = request.max_concurrent_requests_per_instance
    timeout = request.request_timeout_ms / 1000.0
    overhead = router_overhead_ms / 1000.0
    poll = scale.polling_interval
    autoscaler = Autoscaler(scale, k, scale_up_delay_s, scale_down_delay_s)
    pool = ReplicaPool(initial, start_delay_s)
    slots = Slots(initial * k)

    arrival_rng, service_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    arrivals = _Arrivals(traffic.arrivals(arrival_rng))
    duration = traffic.duration_s
    ticks = max(1, math.ceil(duration / poll - 1e-9))
    bucket_ticks = _series_interval(duration, poll) // poll
    batch_count = min(BATCHES, ticks)
    batches = [_Batch() for _ in range(batch_count)]

    # requests not finished at the last poll: arrival, start (or give-up) and end times
    carry_arrival, carry_start, carry_end = np.empty(0), np.empty(0), np.empty(0)
    timeouts = dropped = 0
    replica_seconds = slot_seconds = busy_seconds = 0.0
    peak, max_queue, events, changes, last_direction = initial, 0, 0, 0, 0
    per_tick = {"arrivals": [], "ready": [], "desired": [], "queued": []}
    bucket_latencies: list[np.ndarray] = []
    p50s: list[float | None] = []
    p99s: list[float | None] = []

    for tick in range(1, ticks + 1):
        now = tick * poll
        previous = now - poll
        span = min(now, duration) - previous
        replica_seconds += pool.total * span
        slot_seconds += pool.ready * k * span
        batch = batches[(tick - 1) * batch_count // ticks]
        a = arrivals.before(now)
        if len(a):
            s = service.sample(service_rng, len(a))
            start, dropped_at = slots.assign(a, s, timeout)
            end = start + s
            wait = start - a
            late = wait + s > timeout
            if dropped_at:
                end[dropped_at] = start[dropped_at]  # left the queue at the timeout, used no slot
                late[dropped_at] = True
            latency = np.where(late, timeout, wait + s) + overhead
            batch.waits.add(wait)
            batch.latencies.add(latency)
            bucket_latencies.append(latency)
            timeouts += int(np.count_nonzero(late))
            dropped += len(dropped_at)
            if slo_wait_ms is not None:
                batch.slo_wait_violations += int(
                    np.count_nonzero(wait + overhead > slo_wait_ms / 1000.0)
                )
            if slo_latency_ms is not None:
                batch.slo_latency_violations += int(
                    np.count_nonzero(latency > slo_latency_ms / 1000.0)
                )
            carry_arrival = np.concatenate((carry_arrival, a))
            carry_start = np.concatenate((carry_start, start))
            carry_end = np.concatenate((carry_end, end))
        # Time in service and in the queue over (previous poll, now]: each request's overlap.
        in_service = float(
            np.maximum(np.minimum(carry_end, now) - np.maximum(carry_start, previous), 0.0).sum()
        )
        busy_seconds += in_service
        waiting_now = carry_start > now
        queue_now = int(np.count_nonzero(waiting_now))
        if sampling == "instant":
            busy = float(np.count_nonzero((carry_end > now) & ~waiting_now))
            queued = float(queue_now)
        else:
            waiting = np.maximum(
                np.minimum(carry_start, now) - np.maximum(carry_arrival, previous), 0.0
            ).sum()
            busy, queued = in_service / poll, float(waiting) / poll
        keep = carry_end > now
        carry_arrival, carry_start, carry_end = (
            carry_arrival[keep],
            carry_start[keep],
            carry_end[keep],
        )

        pool.advance(now)
        before = pool.total
        desired = autoscaler.decide(now, busy, queued, pool.ready, len(pool.starting))
        if desired != before:
            change = pool.scale_to(now, desired)
            if change.added:
                slots.add(change.added[0], k * len(change.added))
            for ready_at in change.cancelled:
                slots.cancel(ready_at, k)
            slots.retire(change.removed_ready * k)
            direction = 1 if desired > before else -1
            events += 1
            changes += last_direction == -direction
            last_direction = direction
        peak, max_queue = max(peak, pool.total), max(max_queue, queue_now)
        for key, value in (
            ("arrivals", len(a)),
            ("ready", pool.ready),
            ("desired", pool.total),
            ("queued", queue_now),
        ):
            per_tick[key].append(value)
        if tick % bucket_ticks == 0 or tick == ticks:
            p50, p99 = _median_and_p99(bucket_latencies)
            p50s.append(p50)
            p99s.append(p99)
            bucket_latencies = []

    series, formula_seconds = _bucket(
        per_tick, bucket_ticks, poll, duration, p50s, p99s, scale, service, k
    )
    waits = _Histogram.merged([b.waits for b in batches])
    latencies = _Histogram.merged([b.latencies for b in batches])
    seen = [b for b in batches if b.waits.n]
    utilization = busy_seconds / slot_seconds if slot_seconds else 0.0
    relaxation = _relaxation_s(service.mean_s, slot_seconds / duration, utilization)
    slo_wait_violations = sum(b.slo_wait_violations for b in batches)
    slo_latency_violations = sum(b.slo_latency_violations for b in batches)

    def fraction(count: int, per_batch) -> Interval:
        value = count / waits.n if waits.n else 0.0
        return Interval.from_batches(value, [per_batch(b) / b.waits.n for b in seen])

    wait_p99 = Interval.from_batches(waits.percentile(99), [b.waits.percentile(99) for b in seen])
    result = dict(
        wait_mean=Interval.from_batches(waits.mean(), [b.waits.mean() for b in seen]),
        wait_p99=wait_p99,
        latency_p99=Interval.from_batches(
            latencies.percentile(99), [b.latencies.percentile(99) for b in seen]
        ),
        slo_wait_fraction=None
        if slo_wait_ms is None
        else fraction(slo_wait_violations, lambda b: b.slo_wait_violations),
        slo_latency_fraction=None
        if slo_latency_ms is None
        else fraction(slo_latency_violations, lambda b: b.slo_latency_violations),
    )
    return SimulationResult(
        traffic=traffic.describe(),
        service=service.describe(),
        scale=scale,
        request=request,
        start_delay_s=float(start_delay_s),
        scale_up_delay_s=float(scale_up_delay_s),
        scale_down_delay_s=float(scale_down_delay_s),
        sampling=sampling,
        seed=seed,
        duration_s=duration,
        requests=waits.n,
        timeouts=timeouts,
        dropped=dropped,
        wait=waits.summary(),
        latency=latencies.summary(),
        slo_wait_ms=slo_wait_ms,
        slo_wait_violations=slo_wait_violations,
        slo_latency_ms=slo_latency_ms,
        slo_latency_violations=slo_latency_violations,
        replica_seconds=replica_seconds,
        formula_replica_seconds=formula_seconds,
        peak_replicas=peak,
        max_queue=max_queue,
        scale_events=events,
        direction_changes=changes,
        utilization=utilization,
        relaxation_s=relaxation,
        warnings=_warnings(
            traffic.shape, duration, batch_count, waits.n, utilization, relaxation, wait_p99
        ),
        series=series,
        **result,
    )


def _median_and_p99(parts: list[np.ndarray]) -> tuple[float | None, float | None]:
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


def _relaxation_s(service_s: float, slots: float, utilization: float) -> float:
    """How long the queue takes to forget its state: T / (c (1 - sqrt(rho))^2), Morse's M/M/1
    relaxation time with c slots draining c times faster. inf when saturated: a measured
    utilization of SATURATED or more means the slots were busy nearly all the time."""
    if utilization >= SATURATED or slots <= 0:
        return math.inf
    return service_s / (slots * (1.0 - math.sqrt(utilization)) ** 2)


def _warnings(
    shape: str,
    duration: float,
    batch_count: int,
    requests: int,
    utilization: float,
    relaxation: float,
    wait_p99: Interval,
) -> tuple[str, ...]:
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
    # Judged only where the p99 matters: a p99 wait under a millisecond is no one's problem.
    if wait_p99.high is not None and wait_p99.value > 1e-3:
        spread = (wait_p99.high - wait_p99.value) / wait_p99.value
        if spread > 0.1:
            out.append(f"p99 wait is known to +-{spread:.0%} only; run longer for a firmer figure")
    return tuple(out)


def _bucket(
    per_tick: dict,
    bucket_ticks: int,
    poll: int,
    duration: float,
    p50s: list,
    p99s: list,
    scale: ScaleSettings,
    service: ServiceTime,
    k: int,
) -> tuple[Series, float]:
    """The per-tick records in buckets, and the formula's replica-seconds."""
    formula_seconds = 0.0
    columns = {name: [] for name in ("time", "offered", "peak", "rmax", "rmin", "dmax", "f", "q")}
    ticks = len(per_tick["arrivals"])
    slots_at_target = k * scale.target_utilization
    for first in range(0, ticks, bucket_ticks):
        last = min(first + bucket_ticks, ticks)
        end = min(last * poll, duration)
        offered = sum(per_tick["arrivals"][first:last]) / (end - first * poll)
        # Same rounding as capacity.formula_replicas, clamped as the autoscaler clamps.
        formula = math.ceil(round(offered * service.mean_s / slots_at_target, 9))
        ready = per_tick["ready"][first:last]
        columns["time"].append(round(end, 6))
        columns["offered"].append(offered)
        columns["peak"].append(max(per_tick["arrivals"][first:last]) / poll)
        columns["rmax"].append(max(ready))
        columns["rmin"].append(min(ready))
        columns["dmax"].append(max(per_tick["desired"][first:last]))
        formula = min(max(formula, scale.min_instances), scale.max_instances)
        formula_seconds += formula * (end - first * poll)
        columns["f"].append(formula)
        columns["q"].append(max(per_tick["queued"][first:last]))
    series = Series(
        interval_s=float(bucket_ticks * poll),
        time_s=tuple(columns["time"]),
        offered_rps=tuple(columns["offered"]),
        offered_peak_rps=tuple(columns["peak"]),
        ready_max=tuple(columns["rmax"]),
        ready_min=tuple(columns["rmin"]),
        desired_max=tuple(columns["dmax"]),
        formula=tuple(columns["f"]),
        queue_max=tuple(columns["q"]),
        latency_p50_s=tuple(p50s),
        latency_p99_s=tuple(p99s),
    )
    return series, formula_seconds
