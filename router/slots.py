"""Replica slots of a FCFS multi-server queue: which request starts when.

Requests are given, in arrival order, the slot that frees first: start = max(arrival, earliest
free time). The plain way is a heap, one `heapreplace` per request; that Python loop costs about
0.3 us a request, too slow for an hour at 5,000 rps. This module computes the same starts in
numpy, block by block, exactly:

While no request is dropped, the slot popped for request j of a block is the (j+1)-th smallest
of (free times before the block) + (end times of the block's requests), because every popped
time is <= every time still in the heap and every later end is >= it. So with E the ends,
start = max(arrival, sorted(free + E)[:m]) and E = start + service: a fixed point. Iterating
from E = arrival + service rises to it monotonically, and it is unique (a lower fixed point
would need a later request to end before an earlier one started), so a converged block is the
heap's answer bit for bit. Idle blocks converge in one round. In busy ones a round settles one
more link of each chain of waits; whenever the first k requests stop changing and their own
fixed point checks out (one more sort), they are kept and the rest go on from there. A block
still unsettled after MAX_ROUNDS finishes in the heap loop; one in which a request would give up
at the timeout is redone in it from the start (the fixed point assumes nobody gives up), and
while requests keep giving up blocks go to the loop directly. Same arithmetic, same result.
In CPU time an hour at 5,000 rps with 95 % utilization costs about 3 times less than the heap
loop alone; an idle one about 25 times less.
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["Slots"]

MAX_ROUNDS = 60
BLOCK = 2048  # requests solved together: large enough to amortise numpy calls, few chains


class Slots:
    """The time each slot is next free, ascending; starting pods' slots are free when ready."""

    def __init__(self, count: int) -> None:
        self.free = np.zeros(count)
        # While requests give up at the timeout (overload), the fixed point does not apply:
        # blocks go straight to the heap loop until one passes without a drop.
        self._dropping = False

    def __len__(self) -> int:
        return len(self.free)

    def assign(
        self, arrivals: np.ndarray, services: np.ndarray, timeout: float
    ) -> tuple[np.ndarray, list[int]]:
        """Start times (arrival + timeout for a dropped request) and the indices dropped: a
        request that would wait `timeout` or longer gives up and takes no slot."""
        starts: list[np.ndarray] = []
        dropped: list[int] = []
        for first in range(0, len(arrivals), BLOCK):
            solve = self._loop if self._dropping else self._block
            block_starts, block_dropped = solve(
                arrivals[first : first + BLOCK], services[first : first + BLOCK], timeout
            )
            self._dropping = bool(block_dropped)
            starts.append(block_starts)
            dropped.extend(first + i for i in block_dropped)
        return (np.concatenate(starts) if len(starts) != 1 else starts[0]), dropped

    def _block(self, arrived: np.ndarray, service: np.ndarray, timeout: float):
        before = self.free  # to start over in the heap loop if a request gives up
        done: list[np.ndarray] = []  # settled starts, in order
        ends = arrived + service
        rest_arrived, rest_service = arrived, service
        for _ in range(MAX_ROUNDS):
            m = len(rest_arrived)
            merged = np.concatenate((self.free, ends))
            merged.sort()
            starts = np.maximum(rest_arrived, merged[:m])
            new_ends = starts + rest_service
            changed = new_ends != ends
            settled = int(changed.argmax())
            if not changed[settled]:
                done.append(starts)
                self.free = merged[m:]
                break
            if settled:
                # The first `settled` requests did not change; keep them if they are their own
                # fixed point without the later requests' (still too early) ends.
                alone = np.concatenate((self.free, new_ends[:settled]))
                alone.sort()
                if (alone[:settled] == merged[:settled]).all():
                    done.append(starts[:settled])
                    self.free = alone[settled:]
                    rest_arrived, rest_service = rest_arrived[settled:], rest_service[settled:]
                    new_ends = new_ends[settled:]
            ends = new_ends
        else:  # not settled: the rest goes through the heap loop
            settled_starts = np.concatenate(done) if done else np.empty(0)
            if (settled_starts - arrived[: len(settled_starts)] >= timeout).any():
                self.free = before
                return self._loop(arrived, service, timeout)
            loop_starts, loop_dropped = self._loop(rest_arrived, rest_service, timeout)
            offset = len(settled_starts)
            return np.concatenate((settled_starts, loop_starts)), [offset + i for i in loop_dropped]
        starts = np.concatenate(done) if len(done) > 1 else done[0]
        if (starts - arrived >= timeout).any():  # a request gave up: the fixed point assumed not
            self.free = before
            return self._loop(arrived, service, timeout)
        return starts, []

    def _loop(self, arrived: np.ndarray, service: np.ndarray, timeout: float):
        heap = self.free.tolist()  # ascending, hence already a heap
        starts, dropped = [], []
        replace = heapq.heapreplace
        for i, (a, s) in enumerate(zip(arrived.tolist(), service.tolist())):
            free = heap[0]
            if free <= a:
                replace(heap, a + s)
                starts.append(a)
            elif free - a >= timeout:
                dropped.append(i)
                starts.append(a + timeout)
            else:
                replace(heap, free + s)
                starts.append(free)
        heap.sort()
        self.free = np.array(heap)
        return np.array(starts), dropped

    def add(self, ready_at: float, count: int) -> None:
        """Slots of a starting pod: they exist now and are free once it is ready."""
        self.free = np.sort(np.concatenate((self.free, np.full(count, ready_at))))

    def cancel(self, ready_at: float, count: int) -> None:
        """Remove a starting pod's slots; if a request already holds one of them (it waits for
        the pod), take the earliest-free slots instead."""
        for _ in range(count):
            i = int(np.searchsorted(self.free, ready_at))
            if i == len(self.free) or self.free[i] != ready_at:
                i = 0
            self.free = np.delete(self.free, i)

    def retire(self, count: int) -> None:
        """Remove the slots that free first; their committed work still completes."""
        self.free = self.free[count:]
