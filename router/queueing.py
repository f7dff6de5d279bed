"""Waiting times of a c-server FCFS queue: M/M/c exactly (Erlang C), G/G/c approximately.

A slot is one of max_concurrent_requests_per_instance request slots of a replica, so a
deployment of r replicas with k slots each is a queue with c = r * k servers, each serving at
the mean request time (concurrency is assumed not to slow a replica down).

Burstier than Poisson traffic uses the Allen-Cunneen approximation: the probability of waiting
stays Erlang C, the conditional wait keeps its exponential shape and its mean is scaled by
(ca2 + cs2) / 2, where ca2 and cs2 are the squared coefficients of variation of the
inter-arrival and service times (1 and 1 for M/M/c, where the result is exact).
Pure Python (math only), so sizing stays importable without numpy.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b",
    "erlang_c",
    "latency_tail",
    "mean_wait",
    "min_servers",
    "min_servers_for_latency",
    "wait_percentile",
    "wait_tail",
]


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with `load` = arrival rate x service time (Erlangs).

    The recursion B(k) = a B(k-1) / (k + a B(k-1)) never overflows, unlike a^c / c!,
    so it stays exact for tens of thousands of servers.
    """
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def _erlang_c_from_b(servers: int, load: float, b: float) -> float:
    if load >= servers:
        return 1.0  # unstable: every request waits, and the queue grows without bound
    rho = load / servers
    return b / (1.0 - rho * (1.0 - b))


def erlang_c(servers: int, load: float) -> float:
    """Probability that a request waits at all in M/M/c (1.0 when load >= servers)."""
    return _erlang_c_from_b(servers, load, erlang_b(servers, load))


def _drain_rate(servers: int, rate: float, service_time: float, ca2: float, cs2: float) -> float:
    """Rate of the exponential conditional wait: (c mu - lambda) / ((ca2 + cs2) / 2)."""
    return (servers / service_time - rate) / ((ca2 + cs2) / 2.0)


def wait_tail(
    servers: int, rate: float, service_time: float, t: float, ca2: float = 1.0, cs2: float = 1.0
) -> float:
    """P(queue wait > t) for `rate` requests/s each taking `service_time` s on average."""
    load = rate * service_time
    if load >= servers:
        return 1.0
    return erlang_c(servers, load) * math.exp(
        -_drain_rate(servers, rate, service_time, ca2, cs2) * t
    )


def _percentile_from_c(c_prob: float, drain: float, percentile: float) -> float:
    miss = 1.0 - percentile / 100.0
    return 0.0 if c_prob <= miss else math.log(c_prob / miss) / drain


def wait_percentile(
    servers: int,
    rate: float,
    service_time: float,
    percentile: float,
    ca2: float = 1.0,
    cs2: float = 1.0,
) -> float:
    """Queue wait (s) not exceeded by `percentile` % of requests; inf when unstable."""
    load = rate * service_time
    if load >= servers:
        return math.inf
    drain = _drain_rate(servers, rate, service_time, ca2, cs2)
    return _percentile_from_c(erlang_c(servers, load), drain, percentile)


def mean_wait(
    servers: int, rate: float, service_time: float, ca2: float = 1.0, cs2: float = 1.0
) -> float:
    """Mean queue wait (s); inf when unstable."""
    load = rate * service_time
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) / _drain_rate(servers, rate, service_time, ca2, cs2)


def _first_servers(rate: float, service_time: float, step: int, good) -> int:
    """Smallest multiple of `step` servers, above the stability bound, for which
    good(servers, erlang_c, drain factor) holds; the condition must be monotone in servers.

    Walks the Erlang B recursion upwards once, so the cost is O(answer), not O(answer^2).
    """
    load = rate * service_time
    b, k = 1.0, 0
    while True:
        k += 1
        b = load * b / (k + load * b)
        if k % step or k <= load:
            continue
        if good(k, _erlang_c_from_b(k, load, b)):
            return k


def min_servers(
    rate: float,
    service_time: float,
    percentile: float,
    max_wait: float,
    step: int = 1,
    ca2: float = 1.0,
    cs2: float = 1.0,
) -> int:
    """Smallest multiple of `step` servers whose `percentile` queue wait is <= max_wait (s)."""

    def good(servers: int, c_prob: float) -> bool:
        drain = _drain_rate(servers, rate, service_time, ca2, cs2)
        return _percentile_from_c(c_prob, drain, percentile) <= max_wait

    return _first_servers(rate, service_time, step, good)


def _latency_tail_from_c(
    c_prob: float, drain: float, service_time: float, t: float, cs2: float
) -> float:
    if cs2 == 0.0:  # constant request time: the wait alone must fit in what is left
        if t < service_time:
            return 1.0
        return c_prob * math.exp(-drain * (t - service_time))
    mu = 1.0 / service_time  # exponential request time
    service_tail = math.exp(-mu * t)
    if abs(drain - mu) <= 1e-9 * mu:
        both = (1.0 + mu * t) * service_tail
    else:  # wait and request time both exponential: the tail of their sum
        both = (drain * service_tail - mu * math.exp(-drain * t)) / (drain - mu)
    return (1.0 - c_prob) * service_tail + c_prob * both


def latency_tail(
    servers: int, rate: float, service_time: float, t: float, ca2: float = 1.0, cs2: float = 1.0
) -> float:
    """P(queue wait + request time > t). The request time is exponential (cs2 = 1) or
    constant (cs2 = 0); the wait is Erlang C's (Allen-Cunneen for ca2 != 1)."""
    if cs2 not in (0.0, 1.0):
        raise ValueError("latency_tail models exponential (cs2=1) or constant (cs2=0) requests")
    load = rate * service_time
    if load >= servers:
        return 1.0
    drain = _drain_rate(servers, rate, service_time, ca2, cs2)
    return _latency_tail_from_c(erlang_c(servers, load), drain, service_time, t, cs2)


def min_servers_for_latency(
    rate: float,
    service_time: float,
    percentile: float,
    max_latency: float,
    step: int = 1,
    ca2: float = 1.0,
    cs2: float = 1.0,
) -> int:
    """Smallest multiple of `step` servers whose `percentile` of wait + request time is
    <= max_latency (s). The caller checks that the request time alone fits (else no answer)."""
    miss = 1.0 - percentile / 100.0

    def good(servers: int, c_prob: float) -> bool:
        drain = _drain_rate(servers, rate, service_time, ca2, cs2)
        return _latency_tail_from_c(c_prob, drain, service_time, max_latency, cs2) <= miss

    return _first_servers(rate, service_time, step, good)
