"""What a simulation found, and its JSON: the result, its per-bucket series, and its figures."""

from __future__ import annotations

from dataclasses import dataclass

from router.inputs import finite_or_unbounded
from router.scale import RequestSettings, ScaleSettings
from router.stats import Interval, Percentiles

__all__ = ["GoalResult", "Series", "SimulationResult"]


def _ms_list(seconds: tuple[float | None, ...]) -> list[float | None]:
    return [None if v is None else round(v * 1000, 3) for v in seconds]


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
    wait_p99_s: tuple[float | None, ...]  # queue wait + overhead of requests arriving in it

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
            "waitP99Ms": _ms_list(self.wait_p99_s),
        }


@dataclass(frozen=True)
class GoalResult:
    """Requests over a wait or latency goal: how many, and their share with its interval."""

    goal_ms: float
    violations: int
    fraction: Interval

    def to_dict(self) -> dict:
        return {
            "goalMs": self.goal_ms,
            "violations": self.violations,
            "fraction": self.fraction.to_dict(digits=6),
        }


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
    timeouts: int  # wait + scoring exceeded requestTimeoutMs
    dropped: int  # of those, never started (waited the whole timeout)
    wait: Percentiles  # time in azureml-fe's queue
    latency: Percentiles  # overhead + wait + scoring, the timeout for timed-out requests
    wait_mean: Interval
    wait_p99: Interval
    latency_p99: Interval
    wait_goal: GoalResult | None  # requests whose wait + overhead exceeded the wait goal
    latency_goal: GoalResult | None
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
            "latencyGoal": None if self.latency_goal is None else self.latency_goal.to_dict(),
            "latencyMs": self.latency.to_ms(),
            "latencyP99Ms": self.latency_p99.to_dict(1000),
            "maxQueue": self.max_queue,
            "peakReplicas": self.peak_replicas,
            "relaxationS": finite_or_unbounded(self.relaxation_s),
            "replicaPremium": round(self.replica_premium, 4),
            "replicaSeconds": round(self.replica_seconds, 3),
            "requestSettings": self.request.to_stack(),
            "requests": self.requests,
            "scaleEvents": self.scale_events,
            "scaleSettings": self.scale.to_stack(),
            "seed": self.seed,
            "series": self.series.to_dict(),
            "service": self.service,
            "timeoutFraction": round(self.timeouts / self.requests, 6) if self.requests else 0.0,
            "timeouts": self.timeouts,
            "traffic": self.traffic,
            "utilization": round(self.utilization, 4),
            "waitGoal": None if self.wait_goal is None else self.wait_goal.to_dict(),
            "waitMeanMs": self.wait_mean.to_dict(1000),
            "waitMs": self.wait.to_ms(),
            "waitP99Ms": self.wait_p99.to_dict(1000),
            "warnings": list(self.warnings),
        }
