"""Recommendations: complete scale settings that hold a goal under azureml-fe's autoscaler, the
headroom bursts and ramps need, and how many azureml-fe instances the traffic takes. Pure Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalog import endpoints, inference_router
from router import formula
from router.inputs import InputError, amount, ceil, count, non_negative, percentile, positive
from router.scale import ScaleSettings

__all__ = [
    "DEFAULT_HEADROOM",
    "RampHeadroom",
    "RouterSizing",
    "ScaleRecommendation",
    "ramp_headroom",
    "reaction_min_instances",
    "reaction_time_s",
    "recommend_scale_settings",
    "router_instances",
]

# The goal must still hold at rps x (1 + DEFAULT_HEADROOM), and maxInstances leaves room for
# NOISE_SIGMAS standard deviations of the sampled load (the count of requests in flight is about
# Poisson, so its deviation is the square root of its mean).
DEFAULT_HEADROOM = 0.10
MAX_HEADROOM = 10.0
NOISE_SIGMAS = 3.0
# Delays and durations beyond a week are typos (the simulator runs at most a week).
MAX_SECONDS = 7 * 86400.0
# The documented default, and the fastest reaction; polls are cheap.
RECOMMENDED_POLLING_INTERVAL_S = endpoints.POLLING_INTERVAL_S_DEFAULT


@dataclass(frozen=True)
class ScaleRecommendation:
    """Scale settings for a traffic level and a goal, and why."""

    settings: ScaleSettings
    basis: str  # "goal" (sized for a wait or latency goal) or "formula" (the docs' formula only)
    rps: float
    headroom: float  # the goal still holds at rps x (1 + headroom)
    design_rps: float
    goal_replicas: int | None  # replicas the goal needs at design_rps: minInstances
    derivation: str  # how each setting was found, one line, for previews and reports


def recommend_scale_settings(
    rps: float,
    request_time_ms: float,
    max_concurrent: int = 1,
    *,
    wait_goal_ms: float | None = None,
    latency_goal_ms: float | None = None,
    wait_percentile: float = 99.0,
    headroom: float = DEFAULT_HEADROOM,
    target_utilization_percentage: int = endpoints.TARGET_UTILIZATION_DEFAULT,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> ScaleRecommendation:
    """Complete scale settings that hold a goal under azureml-fe's autoscaler.

    With a goal (wait: the percentile of queue wait + overhead; latency: of wait + request
    time + overhead), sized at design = rps x (1 + headroom):
    - minInstances = the replicas the goal needs at design, so the goal never waits for the
      autoscaler: new pods take the start delay (often minutes) to serve;
    - targetUtilizationPercentage = the highest whole percent at which the autoscaler, seeing
      rps, still asks for minInstances: rps x request time / (max_concurrent x minInstances).
      Above rps it adds replicas in proportion, and because larger pools queue less, the goal
      keeps holding as it grows;
    - maxInstances = what it asks for at design plus NOISE_SIGMAS deviations of the sampled
      load, so noise alone does not pin it at the cap;
    - pollingIntervalS = 1.
    Without a goal, the docs' formula: minInstances 1, maxInstances = formula_replicas.
    """
    rate, seconds = formula.load(rps, request_time_ms)
    slots = count("max_concurrent", max_concurrent, maximum=formula.MAX_CONCURRENT)
    room = non_negative("headroom", headroom, MAX_HEADROOM)
    pct = percentile("wait_percentile", wait_percentile)
    design = rate * (1.0 + room)
    if design > formula.MAX_RPS or design * seconds > formula.MAX_LOAD:
        raise InputError(
            "headroom",
            f"rps x (1 + headroom) = {design:,.0f} rps is beyond what is sized "
            f"({amount(formula.MAX_RPS)} rps, {amount(formula.MAX_LOAD)} requests in flight); "
            "lower it",
        )
    if wait_goal_ms is None and latency_goal_ms is None:
        percent = formula.target_percentage(target_utilization_percentage)
        replicas = formula.formula_replicas(rate, request_time_ms, slots, percent)
        settings = ScaleSettings(
            min_instances=1,
            max_instances=replicas,
            target_utilization_percentage=percent,
            polling_interval_s=RECOMMENDED_POLLING_INTERVAL_S,
        )
        derivation = (
            f"maxInstances {replicas}: ceil({rate:g} rps x {request_time_ms:g} ms / "
            f"{percent / 100:g} / {slots}) (documented formula); no goal given"
        )
        return ScaleRecommendation(settings, "formula", rate, room, design, None, derivation)
    return _for_goals(
        rate,
        request_time_ms,
        slots,
        room,
        (wait_goal_ms, latency_goal_ms),
        (pct, slots, arrival_cv2, service_cv2),
    )


def _for_goals(
    rate: float,
    request_time_ms: float,
    slots: int,
    room: float,
    goals_ms: tuple[float | None, float | None],
    model: tuple[float, int, float, float],
) -> ScaleRecommendation:
    """recommend_scale_settings with a goal: see there."""
    wait_goal_ms, latency_goal_ms = goals_ms
    pct = model[0]
    seconds = request_time_ms / 1000
    design = rate * (1.0 + room)
    needs = []
    if wait_goal_ms is not None:
        needs.append(formula.wait_goal_replicas(design, request_time_ms, wait_goal_ms, *model))
    if latency_goal_ms is not None:
        needs.append(
            formula.latency_goal_replicas(design, request_time_ms, latency_goal_ms, *model)
        )
    need = max(needs)
    in_flight = rate * seconds
    percent = max(1, min(100, math.floor(round(100 * in_flight / (slots * need), 9))))
    target = percent / 100
    at_design = design * seconds
    noisy = at_design + NOISE_SIGMAS * math.sqrt(at_design)
    settings = ScaleSettings(
        min_instances=need,
        max_instances=max(need, ceil(noisy / (slots * target))),
        target_utilization_percentage=percent,
        polling_interval_s=RECOMMENDED_POLLING_INTERVAL_S,
    )
    goals = " and ".join(
        f"p{pct:g} {kind} <= {goal:g} ms"
        for kind, goal in (("wait", wait_goal_ms), ("latency", latency_goal_ms))
        if goal is not None
    )
    derivation = (
        f"minInstances {need}: {goals} at {design:g} rps ({rate:g} +{room:.0%}, Erlang C); "
        f"targetUtilizationPercentage {percent}: floor(100 x {in_flight:g} in flight / "
        f"({slots} x {need})); maxInstances {settings.max_instances}: "
        f"ceil(({at_design:g} + {NOISE_SIGMAS:g} x sqrt({at_design:g})) / ({slots} x "
        f"{target:g}))"
    )
    return ScaleRecommendation(settings, "goal", rate, room, design, need, derivation)


def reaction_time_s(
    polling_interval_s: float = 1.0,
    scale_up_delay_s: float = inference_router.SCALE_UP_DELAY_S,
    pod_start_s: float = 0.0,
    model_load_s: float = 0.0,
) -> float:
    """Worst case from a rise in load to a new replica serving, as the Autoscaler behaves.

    The rise just missed a poll; the autoscaler acts once every poll in the last
    scale_up_delay_s saw it (at least one poll); then the pod starts and loads the model.
    """
    poll = positive("polling_interval_s", polling_interval_s, MAX_SECONDS, "s")
    delay = non_negative("scale_up_delay_s", scale_up_delay_s, MAX_SECONDS, "s")
    polls = max(1, ceil(delay / poll))
    return (
        polls * poll
        + non_negative("pod_start_s", pod_start_s, MAX_SECONDS, "s")
        + non_negative("model_load_s", model_load_s, MAX_SECONDS, "s")
    )


def reaction_min_instances(
    burst_rps: float,
    request_time_ms: float,
    burst_duration_s: float,
    reaction_s: float,
    max_concurrent: int = 1,
    max_wait_ms: float = 0.0,
) -> int:
    """minInstances that carry a burst of `burst_rps` (total) alone until new replicas arrive.

    No replica added for the burst serves before `reaction_s`, so for min(burst_duration_s,
    reaction_s) the standing replicas carry it. Fluid model: with capacity m = replicas x
    max_concurrent / request time, the backlog grows at (burst_rps - m), and the last request of
    that stretch waits (burst_rps / m - 1) x stretch. Keeping that <= max_wait (0: no backlog at
    all) gives replicas >= burst_rps x request time / (max_concurrent x (1 + max_wait / stretch)).
    """
    rate, seconds = formula.load(burst_rps, request_time_ms)
    stretch = min(
        positive("burst_duration_s", burst_duration_s, MAX_SECONDS, "s"),
        positive("reaction_s", reaction_s, 4 * MAX_SECONDS, "s"),
    )
    slots = count("max_concurrent", max_concurrent, maximum=formula.MAX_CONCURRENT)
    max_wait_s = non_negative("max_wait_ms", max_wait_ms, formula.MAX_REQUEST_TIME_MS, "ms") / 1000
    return max(1, ceil(rate * seconds / (slots * (1 + max_wait_s / stretch))))


@dataclass(frozen=True)
class RampHeadroom:
    extra_replicas: int  # replicas beyond what the current load needs at 100 %
    max_target_utilization: float  # the highest target that keeps that headroom at base_rps


def ramp_headroom(
    base_rps: float,
    ramp_rps_per_s: float,
    request_time_ms: float,
    reaction_s: float,
    max_concurrent: int = 1,
) -> RampHeadroom:
    """Headroom to follow a ramp of `ramp_rps_per_s`: the load grows by ramp x reaction_s
    before a replica asked for now serves. At a target utilization u the autoscaler keeps
    base_rps x (1/u - 1) spare, so u <= base / (base + ramp x reaction_s)."""
    base, seconds = formula.load(base_rps, request_time_ms)
    ramp = non_negative("ramp_rps_per_s", ramp_rps_per_s, formula.MAX_RPS)
    reaction = positive("reaction_s", reaction_s, 4 * MAX_SECONDS, "s")
    slots = count("max_concurrent", max_concurrent, maximum=formula.MAX_CONCURRENT)
    growth = ramp * reaction
    return RampHeadroom(
        extra_replicas=ceil(growth * seconds / slots),
        max_target_utilization=base / (base + growth),
    )


@dataclass(frozen=True)
class RouterSizing:
    instances: int  # azureml-fe pods needed, the coordinator included
    deployed: int  # what the extension deploys: 3 with inferenceRouterHA, else 1
    advice: tuple[str, ...]


def router_instances(rps: float, ha: bool = True) -> RouterSizing:
    """azureml-fe instances for `rps`: ceil(rps / 5,000) serving ones plus the coordinator.

    With HA the extension deploys 3 (one coordinates, two serve); without it one instance does
    both, so a coordinator is only added on top once more than one instance serves.
    """
    rate = positive("rps", rps, formula.MAX_RPS)
    serving = max(1, math.ceil(rate / inference_router.RPS_PER_INSTANCE))
    deployed = inference_router.INSTANCES_HA if ha else inference_router.INSTANCES_SINGLE
    instances = max(deployed, serving + 1) if ha or serving > 1 else 1
    advice = []
    if rate > inference_router.ADVICE_RPS:
        advice.append(
            f"{rate:,.0f} rps is above the documented {inference_router.ADVICE_RPS:,} rps: raise "
            "the azureml-fe pods' resource requests/limits (default limit "
            f"{inference_router.DEFAULT_LIMIT_CPU} vCPU, {inference_router.DEFAULT_LIMIT_MEMORY}B) "
            "or ask Microsoft"
        )
    if instances > deployed:
        advice.append(
            f"needs {instances} azureml-fe instances but the extension deploys {deployed}; a "
            "raised count is overwritten with the inferenceRouterHA value on every extension "
            "upgrade"
        )
    return RouterSizing(instances=instances, deployed=deployed, advice=tuple(advice))
