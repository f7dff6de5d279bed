"""Replicas for a request rate: the documented formula, and the counts a wait or latency goal
needs (Erlang C), with the waits and latencies they predict. Pure Python (no numpy): the stack
settings and the policy pack size deployments with it.

Units are the stack's: request times and goals in milliseconds, rates in requests per second.
"""

from __future__ import annotations

import math

from catalog import endpoints, inference_router
from router import queueing
from router.inputs import InputError, amount, ceil, count, non_negative, percentile, positive

__all__ = [
    "MAX_CONCURRENT",
    "MAX_LOAD",
    "MAX_REQUEST_TIME_MS",
    "MAX_RPS",
    "formula_replicas",
    "latency_goal_replicas",
    "load",
    "predicted_latency_ms",
    "predicted_wait_ms",
    "replicas_for_load",
    "target_percentage",
    "variability",
    "wait_goal_replicas",
]

# Bounds, so a typo cannot hang sizing (the goal searches are linear in the answer).
MAX_RPS = 1_000_000.0  # 100 x the rate above which the docs say to raise azureml-fe's resources
MAX_REQUEST_TIME_MS = 86_400_000.0  # a day
MAX_LOAD = 1_000_000.0  # requests in flight: rps x request time
MAX_CONCURRENT = 1000
OVERHEAD_P99_MS = inference_router.OVERHEAD_P99_MS


def load(rps: object, request_time_ms: object) -> tuple[float, float]:
    """(rps, request time in seconds), each and their product (requests in flight) in bounds."""
    rate = positive("rps", rps, MAX_RPS)
    seconds = positive("request_time_ms", request_time_ms, MAX_REQUEST_TIME_MS, unit="ms") / 1000
    if rate * seconds > MAX_LOAD:
        raise InputError(
            "rps",
            f"rps x request time is {rate * seconds:,.0f} requests in flight; at most "
            f"{amount(MAX_LOAD)} are sized: check the units (request time in milliseconds)",
        )
    return rate, seconds


def variability(arrival_cv2: object, service_cv2: object) -> tuple[float, float]:
    """Squared coefficients of variation of gaps and request times; 100 is a deviation ten times
    the mean, far burstier than real traffic."""
    arrival = non_negative("arrival_cv2", arrival_cv2, 100.0)
    service = non_negative("service_cv2", service_cv2, 100.0)
    if arrival + service == 0:
        raise InputError(
            "arrival_cv2", "cannot be 0 when service_cv2 is 0 too (no queue to size); use e.g. 1"
        )
    return arrival, service


def formula_replicas(
    rps: object,
    request_time_ms: object,
    max_concurrent: object = 1,
    target_utilization_percentage: object = endpoints.TARGET_UTILIZATION_DEFAULT,
) -> int:
    """The documented formula: ceil(rps x request time / target utilization / max concurrent).

    Learn "Azure Machine Learning inference router": concurrentRequests = targetRps x reqTime /
    targetUtilization, replicas = ceil(concurrentRequests / maxReqPerContainer);
    20 rps, 10,000 ms, 1, 0.7 -> 286.
    """
    rate, seconds = load(rps, request_time_ms)
    slots = count("max_concurrent", max_concurrent, maximum=MAX_CONCURRENT)
    target = target_percentage(target_utilization_percentage) / 100
    return replicas_for_load(rate * seconds, slots, target)


def replicas_for_load(in_flight: float, max_concurrent: int, target_utilization: float) -> int:
    """The formula on checked values: replicas that keep `in_flight` requests at the target
    utilization (a fraction). The simulator applies it to each stretch of its traffic."""
    return ceil(in_flight / target_utilization / max_concurrent)


def target_percentage(value: object) -> int:
    """A target utilization as the stack gives it: a whole percent."""
    return count(
        "target_utilization_percentage",
        value,
        endpoints.TARGET_UTILIZATION_MIN,
        endpoints.TARGET_UTILIZATION_MAX,
    )


def _queue(
    rps: object,
    request_time_ms: object,
    wait_percentile: object,
    max_concurrent: object,
    arrival_cv2: object,
    service_cv2: object,
) -> tuple[float, float, float, int, float, float]:
    """The queue a goal is sized on, checked: (rps, request time s, percentile, slots per
    replica, arrival cv2, service cv2)."""
    rate, seconds = load(rps, request_time_ms)
    pct = percentile("wait_percentile", wait_percentile)
    slots = count("max_concurrent", max_concurrent, maximum=MAX_CONCURRENT)
    ca2, cs2 = variability(arrival_cv2, service_cv2)
    return rate, seconds, pct, slots, ca2, cs2


def _wait_goal_s(wait_goal_ms: object) -> float:
    """The share of a wait goal left for queueing once azureml-fe's p99 overhead is taken."""
    goal = positive("wait_goal_ms", wait_goal_ms, unit="ms")
    if goal <= OVERHEAD_P99_MS:
        raise InputError(
            "wait_goal_ms",
            f"must exceed azureml-fe's own p99 overhead of {OVERHEAD_P99_MS:g} ms (got "
            f"{goal:g}); no replica count can meet it",
        )
    return (goal - OVERHEAD_P99_MS) / 1000.0


def wait_goal_replicas(
    rps: object,
    request_time_ms: object,
    wait_goal_ms: object,
    wait_percentile: object = 99.0,
    max_concurrent: object = 1,
    arrival_cv2: object = 1.0,
    service_cv2: object = 1.0,
) -> int:
    """Fewest replicas whose `wait_percentile` of (queue wait + azureml-fe overhead) is at most
    wait_goal_ms.

    Queue wait from M/M/c (Erlang C) with c = replicas x max_concurrent; arrival_cv2 > 1 models
    burstier than Poisson traffic, service_cv2 != 1 non-exponential request times (Allen-Cunneen).
    The overhead is the documented p99 bound, which also bounds every lower percentile.
    """
    rate, seconds, pct, slots, ca2, cs2 = _queue(
        rps, request_time_ms, wait_percentile, max_concurrent, arrival_cv2, service_cv2
    )
    goal_s = _wait_goal_s(wait_goal_ms)
    return queueing.min_servers(rate, seconds, pct, goal_s, slots, ca2, cs2) // slots


def predicted_wait_ms(
    replicas: int,
    rps: float,
    request_time_ms: float,
    wait_percentile: float = 99.0,
    max_concurrent: int = 1,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> float:
    """The percentile of queue wait plus azureml-fe's p99 overhead (ms); inf if overloaded."""
    wait_s = queueing.wait_percentile(
        replicas * max_concurrent,
        rps,
        request_time_ms / 1000,
        wait_percentile,
        arrival_cv2,
        service_cv2,
    )
    return wait_s * 1000.0 + OVERHEAD_P99_MS


def _latency_goal_s(latency_goal_ms: object, seconds: float, pct: float, cv2: float) -> float:
    """The share of a latency goal left for queueing and scoring once azureml-fe's p99 overhead
    is taken; refused when the request time alone misses it."""
    goal = positive("latency_goal_ms", latency_goal_ms, MAX_REQUEST_TIME_MS, unit="ms")
    if cv2 not in (0.0, 1.0):
        raise InputError(
            "service_cv2",
            f"a latency goal models exponential (1) or constant (0) request times (got {cv2:g}); "
            "use a wait goal for other shapes",
        )
    miss = 1.0 - pct / 100.0
    # With no queue at all the latency is the request time: its percentile is the floor.
    alone_s = seconds if cv2 == 0 else seconds * math.log(1.0 / miss)
    floor_ms = alone_s * 1000 + OVERHEAD_P99_MS
    if goal <= floor_ms:
        raise InputError(
            "latency_goal_ms",
            f"must exceed {floor_ms:,.1f} ms, the p{pct:g} of the request time alone plus "
            f"azureml-fe's {OVERHEAD_P99_MS:g} ms (got {goal:g}); no replica count can meet it",
        )
    return (goal - OVERHEAD_P99_MS) / 1000.0


def latency_goal_replicas(
    rps: object,
    request_time_ms: object,
    latency_goal_ms: object,
    wait_percentile: object = 99.0,
    max_concurrent: object = 1,
    arrival_cv2: object = 1.0,
    service_cv2: object = 1.0,
) -> int:
    """Fewest replicas whose `wait_percentile` of (azureml-fe overhead + queue wait + request
    time) is at most latency_goal_ms. The request time is exponential (service_cv2 1) or
    constant (0); the wait is M/M/c (Allen-Cunneen for arrival_cv2 != 1)."""
    rate, seconds, pct, slots, ca2, cs2 = _queue(
        rps, request_time_ms, wait_percentile, max_concurrent, arrival_cv2, service_cv2
    )
    goal_s = _latency_goal_s(latency_goal_ms, seconds, pct, cs2)
    return queueing.min_servers_for_latency(rate, seconds, pct, goal_s, slots, ca2, cs2) // slots


def predicted_latency_ms(
    replicas: int,
    rps: float,
    request_time_ms: float,
    wait_percentile: float = 99.0,
    max_concurrent: int = 1,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
) -> float:
    """The percentile of wait + request time plus azureml-fe's p99 overhead (ms); inf if
    overloaded. Bisection on the tail, to 0.01 ms."""
    seconds = request_time_ms / 1000
    servers, miss = replicas * max_concurrent, 1.0 - wait_percentile / 100.0
    if rps * seconds >= servers:
        return math.inf

    def tail(t: float) -> float:
        return queueing.latency_tail(servers, rps, seconds, t, arrival_cv2, service_cv2)

    low, high = 0.0, seconds
    while tail(high) > miss:
        low, high = high, high * 2
    while high - low > 1e-5:
        middle = (low + high) / 2
        low, high = (middle, high) if tail(middle) > miss else (low, middle)
    return high * 1000.0 + OVERHEAD_P99_MS
