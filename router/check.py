"""Does a sizing's recommended scale settings hold its goal? Simulated at the design traffic.

The recommendation (router.recommend, pure Python) is sized for rps x (1 + headroom). This
replays Poisson traffic at that rate through the simulator with those settings, starting from
minInstances ready, and asks whether the share of requests over the goal stays within
100 - percentile % with 95 % confidence (batch means): the upper end of the interval must be
within it. azureml-fe's overhead is simulated at its documented p99 bound, as the sizing
assumed it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalog import inference_router
from router import traffic
from router.inputs import InputError
from router.results import SimulationResult
from router.service import ServiceTime
from router.simulation import MAX_SLOTS, simulate
from router.sizing import SizingReport
from router.stats import BATCHES, Interval, is_loose

__all__ = ["Check", "GoalCheck", "check_sizing", "simulate_sizing"]

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
    loose: bool = False  # the run's own figures are too uncertain to lean on (see warnings)

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

    @property
    def verdict_text(self) -> str:
        """The verdict as a reader should take it: never a bare "holds" beside a warning that
        the run's estimates are loose. (Under the autoscaler the p99 wait differs from span to
        span of the run, so a longer run does not always narrow it.)"""
        if self.verdict == "holds" and self.loose:
            return "holds, but the p99 wait estimate is loose (see the warning below)"
        return self.verdict

    def to_dict(self) -> dict:
        return {
            "allowed": round(self.allowed, 6),
            "fraction": self.fraction.to_dict(digits=6),
            "goalMs": self.goal_ms,
            "kind": self.kind,
            "loose": self.loose,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Check:
    design_rps: float
    duration_s: float
    seed: int
    sampling: str
    start_delay_s: float
    goals: tuple[GoalCheck, ...]
    warnings: tuple[str, ...]
    result: SimulationResult  # the simulation behind it, for a chart

    @property
    def holds(self) -> bool:
        return all(goal.verdict == "holds" for goal in self.goals)

    def to_dict(self) -> dict:
        result = self.result
        return {
            "designRps": round(self.design_rps, 6),
            "durationS": self.duration_s,
            "flipsPerHour": round(result.flips_per_hour, 3),
            "goals": [goal.to_dict() for goal in self.goals],
            "holds": self.holds,
            "peakReplicas": result.peak_replicas,
            "replicaPremium": round(result.replica_premium, 4),
            "requests": result.requests,
            "sampling": self.sampling,
            "seed": self.seed,
            "startDelayS": self.start_delay_s,
            "warnings": list(self.warnings),
        }


def check_duration_s(design_rps: float, percentile: float) -> float:
    """Enough requests for CHECK_TAIL_SAMPLES over the percentile per batch, within bounds."""
    wanted = BATCHES * CHECK_TAIL_SAMPLES / (1.0 - percentile / 100.0)
    return min(MAX_CHECK_S, max(MIN_CHECK_S, math.ceil(wanted / design_rps)))


def simulate_sizing(
    sizing: SizingReport,
    *,
    duration_s: float | None = None,
    seed: int = 0,
    sampling: str = "instant",
    start_delay_s: float = 30.0,
    scale_up_delay_s: float = inference_router.SCALE_UP_DELAY_S,
    scale_down_delay_s: float = inference_router.SCALE_DOWN_DELAY_S,
) -> SimulationResult:
    """The recommended settings under Poisson traffic at the design rate."""
    scale = sizing.scale
    slots = scale.settings.max_instances * sizing.max_concurrent
    if slots > MAX_SLOTS:
        raise InputError(
            "check",
            f"the recommended settings hold up to {slots:,} slots, more than the {MAX_SLOTS:,} "
            "the simulator takes; size without the check (--no-check)",
        )
    duration = duration_s or check_duration_s(scale.design_rps, sizing.wait_percentile)
    return simulate(
        traffic.poisson(scale.design_rps, duration),
        ServiceTime.from_cv2(sizing.request_time_ms, sizing.service_cv2),
        scale.settings,
        sizing.request,
        start_delay_s=start_delay_s,
        scale_up_delay_s=scale_up_delay_s,
        scale_down_delay_s=scale_down_delay_s,
        sampling=sampling,
        seed=seed,
        wait_goal_ms=sizing.wait_goal_ms,
        latency_goal_ms=sizing.latency_goal_ms,
        router_overhead_ms=inference_router.OVERHEAD_P99_MS,
    )


def check_sizing(sizing: SizingReport, **simulation) -> Check:
    """Simulate `sizing.scale` at its design traffic and judge each goal it was sized for.
    `simulation` takes simulate_sizing's keywords."""
    if sizing.scale.basis != "goal":
        raise ValueError("only a goal-based recommendation has a goal to check")
    result = simulate_sizing(sizing, **simulation)
    allowed = 1.0 - sizing.wait_percentile / 100.0
    polls = math.ceil(result.duration_s / sizing.scale.settings.polling_interval_s)
    loose = is_loose(result.wait_p99)
    goals = tuple(
        GoalCheck(
            kind,
            found.goal_ms,
            allowed,
            found.fraction,
            result.requests,
            min(BATCHES, polls),
            loose,
        )
        for kind, found in (("wait", result.wait_goal), ("latency", result.latency_goal))
        if found is not None
    )
    warnings = list(result.warnings)
    if sizing.arrival_cv2 != 1.0:
        warnings.append(
            f"the check replays Poisson arrivals; the sizing's arrival_cv2 {sizing.arrival_cv2:g} "
            "is not simulated"
        )
    return Check(
        design_rps=sizing.scale.design_rps,
        duration_s=result.duration_s,
        seed=result.seed,
        sampling=result.sampling,
        start_delay_s=result.start_delay_s,
        goals=goals,
        warnings=tuple(warnings),
        result=result,
    )
