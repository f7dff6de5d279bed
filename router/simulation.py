"""Discrete-event simulation of requests through azureml-fe, its autoscaler and the replicas.

The model, so a number can be judged (docs/router.md explains each choice and its effect):
- azureml-fe is one FIFO queue in front of all replicas (one coordinator picks the backend for
  every request). Its own overhead is a constant `router_overhead_ms` added to every latency.
- A replica has maxConcurrentRequestsPerInstance slots, each serving one request at a time at
  full speed: the request time must be the one measured at that concurrency. Each request is
  given, on arrival, the slot that frees first (router.slots): start = max(arrival, earliest
  free slot). That is exactly a central FIFO queue while the set of slots stays the same; it
  changes only at scale events:
  * scale-up: a new pod's slots exist from the decision on, free from decision + start delay,
    so requests arriving after the decision use them exactly. A request that arrived before
    the decision and would still be waiting when the pod turns ready misses it; its wait is
    longer than the start delay, so with a start delay >= the request timeout it has timed out
    anyway and the result is exact.
  * scale-down: the slots that free first are retired and their committed work still
    completes; exact unless requests are queued at that moment (they stay on the retired slot).
    A cancelled starting pod takes its own slots, or the earliest-free ones if a request
    already waits for them.
- requestTimeoutMs covers queue and scoring. A request that waits that long never starts and
  uses no replica time; one that starts but ends later keeps its replica busy (scoring code is
  not interrupted). Both count as timeouts, with the timeout as their latency.
- The autoscaler polls every pollingIntervalS. `sampling` says what it sees: "instant"
  (default), the busy slots and queued requests at the poll, as the documented formula reads;
  "average", their time-averages since the previous poll, which is smoother.
- Replica-seconds count ready and starting pods: both hold node resources.
- Uncertainty: the run is cut into BATCHES equal spans of polls; the spread of the per-span
  mean, p99 and goal misses gives 95 % confidence intervals (batch means, router.stats).
"""

from __future__ import annotations

import math

import numpy as np

from catalog import inference_router
from router import formula
from router.controller import SAMPLING, Autoscaler, ReplicaPool
from router.inputs import InputError, choice, count, non_negative, positive, show
from router.results import GoalResult, Series, SimulationResult
from router.scale import RequestSettings, ScaleSettings
from router.service import ServiceTime
from router.slots import Slots
from router.stats import BATCHES, Histogram, Interval, median_and_p99, relaxation_s, run_warnings
from router.traffic import Traffic

__all__ = ["MAX_SLOTS", "simulate"]

# Series buckets are the smallest of these (s) giving at most MAX_POINTS points.
NICE_INTERVALS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
MAX_POINTS = 500
MAX_SLOTS = 100_000  # replicas x concurrency: each block sorts all slots, so time stays bounded
MAX_OVERHEAD_MS = 60_000.0


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
            following = next(self._chunks, None)
            if following is None:
                self._buffer = np.empty(0)
                break
            self._buffer = following
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


class _Batch:
    """What one of the BATCHES spans of the run saw, for the confidence intervals."""

    def __init__(self) -> None:
        self.waits = Histogram()
        self.latencies = Histogram()
        self.wait_goal_violations = 0
        self.latency_goal_violations = 0


def _series_interval(duration_s: float, polling_interval: int) -> int:
    wanted = duration_s / MAX_POINTS
    nice = next((n for n in NICE_INTERVALS_S if n >= wanted), NICE_INTERVALS_S[-1])
    return math.ceil(nice / polling_interval) * polling_interval


def _goal(field: str, value: float | None) -> float | None:
    return None if value is None else positive(field, value, unit="ms")


class _Run:
    """The state of one simulation, advanced one poll at a time."""

    def __init__(
        self,
        traffic: Traffic,
        service: ServiceTime,
        scale: ScaleSettings,
        request: RequestSettings,
        controller: tuple[float, float, float, str],
        seed: int,
        initial: int,
        goals_ms: tuple[float | None, float | None],
        overhead_ms: float,
    ) -> None:
        start_delay_s, scale_up_delay_s, scale_down_delay_s, sampling = controller
        self.traffic, self.service, self.scale, self.sampling = traffic, service, scale, sampling
        self.k = request.max_concurrent_requests_per_instance
        self.timeout = request.request_timeout_ms / 1000.0
        self.overhead = overhead_ms / 1000.0
        self.wait_goal_ms, self.latency_goal_ms = goals_ms
        self.poll = scale.polling_interval_s
        self.autoscaler = Autoscaler(scale, self.k, scale_up_delay_s, scale_down_delay_s)
        self.pool = ReplicaPool(initial, start_delay_s)
        self.slots = Slots(initial * self.k)
        arrival_rng, self.service_rng = (
            np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
        )
        self.arrivals = _Arrivals(traffic.arrivals(arrival_rng))
        self.ticks = max(1, math.ceil(traffic.duration_s / self.poll - 1e-9))
        self.bucket_ticks = _series_interval(traffic.duration_s, self.poll) // self.poll
        self.batches = [_Batch() for _ in range(min(BATCHES, self.ticks))]
        # requests not finished at the last poll: arrival, start (or give-up) and end times
        self.carry = (np.empty(0), np.empty(0), np.empty(0))
        self.timeouts = self.dropped = 0
        self.replica_seconds = self.slot_seconds = self.busy_seconds = 0.0
        self.peak, self.max_queue, self.events, self.changes, self.direction = initial, 0, 0, 0, 0
        self.per_tick: dict[str, list[int]] = {
            k: [] for k in ("arrivals", "ready", "desired", "queued")
        }
        self.bucket_latencies: list[np.ndarray] = []
        self.bucket_waits: list[np.ndarray] = []
        self.percentiles: dict[str, list[float | None]] = {"p50": [], "p99": [], "wait": []}

    def serve(self, arrived: np.ndarray, batch: _Batch) -> None:
        """Give the requests that arrived since the last poll their slots, and count them."""
        times = self.service.sample(self.service_rng, len(arrived))
        start, dropped_at = self.slots.assign(arrived, times, self.timeout)
        end = start + times
        wait = start - arrived
        late = wait + times > self.timeout
        if dropped_at:
            end[dropped_at] = start[dropped_at]  # left the queue at the timeout, used no slot
            late[dropped_at] = True
        latency = np.where(late, self.timeout, wait + times) + self.overhead
        batch.waits.add(wait)
        batch.latencies.add(latency)
        self.bucket_latencies.append(latency)
        self.bucket_waits.append(wait + self.overhead)
        self.timeouts += int(np.count_nonzero(late))
        self.dropped += len(dropped_at)
        if self.wait_goal_ms is not None:
            over = wait + self.overhead > self.wait_goal_ms / 1000.0
            batch.wait_goal_violations += int(np.count_nonzero(over))
        if self.latency_goal_ms is not None:
            over = latency > self.latency_goal_ms / 1000.0
            batch.latency_goal_violations += int(np.count_nonzero(over))
        carry_arrival, carry_start, carry_end = self.carry
        self.carry = (
            np.concatenate((carry_arrival, arrived)),
            np.concatenate((carry_start, start)),
            np.concatenate((carry_end, end)),
        )

    def observe(self, now: float, previous: float) -> tuple[float, float, int]:
        """(busy, queued) as the autoscaler sees them at `now`, and the queue's length; forgets
        requests that are done."""
        carry_arrival, carry_start, carry_end = self.carry
        # Time in service over (previous poll, now]: each request's overlap.
        in_service = float(
            np.maximum(np.minimum(carry_end, now) - np.maximum(carry_start, previous), 0.0).sum()
        )
        self.busy_seconds += in_service
        waiting_now = carry_start > now
        queue_now = int(np.count_nonzero(waiting_now))
        if self.sampling == "instant":
            busy = float(np.count_nonzero((carry_end > now) & ~waiting_now))
            queued = float(queue_now)
        else:
            waiting = np.maximum(
                np.minimum(carry_start, now) - np.maximum(carry_arrival, previous), 0.0
            ).sum()
            busy, queued = in_service / self.poll, float(waiting) / self.poll
        keep = carry_end > now
        self.carry = (carry_arrival[keep], carry_start[keep], carry_end[keep])
        return busy, queued, queue_now

    def rescale(self, now: float, busy: float, queued: float) -> None:
        """The autoscaler's decision at `now`, applied to the pods and their slots."""
        pool = self.pool
        pool.advance(now)
        before = pool.total
        desired = self.autoscaler.decide(now, busy, queued, pool.ready, len(pool.starting))
        if desired == before:
            return
        change = pool.scale_to(now, desired)
        if change.added:
            self.slots.add(change.added[0], self.k * len(change.added))
        for ready_at in change.cancelled:
            self.slots.cancel(ready_at, self.k)
        self.slots.retire(change.removed_ready * self.k)
        direction = 1 if desired > before else -1
        self.events += 1
        self.changes += self.direction == -direction
        self.direction = direction

    def tick(self, tick: int) -> None:
        now = tick * self.poll
        previous = now - self.poll
        span = min(now, self.traffic.duration_s) - previous
        self.replica_seconds += self.pool.total * span
        self.slot_seconds += self.pool.ready * self.k * span
        batch = self.batches[(tick - 1) * len(self.batches) // self.ticks]
        arrived = self.arrivals.before(now)
        if len(arrived):
            self.serve(arrived, batch)
        busy, queued, queue_now = self.observe(now, previous)
        self.rescale(now, busy, queued)
        self.peak = max(self.peak, self.pool.total)
        self.max_queue = max(self.max_queue, queue_now)
        for key, value in (
            ("arrivals", len(arrived)),
            ("ready", self.pool.ready),
            ("desired", self.pool.total),
            ("queued", queue_now),
        ):
            self.per_tick[key].append(value)
        if tick % self.bucket_ticks == 0 or tick == self.ticks:
            p50, p99 = median_and_p99(self.bucket_latencies)
            self.percentiles["p50"].append(p50)
            self.percentiles["p99"].append(p99)
            self.percentiles["wait"].append(median_and_p99(self.bucket_waits)[1])
            self.bucket_latencies, self.bucket_waits = [], []

    def series(self) -> tuple[Series, float]:
        """The per-tick records in buckets, and the formula's replica-seconds."""
        per_tick, poll, duration, scale = (
            self.per_tick,
            self.poll,
            self.traffic.duration_s,
            self.scale,
        )
        formula_seconds = 0.0
        columns: dict[str, list] = {
            n: [] for n in ("time", "offered", "peak", "rmax", "rmin", "dmax", "f", "q")
        }
        ticks = len(per_tick["arrivals"])
        for first in range(0, ticks, self.bucket_ticks):
            last = min(first + self.bucket_ticks, ticks)
            end = min(last * poll, duration)
            offered = sum(per_tick["arrivals"][first:last]) / (end - first * poll)
            needed = formula.replicas_for_load(
                offered * self.service.mean_s, self.k, scale.target_utilization
            )
            # Clamped as the autoscaler clamps.
            needed = min(max(needed, scale.min_instances), scale.max_instances)
            formula_seconds += needed * (end - first * poll)
            ready = per_tick["ready"][first:last]
            columns["time"].append(round(end, 6))
            columns["offered"].append(offered)
            columns["peak"].append(max(per_tick["arrivals"][first:last]) / poll)
            columns["rmax"].append(max(ready))
            columns["rmin"].append(min(ready))
            columns["dmax"].append(max(per_tick["desired"][first:last]))
            columns["f"].append(needed)
            columns["q"].append(max(per_tick["queued"][first:last]))
        series = Series(
            interval_s=float(self.bucket_ticks * poll),
            time_s=tuple(columns["time"]),
            offered_rps=tuple(columns["offered"]),
            offered_peak_rps=tuple(columns["peak"]),
            ready_max=tuple(columns["rmax"]),
            ready_min=tuple(columns["rmin"]),
            desired_max=tuple(columns["dmax"]),
            formula=tuple(columns["f"]),
            queue_max=tuple(columns["q"]),
            latency_p50_s=tuple(self.percentiles["p50"]),
            latency_p99_s=tuple(self.percentiles["p99"]),
            wait_p99_s=tuple(self.percentiles["wait"]),
        )
        return series, formula_seconds

    def goal(self, goal_ms: float | None, waits: Histogram, attribute: str) -> GoalResult | None:
        if goal_ms is None:
            return None
        violations = sum(getattr(b, attribute) for b in self.batches)
        seen = [b for b in self.batches if b.waits.n]
        value = violations / waits.n if waits.n else 0.0
        share = Interval.from_batches(value, [getattr(b, attribute) / b.waits.n for b in seen])
        return GoalResult(goal_ms, violations, share)


def _check_inputs(
    scale: ScaleSettings, request: RequestSettings, sampling: str, seed: int, initial: object
) -> int:
    choice("sampling", sampling, SAMPLING)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError("seed", f"must be a whole number >= 0 (got {show(seed)})")
    initial = count("initial_replicas", initial, 1, scale.max_instances)
    slots = scale.max_instances * request.max_concurrent_requests_per_instance
    if slots > MAX_SLOTS:
        raise InputError(
            "maxInstances",
            f"maxInstances x maxConcurrentRequestsPerInstance is {slots:,}; the simulator holds "
            f"at most {MAX_SLOTS:,} slots: lower maxInstances",
        )
    return initial


def simulate(
    traffic: Traffic,
    service: ServiceTime,
    scale: ScaleSettings = ScaleSettings(),
    request: RequestSettings = RequestSettings(),
    *,
    start_delay_s: float = 30.0,
    scale_up_delay_s: float = inference_router.SCALE_UP_DELAY_S,
    scale_down_delay_s: float = inference_router.SCALE_DOWN_DELAY_S,
    sampling: str = "instant",
    seed: int = 0,
    wait_goal_ms: float | None = None,
    latency_goal_ms: float | None = None,
    router_overhead_ms: float = inference_router.OVERHEAD_MEAN_MS,
    initial_replicas: int | None = None,
) -> SimulationResult:
    """Replay `traffic` through azureml-fe, the autoscaler and the replicas; same seed, same
    result. The run starts with `initial_replicas` ready pods (default minInstances) and an
    empty queue."""
    initial = scale.min_instances if initial_replicas is None else initial_replicas
    initial = _check_inputs(scale, request, sampling, seed, initial)
    goals = (_goal("wait_goal_ms", wait_goal_ms), _goal("latency_goal_ms", latency_goal_ms))
    overhead = non_negative("router_overhead_ms", router_overhead_ms, MAX_OVERHEAD_MS, unit="ms")
    controller = (start_delay_s, scale_up_delay_s, scale_down_delay_s, sampling)
    run = _Run(traffic, service, scale, request, controller, seed, initial, goals, overhead)
    for tick in range(1, run.ticks + 1):
        run.tick(tick)
    return _result(run, seed)


def _result(run: _Run, seed: int) -> SimulationResult:
    series, formula_seconds = run.series()
    batches, duration = run.batches, run.traffic.duration_s
    waits = Histogram.merged([b.waits for b in batches])
    latencies = Histogram.merged([b.latencies for b in batches])
    seen = [b for b in batches if b.waits.n]
    utilization = run.busy_seconds / run.slot_seconds if run.slot_seconds else 0.0
    relaxation = relaxation_s(run.service.mean_s, run.slot_seconds / duration, utilization)
    wait_p99 = Interval.from_batches(waits.percentile(99), [b.waits.percentile(99) for b in seen])
    autoscaler = run.autoscaler
    return SimulationResult(
        traffic=run.traffic.describe(),
        service=run.service.describe(),
        scale=run.scale,
        request=RequestSettings(run.k, round(run.timeout * 1000)),
        start_delay_s=run.pool.start_delay_s,
        scale_up_delay_s=autoscaler.scale_up_delay_s,
        scale_down_delay_s=autoscaler.scale_down_delay_s,
        sampling=run.sampling,
        seed=seed,
        duration_s=duration,
        requests=waits.n,
        timeouts=run.timeouts,
        dropped=run.dropped,
        wait=waits.summary(),
        latency=latencies.summary(),
        wait_mean=Interval.from_batches(waits.mean(), [b.waits.mean() for b in seen]),
        wait_p99=wait_p99,
        latency_p99=Interval.from_batches(
            latencies.percentile(99), [b.latencies.percentile(99) for b in seen]
        ),
        wait_goal=run.goal(run.wait_goal_ms, waits, "wait_goal_violations"),
        latency_goal=run.goal(run.latency_goal_ms, waits, "latency_goal_violations"),
        replica_seconds=run.replica_seconds,
        formula_replica_seconds=formula_seconds,
        peak_replicas=run.peak,
        max_queue=run.max_queue,
        scale_events=run.events,
        direction_changes=run.changes,
        utilization=utilization,
        relaxation_s=relaxation,
        warnings=run_warnings(
            run.traffic.shape, duration, len(batches), waits.n, utilization, relaxation, wait_p99
        ),
        series=series,
    )
