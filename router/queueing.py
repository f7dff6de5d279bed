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

__all__ = ["erlang_b", "erlang_c", "mean_wait", "min_servers", "wait_percentile", "wait_tail"]


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


def min_servers(
    rate: float,
    service_time: float,
    percentile: float,
    max_wait: float,
    step: int = 1,
    ca2: float = 1.0,
    cs2: float = 1.0,
) -> int:
    """Smallest multiple of `step` servers whose `percentile` queue wait is <= max_wait (s).

    Walks the Erlang B recursion upwards once, so the cost is O(answer), not O(answer^2).
    The answer is always above the stability bound (load < servers).
    """
    load = rate * service_time
    b, k = 1.0, 0
    while True:
        k += 1
        b = load * b / (k + load * b)
        if k % step or k <= load:
            continue
        drain = _drain_rate(k, rate, service_time, ca2, cs2)
        if _percentile_from_c(_erlang_c_from_b(k, load, b), drain, percentile) <= max_wait:
            return k
