"""azureml-fe's autoscaling decision and the pods it starts, with the clock passed in.

Source: Learn "Azure Machine Learning inference router and connectivity requirements" and
"Deploy a model to an Azure Kubernetes Service cluster" (v1): utilization = (replicas busy +
requests queued in azureml-fe) / current replicas; above targetUtilizationPercentage replicas
are added, below it removed; adding is eager (about 1 s), removing conservative: about 1 minute
(v1 page), "around 20 times the polling interval" on the newer page (catalog.inference_router).
Both are `scale_down_delay_s`: 60 by default, or 20 x pollingIntervalS for the newer reading.
"""

from __future__ import annotations

import operator
from collections import deque
from dataclasses import dataclass

from catalog import inference_router
from router.formula import replicas_for_load
from router.inputs import count, non_negative
from router.scale import ScaleSettings

__all__ = ["SAMPLING", "Autoscaler", "ReplicaPool", "ScaleChange"]

# What the autoscaler sees at a poll. The docs give the formula (busy replicas + queued requests)
# but not how it is sampled; azureml-fe's code is not public. "instant": the counts at the poll,
# the formula read literally (the default). "average": their time-averages since the previous
# poll, smoother, so it holds fewer spare replicas and flips less. docs/router.md compares them.
SAMPLING = ("instant", "average")

_EPS = 1e-9  # clock values are sums of floats; compare windows with a little slack
MAX_DELAY_S = 7 * 86400.0  # a week: longer than any run the simulator takes


class Autoscaler:
    """Decides the desired replica count at each poll.

    With max_concurrent_requests_per_instance k, a replica is k slots, so utilization is
    (busy + queued) / (replicas * k); for the default k = 1 this is the documented formula.
    The replicas that bring utilization back to target are ceil((busy + queued) / (k * target)),
    clamped to [min_instances, max_instances]. That count is applied upwards when every poll in
    the last scale_up_delay_s asked for more, downwards when every poll in the last
    scale_down_delay_s asked for less (and the controller has watched that long): a short
    spike is followed at once, a short lull is ignored.
    """

    def __init__(
        self,
        settings: ScaleSettings,
        max_concurrent: int = 1,
        scale_up_delay_s: float = inference_router.SCALE_UP_DELAY_S,
        scale_down_delay_s: float = inference_router.SCALE_DOWN_DELAY_S,
    ) -> None:
        self.settings = settings
        self.max_concurrent = count("max_concurrent", max_concurrent)
        self.scale_up_delay_s = non_negative("scale_up_delay_s", scale_up_delay_s, MAX_DELAY_S, "s")
        self.scale_down_delay_s = non_negative(
            "scale_down_delay_s", scale_down_delay_s, MAX_DELAY_S, "s"
        )
        self._lowest_recent = _SlidingExtreme(self.scale_up_delay_s, operator.lt)
        self._highest_recent = _SlidingExtreme(self.scale_down_delay_s, operator.gt)
        self._first_poll: float | None = None

    def _clamp(self, replicas: int) -> int:
        return min(max(replicas, self.settings.min_instances), self.settings.max_instances)

    def recommend(self, busy: float, queued: float) -> int:
        """Replicas that put utilization at the target for this load, clamped."""
        return self._clamp(
            replicas_for_load(busy + queued, self.max_concurrent, self.settings.target_utilization)
        )

    def decide(self, now: float, busy: float, queued: float, ready: int, pending: int) -> int:
        """Desired replicas (ready + starting) after the poll at `now` seconds.

        busy and queued may be counts at the poll or averages since the last one.
        """
        current = ready + pending
        if self._first_poll is None:
            self._first_poll = now
        recommendation = self.recommend(busy, queued)
        up = self._lowest_recent.push(now, recommendation)
        down = self._highest_recent.push(now, recommendation)
        if up > current:
            return up
        if down < current and now - self._first_poll >= self.scale_down_delay_s - _EPS:
            return down
        return self._clamp(current)


class _SlidingExtreme:
    """The lowest (operator.lt) or highest (operator.gt) recommendation of the polls in
    (now - window_s, now], at least the newest: a monotonic queue, O(1) per poll."""

    def __init__(self, window_s: float, better) -> None:
        self.window_s = window_s
        self.better = better
        self._queue: deque[tuple[float, int]] = deque()  # (poll time, value), best first

    def push(self, now: float, value: int) -> int:
        queue = self._queue
        while queue and not self.better(queue[-1][1], value):
            queue.pop()  # never the extreme again: `value` is newer and at least as good
        queue.append((now, value))
        while len(queue) > 1 and queue[0][0] <= now - self.window_s + _EPS:
            queue.popleft()
        return queue[0][1]


@dataclass(frozen=True)
class ScaleChange:
    added: tuple[float, ...]  # ready times of new pods
    cancelled: tuple[float, ...]  # ready times of starting pods removed before they served
    removed_ready: int  # ready pods removed


class ReplicaPool:
    """A deployment's pods: ready ones and starting ones, ready start_delay_s after creation.

    start_delay_s is everything between the decision and serving: scheduling, image pull,
    container start and model load. Scaling down removes starting pods first (newest first),
    as a Kubernetes ReplicaSet deletes not-ready pods first.
    """

    def __init__(self, ready: int, start_delay_s: float) -> None:
        self.ready = ready
        self.start_delay_s = non_negative("start_delay_s", start_delay_s, MAX_DELAY_S, "s")
        self.starting: deque[float] = deque()  # ready times, ascending

    @property
    def total(self) -> int:
        return self.ready + len(self.starting)

    def advance(self, now: float) -> None:
        """Mark pods whose start delay has passed as ready."""
        while self.starting and self.starting[0] <= now + _EPS:
            self.starting.popleft()
            self.ready += 1

    def scale_to(self, now: float, desired: int) -> ScaleChange:
        delta = desired - self.total
        if delta >= 0:
            added = tuple(now + self.start_delay_s for _ in range(delta))
            self.starting.extend(added)
            return ScaleChange(added=added, cancelled=(), removed_ready=0)
        remove = -delta
        cancelled = tuple(self.starting.pop() for _ in range(min(remove, len(self.starting))))
        removed_ready = remove - len(cancelled)
        self.ready -= removed_ready
        return ScaleChange(added=(), cancelled=cancelled, removed_ready=removed_ready)
