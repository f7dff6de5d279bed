"""Discrete-event simulation of requests through azureml-fe, its autoscaler and the replicas.

The model, so a number can be judged:
- azureml-fe is one FIFO queue in front of all replicas (one coordinator picks the backend for
  every request). Its own overhead is a constant `router_overhead_ms` added to every latency.
- A replica has max_concurrent_requests_per_instance slots, each serving one request at a time.
  Each request is given, on arrival, the slot that frees first: start = max(arrival, earliest
  free slot). That is exactly a central FIFO queue while the set of slots stays the same; it
  changes only at scale events:
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
- The autoscaler polls every polling_interval seconds and sees busy slots and queued requests
  averaged over the interval since the last poll. The docs give the formula, not how the counts
  are sampled; an instantaneous sample is noisier, so it scales up further and flaps more.
- Replica-seconds count ready and starting pods: both hold node resources.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from router.capacity import ROUTER_OVERHEAD_MEAN_MS
from router.controller import Autoscaler, ReplicaPool
from router.errors import InputError, show
from router.scale import RequestSettings, ScaleSettings
from router.traffic import Traffic

__all__ = ["Percentiles", "Series", "ServiceTime", "SimulationResult", "simulate"]

DISTRIBUTIONS = ("exponential", "deterministic", "lognormal")
# Series buckets are the smallest of these (s) giving at most MAX_POINTS points.
NICE_INTERVALS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
MAX_POINTS = 500


@dataclass(frozen=True)
class ServiceTime:
    """Time a replica slot spends on one request: exponential (the M/M/c assumption),
    deterministic, or lognormal with coefficient of variation `cv`."""

    mean_s: float
    distribution: str = "exponential"
    cv: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.mean_s, (int, float)) or not 0 < self.mean_s < math.inf:
            raise InputError("request_time_s", f"must be a number > 0 (got {show(self.mean_s)})")
        if self.distribution not in DISTRIBUTIONS:
            raise InputError(
                "service_distribution",
                f"must be one of {', '.join(DISTRIBUTIONS)} (got {self.distribution!r})",
            )
        if not isinstance(self.cv, (int, float)) or not 0 < self.cv < math.inf:
            raise InputError("service_cv", f"must be a number > 0 (got {show(self.cv)})")

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

    def __init__(self) -> None:
        self.counts = np.zeros(self.BINS, dtype=np.int64)
        self.zeros = 0
        self.n = 0
        self.total = 0.0
        self._pending: list[np.ndarray] = []
        self._pending_n = 0

    def add(self, values: np.ndarray) -> None:
        self._pending.append(values)
        self._pending_n += len(values)
        if self._pending_n >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        values = np.concatenate(self._pending)
        self._pending, self._pending_n = [], 0
        positive = values[values >= self.LOW_S]
        self.n += len(values)
        self.zeros += len(values) - len(positive)
        self.total += float(values.sum())
        index = np.minimum(
            (np.log(positive / self.LOW_S) / self.GROWTH).astype(np.int64), self.BINS - 1
        )
        self.counts += np.bincount(index, minlength=self.BINS)

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile: the value at rank ceil(q / 100 * n)."""
        self._flush()
        rank = max(1, math.ceil(q / 100 * self.n - 1e-9))
        if rank <= self.zeros:
            return 0.0
        i = int(np.searchsorted(np.cumsum(self.counts), rank - self.zeros))
        return self.LOW_S * math.exp((i + 0.5) * self.GROWTH)

    def summary(self) -> Percentiles:
        self._flush()
        if not self.n:
            return Percentiles(0.0, 0.0, 0.0, 0.0, 0.0)
        return Percentiles(
            *(self.percentile(q) for q in (50, 90, 99, 99.9)), mean=self.total / self.n
        )


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
            k: round(v * 1000, 3)
            for k, v in (
                ("mean", self.mean),
                ("p50", self.p50),
                ("p90", self.p90),
                ("p99", self.p99),
                ("p999", self.p999),
            )
        }


@dataclass(frozen=True)
class Series:
    """Per-bucket values; bucket i covers (time_s[i] - interval_s, time_s[i]]."""

    interval_s: float
    time_s: tuple[float, ...]
    offered_rps: tuple[float, ...]  # arrivals in the bucket / interval
    ready: tuple[int, ...]  # ready replicas at the bucket's end
    desired: tuple[int, ...]  # ready + starting replicas at the bucket's end
    queue_max: tuple[int, ...]  # longest azureml-fe queue seen at a poll in the bucket
    latency_p50_s: tuple[
        float | None, ...
    ]  # of requests arriving in the bucket; None: none arrived
    latency_p99_s: tuple[float | None, ...]

    def to_dict(self) -> dict:
        return {
            "desired": list(self.desired),
            "intervalS": self.interval_s,
            "latencyP50Ms": _ms_list(self.latency_p50_s),
            "latencyP99Ms": _ms_list(self.latency_p99_s),
            "offeredRps": [round(v, 3) for v in self.offered_rps],
            "queueMax": list(self.queue_max),
            "ready": list(self.ready),
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
    seed: int
    duration_s: float
    requests: int
    timeouts: int  # wait + scoring exceeded request_timeout_ms
    dropped: int  # of those, never started (waited the whole timeout)
    wait: Percentiles  # time in azureml-fe's queue
    latency: Percentiles  # overhead + wait + scoring, the timeout for timed-out requests
    slo_wait_ms: float | None
    slo_wait_violations: int  # requests whose wait + overhead exceeded slo_wait_ms
    slo_latency_ms: float | None
    slo_latency_violations: int
    replica_seconds: float  # cost: integral of (ready + starting) pods over time
    peak_replicas: int
    max_queue: int  # longest queue seen at a poll
    scale_events: int
    direction_changes: int  # scale-ups followed by scale-downs and vice versa: flapping
    series: Series

    def to_dict(self) -> dict:
        """camelCase keys, as the CLI's JSON prints them."""
        return {
            "directionChanges": self.direction_changes,
            "dropped": self.dropped,
            "durationS": self.duration_s,
            "latencyMs": self.latency.to_ms(),
            "maxQueue": self.max_queue,
            "peakReplicas": self.peak_replicas,
            "replicaSeconds": round(self.replica_seconds, 3),
            "request": self.request.to_v2(),
            "requests": self.requests,
            "scale": self.scale.to_v2(),
            "scaleEvents": self.scale_events,
            "seed": self.seed,
            "series": self.series.to_dict(),
            "service": self.service,
            "sloLatency": None
            if self.slo_latency_ms is None
            else {
                "goalMs": self.slo_latency_ms,
                "violations": self.slo_latency_violations,
                "fraction": self._fraction(self.slo_latency_violations),
            },
            "sloWait": None
            if self.slo_wait_ms is None
            else {
                "goalMs": self.slo_wait_ms,
                "violations": self.slo_wait_violations,
                "fraction": self._fraction(self.slo_wait_violations),
            },
            "startDelayS": self.start_delay_s,
            "timeoutFraction": self._fraction(self.timeouts),
            "timeouts": self.timeouts,
            "traffic": self.traffic,
            "waitMs": self.wait.to_ms(),
        }

    def _fraction(self, count: int) -> float:
        return round(count / self.requests, 6) if self.requests else 0.0


def _assign(slots: list[float], arrivals: list[float], ends: list[float], timeout: float):
    """Give each request the earliest-free slot (the hot loop; keep it lean).

    `ends` are arrival + service. Returns the indices and waits of requests that queued and the
    indices of those dropped at the timeout; everything else started on arrival.
    """
    waited_at, waited_by, dropped_at = [], [], []
    replace = heapq.heapreplace
    for i, a, e in zip(range(len(arrivals)), arrivals, ends):
        free = slots[0]
        if free <= a:
            replace(slots, e)
        else:
            w = free - a
            if w >= timeout:
                dropped_at.append(i)
            else:
                replace(slots, e + w)
                waited_at.append(i)
                waited_by.append(w)
    return waited_at, waited_by, dropped_at


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


def _series_interval(duration_s: float, polling_interval: int) -> int:
    wanted = duration_s / MAX_POINTS
    nice = next((n for n in NICE_INTERVALS_S if n >= wanted), NICE_INTERVALS_S[-1])
    return math.ceil(nice / polling_interval) * polling_interval


def _check_goal(field: str, value: float | None) -> float | None:
    if value is not None and (not isinstance(value, (int, float)) or not 0 < value < math.inf):
        raise InputError(field, f"must be a number of milliseconds > 0 (got {show(value)})")
    return value


def simulate(
    traffic: Traffic,
    service: ServiceTime,
    scale: ScaleSettings = ScaleSettings(),
    request: RequestSettings = RequestSettings(),
    *,
    start_delay_s: float = 30.0,
    scale_up_delay_s: float = 1.0,
    scale_down_delay_s: float = 60.0,
    seed: int = 0,
    slo_wait_ms: float | None = None,
    slo_latency_ms: float | None = None,
    router_overhead_ms: float = ROUTER_OVERHEAD_MEAN_MS,
    initial_replicas: int | None = None,
) -> SimulationResult:
    """Replay `traffic` through azureml-fe, the autoscaler and the replicas; same seed, same result.

    The run starts with `initial_replicas` ready pods (default min_instances) and an empty queue.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", f"must be a whole number >= 0 (got {show(seed)})")
    initial = scale.min_instances if initial_replicas is None else initial_replicas
    if (
        isinstance(initial, bool)
        or not isinstance(initial, int)
        or not 1 <= initial <= scale.max_instances
    ):
        raise InputError(
            "initial_replicas",
            f"must be a whole number in [1, max_instances={scale.max_instances}] (got {show(initial)})",
        )
    if not isinstance(router_overhead_ms, (int, float)) or not 0 <= router_overhead_ms < math.inf:
        raise InputError(
            "router_overhead_ms", f"must be a number >= 0 (got {show(router_overhead_ms)})"
        )
    slo_wait_ms = _check_goal("slo_wait_ms", slo_wait_ms)
    slo_latency_ms = _check_goal("slo_latency_ms", slo_latency_ms)

    k = request.max_concurrent_requests_per_instance
    timeout = request.request_timeout_ms / 1000.0
    overhead = router_overhead_ms / 1000.0
    poll = scale.polling_interval
    autoscaler = Autoscaler(scale, k, scale_up_delay_s, scale_down_delay_s)
    pool = ReplicaPool(initial, start_delay_s)
    slots = [0.0] * (initial * k)  # min-heap of the times each slot is next free

    arrival_rng, service_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    arrivals = _Arrivals(traffic.arrivals(arrival_rng))
    duration = traffic.duration_s
    ticks = max(1, math.ceil(duration / poll - 1e-9))
    bucket_ticks = _series_interval(duration, poll) // poll

    waits, latencies = _Histogram(), _Histogram()
    # requests not finished at the last poll: arrival, start (or give-up) and end times
    carry_arrival, carry_start, carry_end = np.empty(0), np.empty(0), np.empty(0)
    timeouts = dropped = slo_wait_violations = slo_latency_violations = 0
    replica_seconds, peak, max_queue, events, changes, last_direction = 0.0, initial, 0, 0, 0, 0
    per_tick = {"arrivals": [], "ready": [], "desired": [], "queued": []}
    bucket_latencies: list[np.ndarray] = []
    p50s: list[float | None] = []
    p99s: list[float | None] = []

    for tick in range(1, ticks + 1):
        now = tick * poll
        replica_seconds += pool.total * (min(now, duration) - (tick - 1) * poll)
        a = arrivals.before(now)
        if len(a):
            s = service.sample(service_rng, len(a))
            waited_at, waited_by, dropped_at = _assign(slots, a.tolist(), (a + s).tolist(), timeout)
            start = a.copy()
            if waited_at:
                start[waited_at] += waited_by
            end = start + s
            if dropped_at:
                start[dropped_at] = a[dropped_at] + timeout
                end[dropped_at] = start[dropped_at]  # left the queue at the timeout, used no slot
            wait = start - a
            late = wait + s > timeout
            if dropped_at:
                late[dropped_at] = True
            latency = np.where(late, timeout, wait + s) + overhead
            waits.add(wait)
            latencies.add(latency)
            bucket_latencies.append(latency)
            timeouts += int(late.sum())
            dropped += len(dropped_at)
            if slo_wait_ms is not None:
                slo_wait_violations += int(np.count_nonzero(wait + overhead > slo_wait_ms / 1000.0))
            if slo_latency_ms is not None:
                slo_latency_violations += int(np.count_nonzero(latency > slo_latency_ms / 1000.0))
            carry_arrival = np.concatenate((carry_arrival, a))
            carry_start = np.concatenate((carry_start, start))
            carry_end = np.concatenate((carry_end, end))
        # Time-averages over (previous poll, now]: each request's overlap with the interval.
        previous = now - poll
        in_service = np.maximum(
            np.minimum(carry_end, now) - np.maximum(carry_start, previous), 0.0
        ).sum()
        waiting = np.maximum(
            np.minimum(carry_start, now) - np.maximum(carry_arrival, previous), 0.0
        ).sum()
        busy, queued = float(in_service) / poll, float(waiting) / poll
        queue_now = int(np.count_nonzero(carry_start > now))
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
            for ready_at in change.added:
                for _ in range(k):
                    heapq.heappush(slots, ready_at)
            for ready_at in change.cancelled:
                for _ in range(k):
                    slots.remove(ready_at if ready_at in slots else min(slots))
            heapq.heapify(slots)
            for _ in range(change.removed_ready * k):
                heapq.heappop(slots)
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
            joined = np.concatenate(bucket_latencies) if bucket_latencies else np.empty(0)
            p50, p99 = np.percentile(joined, [50, 99]).tolist() if len(joined) else (None, None)
            p50s.append(p50)
            p99s.append(p99)
            bucket_latencies = []

    series = _bucket(per_tick, bucket_ticks, poll, duration, p50s, p99s)
    wait = waits.summary()  # flushes the histogram, so waits.n is complete
    return SimulationResult(
        traffic=traffic.describe(),
        service=service.describe(),
        scale=scale,
        request=request,
        start_delay_s=float(start_delay_s),
        seed=seed,
        duration_s=duration,
        requests=waits.n,
        timeouts=timeouts,
        dropped=dropped,
        wait=wait,
        latency=latencies.summary(),
        slo_wait_ms=slo_wait_ms,
        slo_wait_violations=slo_wait_violations,
        slo_latency_ms=slo_latency_ms,
        slo_latency_violations=slo_latency_violations,
        replica_seconds=replica_seconds,
        peak_replicas=peak,
        max_queue=max_queue,
        scale_events=events,
        direction_changes=changes,
        series=series,
    )


def _bucket(
    per_tick: dict, bucket_ticks: int, poll: int, duration: float, p50s: list, p99s: list
) -> Series:
    times, offered, ready, desired, queue_max = [], [], [], [], []
    ticks = len(per_tick["arrivals"])
    for first in range(0, ticks, bucket_ticks):
        last = min(first + bucket_ticks, ticks) - 1
        end = min((last + 1) * poll, duration)
        times.append(round(end, 6))
        offered.append(sum(per_tick["arrivals"][first : last + 1]) / (end - first * poll))
        ready.append(per_tick["ready"][last])
        desired.append(per_tick["desired"][last])
        queue_max.append(max(per_tick["queued"][first : last + 1]))
    return Series(
        interval_s=float(bucket_ticks * poll),
        time_s=tuple(times),
        offered_rps=tuple(offered),
        ready=tuple(ready),
        desired=tuple(desired),
        queue_max=tuple(queue_max),
        latency_p50_s=tuple(p50s),
        latency_p99_s=tuple(p99s),
    )
