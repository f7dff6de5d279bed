import math
from fractions import Fraction

import pytest

from router import queueing


def erlang_c_by_definition(c: int, a: Fraction) -> float:
    """P(wait) = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a))), exactly."""
    tail = a**c / math.factorial(c) * c / (c - a)
    return float(tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail))


@pytest.mark.parametrize(("c", "a", "expected"), [(1, 0.5, 0.5), (2, 1, 1 / 3), (3, 2, 4 / 9)])
def test_erlang_c_hand_checked(c, a, expected):
    # M/M/1: P(wait) = rho. M/M/2 at a=1: (1/2 * 2) / (1 + 1 + 1) = 1/3. M/M/3 at a=2: (4/3 * 3) / (1 + 2 + 2 + 4) = 4/9.
    assert queueing.erlang_c(c, a) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(10, Fraction(8)), (10, Fraction(17, 2)), (50, Fraction(45))])
def test_erlang_c_matches_the_definition(c, a):
    assert queueing.erlang_c(c, float(a)) == pytest.approx(erlang_c_by_definition(c, a), rel=1e-12)


def test_erlang_b_hand_checked():
    assert queueing.erlang_b(1, 1.0) == pytest.approx(0.5)
    assert queueing.erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)


def test_large_server_counts_do_not_overflow():
    c = queueing.erlang_c(50_000, 49_000.0)
    assert 0.0 < c < 1e-3
    assert queueing.erlang_c(5, 5.0) == 1.0  # saturated


def test_mm2_wait_by_hand():
    # c=2, lambda=1/s, S=1 s: C=1/3, drain c*mu - lambda = 1/s.
    assert queueing.mean_wait(2, 1.0, 1.0) == pytest.approx(1 / 3)
    assert queueing.wait_tail(2, 1.0, 1.0, 2.0) == pytest.approx(math.exp(-2) / 3)
    assert queueing.wait_percentile(2, 1.0, 1.0, 99) == pytest.approx(math.log(100 / 3))
    assert queueing.wait_percentile(2, 1.0, 1.0, 50) == 0.0  # two thirds never wait
    assert queueing.wait_percentile(2, 2.0, 1.0, 99) == math.inf


def test_burstier_traffic_scales_the_wait():
    base = queueing.mean_wait(10, 8.0, 1.0)
    assert queueing.mean_wait(10, 8.0, 1.0, ca2=3.0, cs2=1.0) == pytest.approx(2 * base)
    assert queueing.mean_wait(10, 8.0, 1.0, ca2=1.0, cs2=0.0) == pytest.approx(base / 2)  # M/D/c


def test_min_servers_is_the_smallest_that_meets_the_goal():
    for step in (1, 4):
        c = queueing.min_servers(20.0, 10.0, 99, 1.0, step=step)
        assert c % step == 0 and c > 200
        assert queueing.wait_percentile(c, 20.0, 10.0, 99) <= 1.0
        assert queueing.wait_percentile(c - step, 20.0, 10.0, 99) > 1.0
