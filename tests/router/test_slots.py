import heapq

import numpy as np
import pytest

from router.slots import Slots


def heap_loop(slots: int, arrivals, services, timeout):
    """The plain FCFS heap loop the numpy solver must match bit for bit."""
    heap = [0.0] * slots
    starts, dropped = [], []
    for i, (a, s) in enumerate(zip(arrivals.tolist(), services.tolist())):
        free = heap[0]
        if free <= a:
            heapq.heapreplace(heap, a + s)
            starts.append(a)
        elif free - a >= timeout:
            dropped.append(i)
            starts.append(a + timeout)
        else:
            heapq.heapreplace(heap, free + s)
            starts.append(free)
    return np.array(starts), dropped, sorted(heap)


@pytest.mark.parametrize(
    ("slots", "rps", "service_s", "timeout"),
    [
        (300, 5000, 0.05, 5.0),  # idle: 83 % utilization, almost nobody waits
        (263, 5000, 0.05, 5.0),  # loaded: 95 %, a third of requests wait, long chains
        (10, 1100, 0.01, 0.05),  # overloaded: many requests give up at the timeout
        (1, 50, 0.01, 1.0),  # a single slot
    ],
    ids=["idle", "loaded", "overloaded", "one slot"],
)
def test_numpy_solver_equals_the_heap_loop(slots, rps, service_s, timeout):
    rng = np.random.default_rng(7)
    n = 60_000
    arrivals = np.cumsum(rng.exponential(1 / rps, n))
    services = rng.exponential(service_s, n)
    expected_starts, expected_dropped, expected_free = heap_loop(slots, arrivals, services, timeout)
    solver = Slots(slots)
    starts, dropped = [], []
    for first in range(0, n, 5000):  # one call per poll, as the simulator makes them
        got, gone = solver.assign(
            arrivals[first : first + 5000], services[first : first + 5000], timeout
        )
        starts.append(got)
        dropped += [first + i for i in gone]
    assert np.array_equal(np.concatenate(starts), expected_starts)
    assert dropped == expected_dropped
    assert solver.free.tolist() == expected_free


def test_scale_events_change_the_slots():
    solver = Slots(2)
    solver.add(30.0, 3)
    assert solver.free.tolist() == [0.0, 0.0, 30.0, 30.0, 30.0]
    solver.cancel(30.0, 2)
    solver.retire(1)
    assert solver.free.tolist() == [0.0, 30.0]
    solver.cancel(99.0, 1)  # not there: a request holds it, so the earliest-free slot goes
    assert solver.free.tolist() == [30.0]
