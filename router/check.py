"""Does a sizing's recommended scale settings hold its goal? Simulated at the design traffic.

The recommendation (router.capacity, pure Python) is sized for rps x (1 + headroom). This
replays Poisson traffic at that rate through the simulator with those settings, starting from
min_instances ready, and asks whether the share of requests over the goal stays within
100 - percentile % with 95 % confidence (batch means): the upper end of the interval must be
within it. azureml-fe's overhead is simulated at its documented p99 bound, as the sizing
assumed it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from router import traffic
from router.capacity import ROUTER_OVERHEAD_P99_MS, Sizing
from router.errors import InputError
from router.scale import RequestSettings
from router.simulator import BATCHES, MAX_SLOTS, Interval, ServiceTime, simulate

__all__ = ["Check", "GoalCheck", "check_sizing"]

# Long enough for CHECK_TAIL_SAMPLES requests over the percentile in each batch, within bounds
# (four hours at most: a poll a second, about a second of simulation).
CHECK_TAIL_SAMPLES = 200
MIN_CHECK_S, MAX_CHECK_S = 300.0, 14400.0
# "holds" needs a run in which a miss share at the allowed level would have shown at least this
# many misses per batch: with none seen in fewer requests, zero proves little.
MIN_MISSES_PER_BATCH = 3


@dataclass(frozen=True)
class GoalCheck:
    kind: str  # "wait" (queue wait + overhead) or "latency" (+ request time)
    goal_ms: float
    allowed: float  # share of requests that may exceed the goal: 1 - percentile / 100
    fraction: Interval  # share that did, with its 95 % interval
    requests: int
    batches: int

    @property
    def verdict(self) -> str:
        """ "misses" (the estimate over), "holds" (the whole interval within, from a run long
        enough to see misses at the allowed share), else "unsure"."""
        if self.fraction.value > self.allowed:
            return "misses"
        enough = self.requests * self.allowed >= MIN_MISSES_PER_BATCH * self.batches
        if enough and self.fraction.high is not None and self.fraction.high <= self.allowed:
            return "holds"
        return "unsure"

    def to_dict(self) -> dict:
        return {
            "allowed": round(self.allowed, 6),
            "fraction": self.fraction.to_dict(digits=6),
            "goalMs": self.goal_ms,
            "kind": self.kind,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Check:
    design_rps: float
    duration_s: float
    seed: int
    sampling: str
    start_delay_s: float
    requests: int
    goals: tuple[GoalCheck, ...]
    peak_replicas: int
    replica_premium: float  # replica-seconds over the docs' formula at the same load
    flips_per_hour: float
    warnings: tuple[str, ...]

    @property
    def holds(self) -> bool:
        return all(goal.verdict == "holds" for goal in self.goals)

    def to_dict(self) -> dict:
        return {
            "designRps": round(self.design_rps, 6),
            "durationS": self.duration_s,
            "flipsPerHour": round(self.flips_per_hour, 3),
            "goals": [goal.to_dict() for goal in self.goals],
            "holds": self.holds,
            "peakReplicas": self.peak_replicas,
            "replicaPremium": round(self.replica_premium, 4),
            "requests": self.requests,
            "sampling": self.sampling,
            "seed": self.seed,
            "startDelayS": self.start_delay_s,
            "warnings": list(self.warnings),
        }


def _service(mean_s: float, cv2: float) -> ServiceTime:
    if cv2 == 1.0:
        return ServiceTime(mean_s)
    if cv2 == 0.0:
        return ServiceTime(mean_s, "deterministic")
    return ServiceTime(mean_s, "lognormal", math.sqrt(cv2))


def check_duration_s(design_rps: float, percentile: float) -> float:
    """Enough requests for CHECK_TAIL_SAMPLES over the percentile per batch, within bounds."""
    wanted = BATCHES * CHECK_TAIL_SAMPLES / (1.0 - percentile / 100.0)
    return min(MAX_CHECK_S, max(MIN_CHECK_S, math.ceil(wanted / design_rps)))


def check_sizing(
    sizing: Sizing,
    *,
    duration_s: float | None = None,
    seed: int = 0,
    sampling: str = "instant",
    start_delay_s: float = 30.0,
    scale_up_delay_s: float = 1.0,
    scale_down_delay_s: float = 60.0,
    request_timeout_ms: int = 5000,
) -> Check:
    """Simulate `sizing.scale` at its design traffic and judge each goal it was sized for."""
    scale = sizing.scale
    if scale.basis != "goal":
        raise ValueError("only a goal-based recommendation has a goal to check")
    design = scale.design_rps
    slots = scale.settings.max_instances * sizing.max_concurrent
    if slots > MAX_SLOTS:
        raise InputError(
            "check",
            f"the recommended settings hold up to {slots:,} slots, more than the {MAX_SLOTS:,} "
            "the simulator takes; size without the check (--no-check)",
        )
    duration = duration_s or check_duration_s(design, sizing.slo_percentile)
    result = simulate(
        traffic.poisson(design, duration),
        _service(sizing.request_time_s, sizing.service_cv2),
        scale.settings,
        RequestSettings(
            max_concurrent_requests_per_instance=sizing.max_concurrent,
            request_timeout_ms=request_timeout_ms,
        ),
        start_delay_s=start_delay_s,
        scale_up_delay_s=scale_up_delay_s,
        scale_down_delay_s=scale_down_delay_s,
        sampling=sampling,
        seed=seed,
        slo_wait_ms=sizing.slo_wait_ms,
        slo_latency_ms=sizing.slo_latency_ms,
        router_overhead_ms=ROUTER_OVERHEAD_P99_MS,
    )
    allowed = 1.0 - sizing.slo_percentile / 100.0
    seen = (result.requests, min(BATCHES, math.ceil(duration / scale.settings.polling_interval)))
    goals = []
    if sizing.slo_wait_ms is not None:
        goals.append(
            GoalCheck("wait", sizing.slo_wait_ms, allowed, result.slo_wait_fraction, *seen)
        )
    if sizing.slo_latency_ms is not None:
        goals.append(
            GoalCheck("latency", sizing.slo_latency_ms, allowed, result.slo_latency_fraction, *seen)
        )
    warnings = list(result.warnings)
    if sizing.arrival_cv2 != 1.0:
        warnings.append(
            f"the check replays Poisson arrivals; the sizing's arrival_cv2 {sizing.arrival_cv2:g} "
            "is not simulated"
        )
    return Check(
        design_rps=design,
        duration_s=duration,
        seed=seed,
        sampling=sampling,
        start_delay_s=float(start_delay_s),
        requests=result.requests,
        goals=tuple(goals),
        peak_replicas=result.peak_replicas,
        replica_premium=result.replica_premium,
        flips_per_hour=result.flips_per_hour,
        warnings=tuple(warnings),
    )
