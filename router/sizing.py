"""`size`: the formula and the goals' replica counts side by side, the recommended scale and
request settings, and the router, as one report. Pure Python: `python -m router size` adds the
simulation check (router.check).

The report's JSON gives `scaleSettings` and `requestSettings` exactly as a stack deployment
takes them, so they paste into a stack file as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog import endpoints
from router import formula
from router.inputs import finite_or_unbounded, percentile
from router.recommend import (
    DEFAULT_HEADROOM,
    RouterSizing,
    ScaleRecommendation,
    recommend_scale_settings,
    router_instances,
)
from router.scale import RequestSettings

__all__ = ["SizingReport", "size"]


@dataclass(frozen=True)
class SizingReport:
    """All numbers `python -m router size` reports."""

    rps: float
    request_time_ms: float
    request: RequestSettings
    target_utilization_percentage: int
    wait_percentile: float
    wait_goal_ms: float | None
    latency_goal_ms: float | None
    arrival_cv2: float
    service_cv2: float
    formula_replicas: int
    formula_wait_ms: float  # wait_percentile of queue wait + overhead with formula_replicas
    wait_goal_replicas: int | None  # the wait goal at rps, no headroom, no autoscaler
    wait_predicted_ms: float | None
    latency_goal_replicas: int | None  # the latency goal at rps, no headroom, no autoscaler
    latency_predicted_ms: float | None
    scale: ScaleRecommendation
    router: RouterSizing

    @property
    def max_concurrent(self) -> int:
        return self.request.max_concurrent_requests_per_instance

    @property
    def concurrent_requests(self) -> float:
        """Offered load in Erlangs: requests in service on average."""
        return self.rps * self.request_time_ms / 1000

    def to_dict(self) -> dict:
        """camelCase keys, as the CLI's JSON prints them."""

        def ms(value: float | None) -> float | str | None:
            return None if value is None else finite_or_unbounded(value, 3)

        return {
            "arrivalCv2": self.arrival_cv2,
            "concurrentRequests": round(self.concurrent_requests, 6),
            "designRps": round(self.scale.design_rps, 6),
            "formulaReplicas": self.formula_replicas,
            "formulaWaitMs": ms(self.formula_wait_ms),
            "goalReplicasAtDesign": self.scale.goal_replicas,
            "headroom": self.scale.headroom,
            "latencyGoalMs": self.latency_goal_ms,
            "latencyGoalReplicas": self.latency_goal_replicas,
            "latencyPredictedMs": ms(self.latency_predicted_ms),
            "requestSettings": self.request.to_stack(),
            "requestTimeMs": self.request_time_ms,
            "routerAdvice": list(self.router.advice),
            "routerDeployed": self.router.deployed,
            "routerInstances": self.router.instances,
            "rps": self.rps,
            "scaleBasis": self.scale.basis,
            "scaleDerivation": self.scale.derivation,
            "scaleSettings": self.scale.settings.to_stack(),
            "serviceCv2": self.service_cv2,
            "targetUtilizationPercentage": self.target_utilization_percentage,
            "waitGoalMs": self.wait_goal_ms,
            "waitGoalReplicas": self.wait_goal_replicas,
            "waitPercentile": self.wait_percentile,
            "waitPredictedMs": ms(self.wait_predicted_ms),
        }


def size(
    rps: float,
    request_time_ms: float,
    request: RequestSettings = RequestSettings(),
    *,
    target_utilization_percentage: int = endpoints.TARGET_UTILIZATION_DEFAULT,
    wait_goal_ms: float | None = None,
    latency_goal_ms: float | None = None,
    wait_percentile: float = 99.0,
    arrival_cv2: float = 1.0,
    service_cv2: float = 1.0,
    router_ha: bool = True,
    headroom: float = DEFAULT_HEADROOM,
) -> SizingReport:
    """The formula and the goals' sizes side by side, the recommended settings and the router."""
    slots = request.max_concurrent_requests_per_instance
    target = formula.target_percentage(target_utilization_percentage)
    replicas = formula.formula_replicas(rps, request_time_ms, slots, target)
    pct = percentile("wait_percentile", wait_percentile)
    ca2, cs2 = formula.variability(arrival_cv2, service_cv2)
    model = (pct, slots, ca2, cs2)
    args = (float(rps), float(request_time_ms), *model)
    wait = (
        None
        if wait_goal_ms is None
        else formula.wait_goal_replicas(rps, request_time_ms, wait_goal_ms, *model)
    )
    latency = (
        None
        if latency_goal_ms is None
        else formula.latency_goal_replicas(rps, request_time_ms, latency_goal_ms, *model)
    )
    scale = recommend_scale_settings(
        rps,
        request_time_ms,
        slots,
        wait_goal_ms=wait_goal_ms,
        latency_goal_ms=latency_goal_ms,
        wait_percentile=pct,
        headroom=headroom,
        target_utilization_percentage=target,
        arrival_cv2=ca2,
        service_cv2=cs2,
    )
    return SizingReport(
        rps=float(rps),
        request_time_ms=float(request_time_ms),
        request=request,
        target_utilization_percentage=target,
        wait_percentile=pct,
        wait_goal_ms=None if wait_goal_ms is None else float(wait_goal_ms),
        latency_goal_ms=None if latency_goal_ms is None else float(latency_goal_ms),
        arrival_cv2=ca2,
        service_cv2=cs2,
        formula_replicas=replicas,
        formula_wait_ms=formula.predicted_wait_ms(replicas, *args),
        wait_goal_replicas=wait,
        wait_predicted_ms=None if wait is None else formula.predicted_wait_ms(wait, *args),
        latency_goal_replicas=latency,
        latency_predicted_ms=None
        if latency is None
        else formula.predicted_latency_ms(latency, *args),
        scale=scale,
        router=router_instances(rps, router_ha),
    )
