"""Scale and request settings of a deployment, and scale settings sized from traffic by router/.

Without a goal, maxInstances comes from the documented formula (concurrent = rps x request time
/ target utilization; replicas = ceil(concurrent / per-instance concurrency)). With a wait goal,
router/ recommends complete settings (minInstances, maxInstances, target, polling interval) that
hold the goal under azureml-fe's autoscaler with 10 % traffic headroom (docs/router.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator, model_validator

from catalog import endpoints as catalog_endpoints
from router import capacity
from router.errors import InputError
from stacks.settings.base import Model
from stacks.settings.errors import Problems

# catalog.endpoints names fields in the v2 YAML spelling; settings use the ARM camelCase.
_FIELDS = {
    "min_instances": "minInstances",
    "max_instances": "maxInstances",
    "target_utilization_percentage": "targetUtilizationPercentage",
    "request_timeout_ms": "requestTimeoutMs",
    "max_concurrent_requests_per_instance": "maxConcurrentRequestsPerInstance",
}
# router's argument names -> the sizing keys they come from, for error paths.
_SIZING_FIELDS = {
    "rps": "rps",
    "request_time_s": "requestTimeMs",
    "max_concurrent": "maxConcurrentRequestsPerInstance",
    "wait_goal_ms": "waitGoalMs",
    "slo_wait_ms": "waitGoalMs",
    "slo_percentile": "waitPercentile",
    "headroom": "rps",  # the traffic plus headroom is beyond what is sized
}


def _raise(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise Problems([((_FIELDS.get(path, path),), message) for path, message in problems])


class ScaleSettings(Model):
    """Target-utilization autoscaling by azureml-fe (ARM TargetUtilization)."""

    minInstances: int = Field(
        catalog_endpoints.MIN_INSTANCES_DEFAULT, description="Fewest replicas."
    )
    maxInstances: int | None = Field(
        None,
        description="Most replicas; leave it out to size it from `sizing` (default "
        f"{catalog_endpoints.MAX_INSTANCES_DEFAULT} without sizing).",
    )
    targetUtilizationPercentage: int = Field(
        catalog_endpoints.TARGET_UTILIZATION_DEFAULT,
        description="Busy share of replicas azureml-fe keeps (1..100).",
    )
    pollingIntervalS: int = Field(
        catalog_endpoints.POLLING_INTERVAL_S_DEFAULT,
        ge=1,
        description="Seconds between azureml-fe's scaling decisions.",
    )

    @model_validator(mode="after")
    def _limits(self) -> ScaleSettings:
        _raise(
            catalog_endpoints.scale_settings_problems(
                self.minInstances,
                catalog_endpoints.MAX_INSTANCES_DEFAULT
                if self.maxInstances is None
                else self.maxInstances,
                self.targetUtilizationPercentage,
            )
        )
        return self


class Sizing(Model):
    """The traffic to size for: maxInstances by the documented formula, or with waitGoalMs the
    complete scale settings router/ recommends."""

    rps: float = Field(gt=0, description="Peak requests per second to serve.")
    requestTimeMs: float = Field(gt=0, description="Time one request takes in the model, ms.")
    maxConcurrentRequestsPerInstance: int | None = Field(
        None, ge=1, description="Defaults to requestSettings.maxConcurrentRequestsPerInstance."
    )
    waitGoalMs: float | None = Field(
        None,
        gt=0,
        description="Optional: queue wait (plus azureml-fe overhead) to stay under at "
        "waitPercentile; sizes with Erlang C.",
    )
    waitPercentile: float = Field(99, gt=0, lt=100, description="Percentile of waitGoalMs.")
    payloadMb: float | None = Field(
        None,
        gt=0,
        description=f"Largest request body, MB (azureml-fe takes at most "
        f"{catalog_endpoints.MAX_REQUEST_PAYLOAD_MB} MB).",
    )

    @field_validator("payloadMb")
    @classmethod
    def _payload(cls, value: float | None) -> float | None:
        if value is not None and value > catalog_endpoints.MAX_REQUEST_PAYLOAD_MB:
            raise ValueError(
                f"requests of {value:g} MB exceed azureml-fe's maximum payload of "
                f"{catalog_endpoints.MAX_REQUEST_PAYLOAD_MB} MB: send the data by reference "
                "(a blob URL) or in smaller requests"
            )
        return value


class RequestSettings(Model):
    maxConcurrentRequestsPerInstance: int = Field(
        catalog_endpoints.MAX_CONCURRENT_REQUESTS_DEFAULT,
        description="Requests one replica serves at once.",
    )
    requestTimeoutMs: int = Field(
        catalog_endpoints.REQUEST_TIMEOUT_MS_DEFAULT,
        description=f"Scoring timeout, at most {catalog_endpoints.REQUEST_TIMEOUT_MS_MAX} ms.",
    )

    @model_validator(mode="after")
    def _limits(self) -> RequestSettings:
        _raise(
            catalog_endpoints.request_settings_problems(
                self.requestTimeoutMs, self.maxConcurrentRequestsPerInstance
            )
        )
        return self


class Probe(Model):
    """Liveness or readiness probe of the model container (ARM ProbeSettings)."""

    initialDelayS: int | None = Field(None, ge=0, description="Seconds before the first probe.")
    periodS: int | None = Field(None, ge=1, description="Seconds between probes.")
    timeoutS: int | None = Field(None, ge=1, description="Seconds a probe may take.")
    failureThreshold: int | None = Field(None, ge=1, description="Failures before giving up.")
    successThreshold: int | None = Field(None, ge=1, description="Successes to count as up.")


@dataclass(frozen=True)
class Scale:
    minInstances: int
    maxInstances: int
    targetUtilizationPercentage: int
    pollingIntervalS: int
    derivation: str  # how maxInstances was found, for the preview


def derive(given: ScaleSettings, sizing: Sizing | None, concurrent: int) -> Scale:
    """The scale settings to send, and how they were found. Raises Problems (paths relative to
    the deployment) when router/ refuses the sizing."""
    target = given.targetUtilizationPercentage
    if sizing is None:
        maximum = given.maxInstances or catalog_endpoints.MAX_INSTANCES_DEFAULT
        how = "as given" if given.maxInstances is not None else "the documented default"
        return Scale(given.minInstances, maximum, target, given.pollingIntervalS, how)
    seconds = sizing.requestTimeMs / 1000
    try:
        if sizing.waitGoalMs is None:
            maximum = capacity.formula_replicas(sizing.rps, seconds, concurrent, target / 100)
            how = (
                f"maxInstances ceil({sizing.rps:g} rps x {seconds:g} s / {target / 100:g} / "
                f"{concurrent}) = {maximum} (documented formula)"
            )
            return Scale(given.minInstances, maximum, target, given.pollingIntervalS, how)
        recommended = capacity.recommend_scale_settings(
            sizing.rps,
            seconds,
            concurrent,
            wait_goal_ms=sizing.waitGoalMs,
            percentile=sizing.waitPercentile,
        )
    except InputError as err:
        field = _SIZING_FIELDS.get(err.field, "rps")
        raise Problems([(("sizing", field), err.problem)]) from None
    settings = recommended.settings
    return Scale(
        settings.min_instances,
        settings.max_instances,
        settings.target_utilization_percentage,
        int(settings.polling_interval),
        f"router/ for the wait goal: {recommended.derivation}",
    )
