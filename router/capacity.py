"""Sizing: replicas for a request rate, for a wait or latency goal, complete scale settings
that hold a goal under the autoscaler, bursts and ramps; the router itself; and whether
max_instances fits on the nodes.

No numpy here: the stack settings size deployments with it (formula_replicas,
recommend_scale_settings), where numpy need not be installed; a test imports it with numpy
blocked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from router import queueing
from router.errors import InputError, amount, show
from router.scale import ScaleSettings

__all__ = [
    "NodeFit",
    "PoolFit",
    "RampHeadroom",
    "RouterSizing",
    "ScaleRecommendation",
    "Sizing",
    "formula_replicas",
    "latency_replicas",
    "node_fit",
    "predicted_latency_ms",
    "predicted_wait_ms",
    "ramp_headroom",
    "reaction_min_instances",
    "reaction_time_s",
    "recommend_scale_settings",
    "router_instances",
    "size",
    "slo_replicas",
]

# Source: Learn "Azure ML inference router" (seeds/003, how-to-kubernetes-inference-routing-azureml-fe):
# azureml-fe serves up to 5,000 rps per instance with <= 3 ms mean and <= 15 ms p99 overhead;
# above 10,000 rps raise its resources (default limit 2 vCPU, 1.2 GB per pod); the extension
# deploys 3 instances with inferenceRouterHA (one coordinates), else 1; a raised instance count
# is overwritten on extension upgrade.
ROUTER_RPS_PER_INSTANCE = 5000
ROUTER_ADVICE_RPS = 10000
ROUTER_OVERHEAD_MEAN_MS = 3.0
ROUTER_OVERHEAD_P99_MS = 15.0
ROUTER_INSTANCES_HA = 3
ROUTER_INSTANCES_SINGLE = 1

# Bounds, so a typo cannot hang sizing (the latency-goal search is linear in the answer).
MAX_RPS = 1_000_000.0  # 100 x the rate above which the docs say to raise azureml-fe's resources
MAX_REQUEST_TIME_S = 86400.0
MAX_LOAD_ERLANGS = 1_000_000.0  # requests in flight: rps x request time
MAX_CONCURRENT = 1000
# Recommended scale settings: the goal must still hold at rps x (1 + DEFAULT_HEADROOM), and
# max_instances leaves room for NOISE_SIGMAS standard deviations of the sampled load (the count
# of requests in flight is about Poisson, so its deviation is the square root of its mean).
DEFAULT_HEADROOM = 0.10
MAX_HEADROOM = 10.0
NOISE_SIGMAS = 3.0
# The documented default, and the fastest reaction; polls are cheap.
RECOMMENDED_POLLING_INTERVAL_S = 1


def _positive(field: str, value: float, maximum: float = math.inf) -> float:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not value > 0
        or math.isinf(value)
    ):
        raise InputError(field, f"must be a number > 0 (got {show(value)})")
    if value > maximum:
        raise InputError(field, f"must be at most {amount(maximum)} (got {show(value)})")
    return float(value)


def _load(rps: float, request_time_s: float) -> tuple[float, float]:
    """rps and request time, each and their product (requests in flight) within bounds."""
    rps = _positive("rps", rps, MAX_RPS)
    request_time_s = _positive("request_time_s", request_time_s, MAX_REQUEST_TIME_S)
    if rps * request_time_s > MAX_LOAD_ERLANGS:
        raise InputError(
            "rps",
            f"rps x request time is {rps * request_time_s:,.0f} requests in flight; at most "
            f"{MAX_LOAD_ERLANGS:,.0f} are sized: check the units (request time in seconds)",
        )
    return rps, request_time_s


def _non_negative(field: str, value: float, maximum: float = math.inf) -> float:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not value >= 0
        or math.isinf(value)
    ):
        raise InputError(field, f"must be a number >= 0 (got {show(value)})")
    if value > maximum:
        raise InputError(field, f"must be at most {amount(maximum)} (got {show(value)})")
    return float(value)


def _count(field: str, value: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(field, f"must be a whole number >= 1 (got {show(value)})")
    if maximum is not None and value > maximum:
        raise InputError(field, f"must be at most {maximum:,} (got {value:,})")
    return value


def _fraction(field: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1:
        raise InputError(
            field, f"must be a fraction in (0, 1], e.g. 0.7 for 70 % (got {show(value)})"
        )
    return float(value)


def _percentile(field: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 100:
        raise InputError(
            field, f"must be a percentile between 0 and 100, e.g. 99 (got {show(value)})"
        )
    return float(value)


def _ceil(x: float) -> int:
    # 7 rps x 1 s / 0.7 is 10.000000000000002 in floating point; that is 10 replicas, not 11.
    return math.ceil(round(x, 9))


def formula_replicas(
    rps: float, request_time_s: float, max_concurrent: int = 1, target_utilization: float = 0.7
) -> int:
    """The documented formula: ceil(rps x request time / target utilization / max concurrent).

    Source: Learn "Azure ML inference router" and "Deploy a model to AKS with v1" (seeds/002,
    seeds/003): concurrentRequests = targetRps * reqTime / targetUtilization,
    replicas = ceil(concurrentRequests / maxReqPerContainer); 20 rps, 10 s, 1, 0.7 -> 286.
    """
    rps, request_time_s = _load(rps, request_time_s)
    max_concurrent = _count("max_concurrent", max_concurrent, MAX_CONCURRENT)
    target_utilization = _fraction("target_utilization", target_utilization)
    return _ceil(rps * request_time_s / target_utilization / max_concurrent)


def _queue_wait_goal_s(slo_wait_ms: float) -> float:
    """The share of a wait goal left for queueing once azureml-fe's p99 overhead is taken."""
    slo_wait_ms = _positive("slo_wait_ms", slo_wait_ms)
    if slo_wait_ms <= ROUTER_OVERHEAD_P99_MS:
        raise InputError(
            "slo_wait_ms",
            f"must exceed azureml-fe's own p99 overhead of {ROUTER_OVERHEAD_P99_MS:g} ms (got {slo_wait_ms:g}); "
            "no replica count can meet it",
        )
    return (slo_wait_ms - ROUTER_OVERHEAD_P99_MS) / 1000.0


def _variability(arrival_cv2: float, service_cv2: float) -> tuple[float, float]:
    # 100: a gap or request-time deviation ten times its mean, far burstier than real traffic.
    arrival_cv2 = _non_negative("arrival_cv2", arrival_cv2, 100.0)
    service_cv2 = _non_negative("service_cv2", service_cv2, 100.0)
    if arrival_cv2 + service_cv2 == 0:
        raise InputError(
            "arrival_cv2", "cannot be 0 when service_cv2 is 0 too (no queue to size); use e.g. 1"
        )
    return arrival_cv2, service_cv2


def slo_replicas(
    rps: float,
    request_time_s: float,
    slo_wait_ms: float,
    slo_percentile: float = 99.0,
    max_concurrent: int = 1,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> int:
    """Smallest replica count whose `slo_percentile` of (queue wait + azureml-fe overhead) <= slo_wait_ms.

    Queue wait from M/M/c (Erlang C) with c = replicas x max_concurrent; arrival_cv2 > 1 models
    burstier than Poisson traffic, service_cv2 != 1 non-exponential request times (Allen-Cunneen).
    The overhead is the documented p99 bound of 15 ms, which also bounds every lower percentile.
    """
    rps, request_time_s = _load(rps, request_time_s)
    goal_s = _queue_wait_goal_s(slo_wait_ms)
    slo_percentile = _percentile("slo_percentile", slo_percentile)
    max_concurrent = _count("max_concurrent", max_concurrent, MAX_CONCURRENT)
    arrival_cv2, service_cv2 = _variability(arrival_cv2, service_cv2)
    servers = queueing.min_servers(
        rps, request_time_s, slo_percentile, goal_s, max_concurrent, arrival_cv2, service_cv2
    )
    return servers // max_concurrent


def predicted_wait_ms(
    replicas: int,
    rps: float,
    request_time_s: float,
    percentile: float = 99.0,
    max_concurrent: int = 1,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> float:
    """The `percentile` of queue wait plus azureml-fe's p99 overhead (ms) for `replicas`; inf if overloaded."""
    wait_s = queueing.wait_percentile(
        replicas * max_concurrent, rps, request_time_s, percentile, arrival_cv2, service_cv2
    )
    return wait_s * 1000.0 + ROUTER_OVERHEAD_P99_MS


def _latency_goal_s(slo_latency_ms: float, request_time_s: float, percentile: float, cv2: float):
    """The share of a latency goal left for queueing and scoring once azureml-fe's p99 overhead
    is taken; rejected when the request time alone misses it."""
    slo_latency_ms = _positive("slo_latency_ms", slo_latency_ms, MAX_REQUEST_TIME_S * 1000)
    if cv2 not in (0.0, 1.0):
        raise InputError(
            "service_cv2",
            f"a latency goal models exponential (1) or constant (0) request times (got {cv2:g}); "
            "use --slo-wait-ms for other shapes",
        )
    miss = 1.0 - percentile / 100.0
    # With no queue at all the latency is the request time: its percentile is the floor.
    alone_s = request_time_s if cv2 == 0 else request_time_s * math.log(1.0 / miss)
    floor_ms = alone_s * 1000 + ROUTER_OVERHEAD_P99_MS
    if slo_latency_ms <= floor_ms:
        raise InputError(
            "slo_latency_ms",
            f"must exceed {floor_ms:,.1f} ms, the p{percentile:g} of the request time alone plus "
            f"azureml-fe's {ROUTER_OVERHEAD_P99_MS:g} ms (got {slo_latency_ms:g}); "
            "no replica count can meet it",
        )
    return (slo_latency_ms - ROUTER_OVERHEAD_P99_MS) / 1000.0


def latency_replicas(
    rps: float,
    request_time_s: float,
    slo_latency_ms: float,
    slo_percentile: float = 99.0,
    max_concurrent: int = 1,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> int:
    """Smallest replica count whose `slo_percentile` of (azureml-fe overhead + queue wait +
    request time) <= slo_latency_ms. The request time is exponential (service_cv2 1) or
    constant (0); the wait is M/M/c (Allen-Cunneen for arrival_cv2 != 1)."""
    rps, request_time_s = _load(rps, request_time_s)
    slo_percentile = _percentile("slo_percentile", slo_percentile)
    max_concurrent = _count("max_concurrent", max_concurrent, MAX_CONCURRENT)
    arrival_cv2, service_cv2 = _variability(arrival_cv2, service_cv2)
    goal_s = _latency_goal_s(slo_latency_ms, request_time_s, slo_percentile, service_cv2)
    servers = queueing.min_servers_for_latency(
        rps, request_time_s, slo_percentile, goal_s, max_concurrent, arrival_cv2, service_cv2
    )
    return servers // max_concurrent


def predicted_latency_ms(
    replicas: int,
    rps: float,
    request_time_s: float,
    percentile: float = 99.0,
    max_concurrent: int = 1,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> float:
    """The `percentile` of wait + request time plus azureml-fe's p99 overhead (ms); inf if
    overloaded. Bisection on the tail, to 0.01 ms."""
    servers, miss = replicas * max_concurrent, 1.0 - percentile / 100.0
    if rps * request_time_s >= servers:
        return math.inf

    def tail(t: float) -> float:
        return queueing.latency_tail(servers, rps, request_time_s, t, arrival_cv2, service_cv2)

    low, high = 0.0, request_time_s
    while tail(high) > miss:
        low, high = high, high * 2
    while high - low > 1e-5:
        middle = (low + high) / 2
        low, high = (middle, high) if tail(middle) > miss else (low, middle)
    return high * 1000.0 + ROUTER_OVERHEAD_P99_MS


@dataclass(frozen=True)
class ScaleRecommendation:
    """Scale settings for a traffic level and a goal, and why."""

    settings: ScaleSettings
    basis: str  # "goal" (sized for a wait or latency goal) or "formula" (the docs' formula only)
    rps: float
    headroom: float  # the goal still holds at rps x (1 + headroom)
    design_rps: float
    goal_replicas: int | None  # replicas the goal needs at design_rps: min_instances
    derivation: str  # how each setting was found, one line, for previews and reports

    def to_dict(self) -> dict:
        """The deployment's scale settings in the stack's camelCase."""
        return {
            "maxInstances": self.settings.max_instances,
            "minInstances": self.settings.min_instances,
            "pollingInterval": self.settings.polling_interval,
            "targetUtilizationPercentage": self.settings.target_utilization_percentage,
        }


def recommend_scale_settings(
    rps: float,
    request_time_s: float,
    max_concurrent: int = 1,
    *,
    wait_goal_ms: float | None = None,
    latency_goal_ms: float | None = None,
    percentile: float = 99.0,
    headroom: float = DEFAULT_HEADROOM,
    target_utilization: float = 0.7,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> ScaleRecommendation:
    """Complete scale settings that hold a goal under azureml-fe's autoscaler. Pure Python.

    With a goal (wait: p-th percentile of queue wait + overhead; latency: of wait + request
    time + overhead), sized at design = rps x (1 + headroom):
    - min_instances = the replicas the goal needs at design, so the goal never waits for the
      autoscaler: new pods take the start delay (often minutes) to serve;
    - target utilization = the highest whole percent at which the autoscaler, seeing rps,
      still asks for min_instances: rps x request time / (max_concurrent x min_instances).
      Above rps it adds replicas in proportion, and because larger pools queue less, the
      goal keeps holding as it grows;
    - max_instances = what it asks for at design plus NOISE_SIGMAS deviations of the sampled
      load, so noise alone does not pin it at the cap. Traffic beyond that is not served to
      the goal: raise max_instances for more;
    - polling_interval = 1 s.
    Without a goal, the docs' formula: min 1, max = formula_replicas at target_utilization.
    """
    rps, request_time_s = _load(rps, request_time_s)
    max_concurrent = _count("max_concurrent", max_concurrent, MAX_CONCURRENT)
    headroom = _non_negative("headroom", headroom, MAX_HEADROOM)
    percentile = _percentile("slo_percentile", percentile)
    design = rps * (1.0 + headroom)
    if design > MAX_RPS or design * request_time_s > MAX_LOAD_ERLANGS:
        raise InputError(
            "headroom",
            f"rps x (1 + headroom) = {design:,.0f} rps is beyond what is sized "
            f"({amount(MAX_RPS)} rps, {amount(MAX_LOAD_ERLANGS)} requests in flight); lower it",
        )
    if wait_goal_ms is None and latency_goal_ms is None:
        replicas = formula_replicas(rps, request_time_s, max_concurrent, target_utilization)
        settings = ScaleSettings(
            min_instances=1,
            max_instances=replicas,
            target_utilization_percentage=round(
                _fraction("target_utilization", target_utilization) * 100
            ),
            polling_interval=RECOMMENDED_POLLING_INTERVAL_S,
        )
        derivation = (
            f"maxInstances {replicas}: ceil({rps:g} rps x {request_time_s:g} s / "
            f"{target_utilization:g} / {max_concurrent}) (documented formula); no goal given"
        )
        return ScaleRecommendation(settings, "formula", rps, headroom, design, None, derivation)
    model = (percentile, max_concurrent, arrival_cv2, service_cv2)
    needs = []
    if wait_goal_ms is not None:
        needs.append(slo_replicas(design, request_time_s, wait_goal_ms, *model))
    if latency_goal_ms is not None:
        needs.append(latency_replicas(design, request_time_s, latency_goal_ms, *model))
    need = max(needs)
    in_flight = rps * request_time_s
    percent = max(1, min(100, math.floor(round(100 * in_flight / (max_concurrent * need), 9))))
    target = percent / 100
    at_design = design * request_time_s
    noisy = at_design + NOISE_SIGMAS * math.sqrt(at_design)
    settings = ScaleSettings(
        min_instances=need,
        max_instances=max(need, _ceil(noisy / (max_concurrent * target))),
        target_utilization_percentage=percent,
        polling_interval=RECOMMENDED_POLLING_INTERVAL_S,
    )
    goals = " and ".join(
        f"p{percentile:g} {kind} <= {goal:g} ms"
        for kind, goal in (("wait", wait_goal_ms), ("latency", latency_goal_ms))
        if goal is not None
    )
    derivation = (
        f"minInstances {need}: {goals} at {design:g} rps ({rps:g} +{headroom:.0%}, Erlang C); "
        f"targetUtilizationPercentage {percent}: floor(100 x {in_flight:g} in flight / "
        f"({max_concurrent} x {need})); maxInstances {settings.max_instances}: "
        f"ceil(({at_design:g} + {NOISE_SIGMAS:g} x sqrt({at_design:g})) / ({max_concurrent} x "
        f"{target:g}))"
    )
    return ScaleRecommendation(settings, "goal", rps, headroom, design, need, derivation)


def reaction_time_s(
    polling_interval_s: float = 1.0,
    scale_up_delay_s: float = 1.0,
    pod_start_s: float = 0.0,
    model_load_s: float = 0.0,
) -> float:
    """Worst case from a rise in load to a new replica serving, as `Autoscaler` behaves.

    The rise just missed a poll; the autoscaler acts once every poll in the last
    scale_up_delay_s saw it (at least one poll); then the pod starts and loads the model.
    """
    polling_interval_s = _positive("polling_interval_s", polling_interval_s)
    polls = max(1, _ceil(_non_negative("scale_up_delay_s", scale_up_delay_s) / polling_interval_s))
    return (
        polls * polling_interval_s
        + _non_negative("pod_start_s", pod_start_s)
        + _non_negative("model_load_s", model_load_s)
    )


def reaction_min_instances(
    burst_rps: float,
    request_time_s: float,
    burst_duration_s: float,
    reaction_s: float,
    max_concurrent: int = 1,
    max_wait_s: float = 0.0,
) -> int:
    """min_instances that carry a burst of `burst_rps` (total) alone until new replicas arrive.

    No replica added for the burst serves before `reaction_s`, so for min(burst_duration_s, reaction_s)
    the standing replicas carry it. Fluid model: with capacity m = replicas x max_concurrent /
    request_time, the backlog grows at (burst_rps - m), and the last request of that stretch
    waits (burst_rps / m - 1) x stretch. Keeping that <= max_wait_s (0: no backlog at all) gives
    replicas >= burst_rps x request_time / (max_concurrent x (1 + max_wait_s / stretch)).
    """
    burst_rps = _positive("burst_rps", burst_rps, MAX_RPS)
    request_time_s = _positive("request_time_s", request_time_s, MAX_REQUEST_TIME_S)
    stretch = min(
        _positive("burst_duration_s", burst_duration_s), _positive("reaction_s", reaction_s)
    )
    max_concurrent = _count("max_concurrent", max_concurrent)
    max_wait_s = _non_negative("max_wait_s", max_wait_s)
    return max(1, _ceil(burst_rps * request_time_s / (max_concurrent * (1 + max_wait_s / stretch))))


@dataclass(frozen=True)
class RampHeadroom:
    extra_replicas: int  # replicas beyond what the current load needs at 100 %
    max_target_utilization: float  # the highest target that keeps that headroom at base_rps


def ramp_headroom(
    base_rps: float,
    ramp_rps_per_s: float,
    request_time_s: float,
    reaction_s: float,
    max_concurrent: int = 1,
) -> RampHeadroom:
    """Headroom to follow a ramp of `ramp_rps_per_s`: the load grows by ramp x reaction_s
    before a replica asked for now serves. At a target utilization u the autoscaler keeps
    base_rps x (1/u - 1) spare, so u <= base / (base + ramp x reaction_s)."""
    base_rps = _positive("base_rps", base_rps, MAX_RPS)
    ramp_rps_per_s = _non_negative("ramp_rps_per_s", ramp_rps_per_s)
    request_time_s = _positive("request_time_s", request_time_s, MAX_REQUEST_TIME_S)
    reaction_s = _positive("reaction_s", reaction_s)
    max_concurrent = _count("max_concurrent", max_concurrent)
    growth = ramp_rps_per_s * reaction_s
    return RampHeadroom(
        extra_replicas=_ceil(growth * request_time_s / max_concurrent),
        max_target_utilization=base_rps / (base_rps + growth),
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
    rps = _positive("rps", rps, MAX_RPS)
    serving = max(1, math.ceil(rps / ROUTER_RPS_PER_INSTANCE))
    deployed = ROUTER_INSTANCES_HA if ha else ROUTER_INSTANCES_SINGLE
    instances = max(deployed, serving + 1) if ha or serving > 1 else 1
    advice = []
    if rps > ROUTER_ADVICE_RPS:
        advice.append(
            f"{rps:,.0f} rps is above the documented {ROUTER_ADVICE_RPS:,} rps: raise the azureml-fe pods' "
            "resource requests/limits (default limit 2 vCPU, 1.2 GB) or ask Microsoft"
        )
    if instances > deployed:
        advice.append(
            f"needs {instances} azureml-fe instances but the extension deploys {deployed}; a raised count "
            "is overwritten with the inferenceRouterHA value on every extension upgrade"
        )
    return RouterSizing(instances=instances, deployed=deployed, advice=tuple(advice))


# Kubernetes quantities. cpu: "500m" or cores; memory: bytes or a suffixed value like "1500Mi".
_MEMORY_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}
_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def _millicores(field: str, value: object) -> int:
    match = _QUANTITY.match(str(value)) if not isinstance(value, bool) else None
    if not match or match.group(2) not in ("", "m"):
        raise InputError(field, f"must be CPU cores like 2, 0.5 or 500m (got {show(value)})")
    number = float(match.group(1))
    return round(number if match.group(2) == "m" else number * 1000)


def _bytes(field: str, value: object) -> int:
    match = _QUANTITY.match(str(value)) if not isinstance(value, bool) else None
    if not match or match.group(2) not in _MEMORY_SUFFIX:
        raise InputError(
            field, f"must be memory like 1500Mi, 2Gi or a byte count (got {show(value)})"
        )
    return round(float(match.group(1)) * _MEMORY_SUFFIX[match.group(2)])


def _gpus(field: str, value: object) -> int:
    if isinstance(value, bool) or not str(value).isdigit():
        raise InputError(field, f"must be a whole number of GPUs >= 0 (got {show(value)})")
    return int(value)


def _resources(field: str, given: object) -> tuple[int, int, int]:
    """(millicores, bytes, gpus); `gpu` may also be spelt `nvidia.com/gpu` as in instance types."""
    if not isinstance(given, dict):
        raise InputError(
            field, f"expected a mapping with cpu, memory and optionally gpu (got {given!r})"
        )
    unknown = set(given) - {"cpu", "memory", "gpu", "nvidia.com/gpu"}
    if unknown:
        raise InputError(
            f"{field}.{sorted(unknown)[0]}", "unknown resource; use cpu, memory or gpu"
        )
    for key in ("cpu", "memory"):
        if key not in given:
            raise InputError(f"{field}.{key}", "missing; give it like the instance type does")
    gpu = given.get("gpu", given.get("nvidia.com/gpu", 0))
    return (
        _millicores(f"{field}.cpu", given["cpu"]),
        _bytes(f"{field}.memory", given["memory"]),
        _gpus(f"{field}.gpu", gpu),
    )


@dataclass(frozen=True)
class PoolFit:
    name: str
    nodes: int
    per_node: int  # replicas one node of this pool can hold
    replicas: int  # replicas placed on this pool


@dataclass(frozen=True)
class NodeFit:
    requested: int
    schedulable: int
    pending: int  # replicas that would stay Pending: azureml-fe never adds nodes
    pools: tuple[PoolFit, ...]


def node_fit(max_instances: int, requests: dict, pools: list[dict]) -> NodeFit:
    """Do max_instances replicas of `requests` fit on `pools` as they are?

    Each pool is {name, count, allocatable: {cpu, memory, gpu}}, where allocatable is what one
    node has free for this deployment (node allocatable minus what already runs there). All
    replicas are alike, so a node holds the smallest of allocatable / request over the requested
    resources, and pools fill in the order given. Pass only pools the instance type may use
    (its nodeSelector and tolerations): taints are not modelled.
    Source: Learn (seeds/002, 003): azureml-fe scales replicas within the cluster and never
    adds nodes; the cluster autoscaler or a manual scale does.
    """
    max_instances = _count("max_instances", max_instances)
    need = _resources("requests", requests)
    if need[0] == 0 and need[1] == 0 and need[2] == 0:
        raise InputError(
            "requests", "request some cpu, memory or gpu; an empty request fits anywhere"
        )
    if not isinstance(pools, (list, tuple)) or not pools:
        raise InputError("pools", "give at least one node pool with name, count and allocatable")
    left, fits = max_instances, []
    for i, pool in enumerate(pools):
        if not isinstance(pool, dict) or not {"name", "count", "allocatable"} <= set(pool):
            raise InputError(f"pools[{i}]", "expected a mapping with name, count and allocatable")
        count = pool["count"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(
                f"pools[{i}].count", f"must be a whole number of nodes >= 0 (got {show(count)})"
            )
        have = _resources(f"pools[{i}].allocatable", pool["allocatable"])
        per_node = min(h // n for h, n in zip(have, need) if n)
        placed = min(left, per_node * count)
        left -= placed
        fits.append(
            PoolFit(name=str(pool["name"]), nodes=count, per_node=per_node, replicas=placed)
        )
    return NodeFit(
        requested=max_instances, schedulable=max_instances - left, pending=left, pools=tuple(fits)
    )


@dataclass(frozen=True)
class Sizing:
    """All numbers `python -m router size` reports."""

    rps: float
    request_time_s: float
    max_concurrent: int
    target_utilization: float
    slo_percentile: float
    slo_wait_ms: float | None
    slo_latency_ms: float | None
    arrival_cv2: float
    service_cv2: float
    formula_replicas: int
    formula_wait_ms: float  # slo_percentile of queue wait + overhead with formula_replicas
    slo_replicas: int | None  # the wait goal at rps, with no headroom and no autoscaler
    slo_wait_predicted_ms: float | None
    latency_replicas: int | None  # the latency goal at rps, with no headroom and no autoscaler
    latency_predicted_ms: float | None
    scale: ScaleRecommendation
    router: RouterSizing

    @property
    def concurrent_requests(self) -> float:
        """Offered load in Erlangs: requests in service on average."""
        return self.rps * self.request_time_s

    def to_dict(self) -> dict:
        """camelCase keys, as the CLI's JSON prints them."""
        return {
            "arrivalCv2": self.arrival_cv2,
            "concurrentRequests": round(self.concurrent_requests, 6),
            "designRps": round(self.scale.design_rps, 6),
            "formulaReplicas": self.formula_replicas,
            "formulaWaitMs": _ms(self.formula_wait_ms),
            "goalReplicasAtDesign": self.scale.goal_replicas,
            "headroom": self.scale.headroom,
            "latencyPredictedMs": _ms(self.latency_predicted_ms),
            "latencyReplicas": self.latency_replicas,
            "maxConcurrent": self.max_concurrent,
            "requestTimeS": self.request_time_s,
            "routerAdvice": list(self.router.advice),
            "routerDeployed": self.router.deployed,
            "routerInstances": self.router.instances,
            "rps": self.rps,
            "scaleBasis": self.scale.basis,
            "scaleDerivation": self.scale.derivation,
            "scaleSettings": self.scale.to_dict(),
            "serviceCv2": self.service_cv2,
            "sloLatencyMs": self.slo_latency_ms,
            "sloPercentile": self.slo_percentile,
            "sloReplicas": self.slo_replicas,
            "sloWaitMs": self.slo_wait_ms,
            "sloWaitPredictedMs": _ms(self.slo_wait_predicted_ms),
            "targetUtilization": self.target_utilization,
        }


def _ms(value: float | None) -> float | str | None:
    # JSON has no infinity; say what it means instead.
    if value is None:
        return None
    return "unbounded" if math.isinf(value) else round(value, 3)


def size(
    rps: float,
    request_time_s: float,
    max_concurrent: int = 1,
    target_utilization: float = 0.7,
    slo_wait_ms: float | None = None,
    slo_percentile: float = 99.0,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
    router_ha: bool = True,
    slo_latency_ms: float | None = None,
    headroom: float = DEFAULT_HEADROOM,
) -> Sizing:
    """The formula and the goals' sizes side by side, the recommended scale settings and the
    router. Pure Python: `python -m router size` adds the simulation check."""
    formula = formula_replicas(rps, request_time_s, max_concurrent, target_utilization)
    slo_percentile = _percentile("slo_percentile", slo_percentile)
    arrival_cv2, service_cv2 = _variability(arrival_cv2, service_cv2)
    model = (slo_percentile, max_concurrent, arrival_cv2, service_cv2)
    args = (rps, request_time_s, *model)
    slo = None if slo_wait_ms is None else slo_replicas(rps, request_time_s, slo_wait_ms, *model)
    latency = (
        None
        if slo_latency_ms is None
        else latency_replicas(rps, request_time_s, slo_latency_ms, *model)
    )
    scale = recommend_scale_settings(
        rps,
        request_time_s,
        max_concurrent,
        wait_goal_ms=slo_wait_ms,
        latency_goal_ms=slo_latency_ms,
        percentile=slo_percentile,
        headroom=headroom,
        target_utilization=target_utilization,
        arrival_cv2=arrival_cv2,
        service_cv2=service_cv2,
    )
    return Sizing(
        rps=float(rps),
        request_time_s=float(request_time_s),
        max_concurrent=max_concurrent,
        target_utilization=float(target_utilization),
        slo_percentile=slo_percentile,
        slo_wait_ms=None if slo_wait_ms is None else float(slo_wait_ms),
        slo_latency_ms=None if slo_latency_ms is None else float(slo_latency_ms),
        arrival_cv2=float(arrival_cv2),
        service_cv2=float(service_cv2),
        formula_replicas=formula,
        formula_wait_ms=predicted_wait_ms(formula, *args),
        slo_replicas=slo,
        slo_wait_predicted_ms=None if slo is None else predicted_wait_ms(slo, *args),
        latency_replicas=latency,
        latency_predicted_ms=None if latency is None else predicted_latency_ms(latency, *args),
        scale=scale,
        router=router_instances(rps, router_ha),
    )
