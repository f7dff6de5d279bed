"""A deployment's `scaleSettings`, `requestSettings` and `sizing`, and the scale settings sized
from traffic by router/.

What a stack writes is validated by router/'s one model (router.scale.ScaleSettings and
RequestSettings): the same rules, messages and names the router CLI and the policy pack use.
Without a goal, maxInstances comes from the documented formula (concurrent = rps x request time
/ target utilization; replicas = ceil(concurrent / per-instance concurrency)). With a wait goal,
router/ recommends complete settings (minInstances, maxInstances, target, polling interval) that
hold the goal under azureml-fe's autoscaler with 10 % traffic headroom (docs/router.md).
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from catalog import endpoints as catalog_endpoints
from router import formula, recommend
from router.inputs import InputError
from router.scale import RequestSettings, ScaleSettings, ScaleSettingsError
from stacks.settings.base import Model
from stacks.settings.errors import Problems

# router's argument names -> the sizing keys they come from, for error paths.
_SIZING_FIELDS = {
    "rps": "rps",
    "request_time_ms": "requestTimeMs",
    "max_concurrent": "maxConcurrentRequestsPerInstance",
    "wait_goal_ms": "waitGoalMs",
    "wait_percentile": "waitPercentile",
    "headroom": "rps",  # the traffic plus headroom is beyond what is sized
}


def _problems(err: ScaleSettingsError) -> Problems:
    return Problems([((key,), message) for key, message in err.problems])


class DeploymentScale(Model):
    """`scaleSettings`: target-utilization autoscaling by azureml-fe (ARM TargetUtilization)."""

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
        description="Seconds between azureml-fe's scaling decisions.",
    )

    @model_validator(mode="after")
    def _valid(self) -> DeploymentScale:
        self.given(catalog_endpoints.MAX_INSTANCES_DEFAULT)
        return self

    def given(self, default_max: int) -> ScaleSettings:
        """The settings as written, maxInstances defaulting to `default_max`."""
        try:
            return ScaleSettings(
                self.minInstances,
                default_max if self.maxInstances is None else self.maxInstances,
                self.targetUtilizationPercentage,
                self.pollingIntervalS,
            )
        except ScaleSettingsError as err:
            raise _problems(err) from None


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


class DeploymentRequests(Model):
    """`requestSettings`: how one replica takes scoring requests."""

    maxConcurrentRequestsPerInstance: int = Field(
        catalog_endpoints.MAX_CONCURRENT_REQUESTS_DEFAULT,
        description="Requests one replica serves at once.",
    )
    requestTimeoutMs: int = Field(
        catalog_endpoints.REQUEST_TIMEOUT_MS_DEFAULT,
        description=f"Scoring timeout, at most {catalog_endpoints.REQUEST_TIMEOUT_MS_MAX} ms.",
    )

    @model_validator(mode="after")
    def _valid(self) -> DeploymentRequests:
        self.settings()
        return self

    def settings(self) -> RequestSettings:
        try:
            return RequestSettings(self.maxConcurrentRequestsPerInstance, self.requestTimeoutMs)
        except ScaleSettingsError as err:
            raise _problems(err) from None


class Probe(Model):
    """Liveness or readiness probe of the model container (ARM ProbeSettings)."""

    initialDelayS: int | None = Field(None, ge=0, description="Seconds before the first probe.")
    periodS: int | None = Field(None, ge=1, description="Seconds between probes.")
    timeoutS: int | None = Field(None, ge=1, description="Seconds a probe may take.")
    failureThreshold: int | None = Field(None, ge=1, description="Failures before giving up.")
    successThreshold: int | None = Field(None, ge=1, description="Successes to count as up.")


def derive(
    given: DeploymentScale, sizing: Sizing | None, concurrent: int
) -> tuple[ScaleSettings, str]:
    """The scale settings to send, and how they were found (for the preview). Raises Problems
    (paths relative to the deployment) when router/ refuses the sizing or its outcome."""
    if sizing is None:
        how = "as given" if given.maxInstances is not None else "the documented default"
        return given.given(catalog_endpoints.MAX_INSTANCES_DEFAULT), how
    target = given.targetUtilizationPercentage
    try:
        if sizing.waitGoalMs is None:
            maximum = formula.formula_replicas(sizing.rps, sizing.requestTimeMs, concurrent, target)
            if maximum < given.minInstances:
                raise Problems(
                    [
                        (
                            ("scaleSettings", "minInstances"),
                            f"sizing gives maxInstances {maximum}, below minInstances "
                            f"{given.minInstances}: lower minInstances",
                        )
                    ]
                )
            how = (
                f"maxInstances ceil({sizing.rps:g} rps x {sizing.requestTimeMs / 1000:g} s / "
                f"{target / 100:g} / {concurrent}) = {maximum} (documented formula)"
            )
            return given.given(maximum), how
        recommended = recommend.recommend_scale_settings(
            sizing.rps,
            sizing.requestTimeMs,
            concurrent,
            wait_goal_ms=sizing.waitGoalMs,
            wait_percentile=sizing.waitPercentile,
        )
    except InputError as err:
        field = _SIZING_FIELDS.get(err.field, "rps")
        raise Problems([(("sizing", field), err.problem)]) from None
    return recommended.settings, f"router/ for the wait goal: {recommended.derivation}"
