"""`azureml-k8s:endpoints`: online endpoints on a Kubernetes compute and their deployments.

Limits are the catalog's (catalog.endpoints), shared with the policy pack; scale settings may be
sized from the traffic by router/ (the documented formula, or Erlang C for a wait goal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from catalog import endpoints as catalog_endpoints
from catalog import instance_types as catalog_instance_types
from catalog import naming, quotas
from router.scale import ScaleSettings
from stacks.settings.base import Model
from stacks.settings.errors import Problem, Problems
from stacks.settings.instance_types import known_names
from stacks.settings.scaling import DeploymentRequests, DeploymentScale, Probe, Sizing, derive

if TYPE_CHECKING:
    from stacks.settings.stack import Settings


def _name(value: str, rule: naming.NameRule) -> str:
    problem = rule.problem(value)
    if problem:
        raise ValueError(problem)
    return value


class Deployment(Model):
    """One model deployment behind an endpoint."""

    name: str = Field(description="Deployment name, e.g. blue or green.", examples=["blue"])
    model: str = Field(
        description="The workspace model, e.g. azureml:fraud-model:3 (registry models are not "
        "supported on Kubernetes).",
    )
    environment: str | None = Field(
        None, description="The environment, e.g. azureml:sklearn-inference:2."
    )
    instanceType: str = Field(
        catalog_instance_types.DEFAULT_NAME,
        description="Instance type its replicas run as; one the endpoint's compute offers.",
    )
    traffic: int = Field(0, ge=0, le=100, description="Percent of the endpoint's live traffic.")
    scaleSettings: DeploymentScale = Field(
        DeploymentScale(), description="Autoscaling; maxInstances may come from sizing."
    )
    sizing: Sizing | None = Field(None, description="Traffic to size maxInstances for.")
    requestSettings: DeploymentRequests = Field(
        DeploymentRequests(), description="Scoring requests."
    )
    livenessProbe: Probe | None = Field(None, description="Liveness probe.")
    readinessProbe: Probe | None = Field(None, description="Readiness probe.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _name(value, naming.ONLINE_DEPLOYMENT)

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        if catalog_endpoints.is_registry_model(value):
            raise ValueError(
                f"'{value}' is a registry model, which Kubernetes online endpoints do not "
                "support: register it in the workspace (az ml model create) and use "
                "azureml:<name>:<version>"
            )
        return value

    @model_validator(mode="after")
    def _sized(self) -> Deployment:
        sizing = self.sizing
        if sizing is None:
            return self
        if self.scaleSettings.maxInstances is not None:
            raise Problems(
                [
                    (
                        ("sizing",),
                        "give scaleSettings.maxInstances or sizing, not both: sizing computes "
                        "maxInstances",
                    )
                ]
            )
        timeout = self.requestSettings.requestTimeoutMs
        if sizing.requestTimeMs > timeout:
            raise Problems(
                [
                    (
                        ("sizing", "requestTimeMs"),
                        f"requests taking {sizing.requestTimeMs:g} ms would all time out after "
                        f"requestSettings.requestTimeoutMs {timeout} ms: raise requestTimeoutMs",
                    )
                ]
            )
        concurrent = self.requestSettings.maxConcurrentRequestsPerInstance
        if sizing.maxConcurrentRequestsPerInstance not in (None, concurrent):
            raise Problems(
                [
                    (
                        ("sizing", "maxConcurrentRequestsPerInstance"),
                        f"sizing assumes {sizing.maxConcurrentRequestsPerInstance} concurrent "
                        f"requests per instance but requestSettings allows {concurrent}: make "
                        "them equal or drop the one in sizing",
                    )
                ]
            )
        if sizing.waitGoalMs is not None:
            chosen = sorted(self.scaleSettings.model_fields_set - {"maxInstances"})
            if chosen:
                raise Problems(
                    [
                        (
                            ("scaleSettings", chosen[0]),
                            "with sizing.waitGoalMs, router/ chooses minInstances, "
                            "targetUtilizationPercentage and pollingIntervalS together so the goal "
                            "holds under the autoscaler: remove them from scaleSettings, or drop "
                            "waitGoalMs to size maxInstances alone",
                        )
                    ]
                )
        self.scale()
        return self

    def scale(self) -> tuple[ScaleSettings, str]:
        """The scale settings to send, and how they were derived."""
        concurrent = self.requestSettings.maxConcurrentRequestsPerInstance
        return derive(self.scaleSettings, self.sizing, concurrent)


class Endpoint(Model):
    """An online endpoint on a Kubernetes compute, with its deployments and traffic split."""

    name: str = Field(description="Endpoint name, unique in the region.", examples=["fraud-score"])
    compute: str = Field(description="The Kubernetes compute (computes[].name) it runs on.")
    authMode: Literal["key", "amlToken"] = Field(
        catalog_endpoints.DEFAULT_AUTH_MODE,
        description="key (primary and secondary keys) or amlToken (Entra tokens).",
    )
    description: str | None = Field(None, description="Shown in the workspace.")
    deployments: list[Deployment] = Field(
        min_length=1, description="Its deployments; traffic sums to 100 (or 0 before going live)."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _name(value, naming.ONLINE_ENDPOINT)

    @model_validator(mode="after")
    def _traffic(self) -> Endpoint:
        problems: list[Problem] = []
        seen: set[str] = set()
        for j, deployment in enumerate(self.deployments):
            if deployment.name in seen:
                problems.append(
                    (
                        ("deployments", j, "name"),
                        f"deployment names must be unique in an endpoint: '{deployment.name}'",
                    )
                )
            seen.add(deployment.name)
            length = len(self.name) + len(deployment.name)
            if length > naming.KUBERNETES_ENDPOINT_AND_DEPLOYMENT_MAX:
                problems.append(
                    (
                        ("deployments", j, "name"),
                        f"'{self.name}' and '{deployment.name}' are {length} characters together; "
                        "on a Kubernetes compute an endpoint's and a deployment's names are at "
                        f"most {naming.KUBERNETES_ENDPOINT_AND_DEPLOYMENT_MAX}: shorten either",
                    )
                )
        total = sum(deployment.traffic for deployment in self.deployments)
        if total not in (0, 100):
            split = ", ".join(f"{d.name} {d.traffic}" for d in self.deployments)
            problems.append(
                (
                    ("deployments",),
                    f"traffic sums to {total} ({split}): it must sum to 100, or to 0 while no "
                    "deployment takes live traffic",
                )
            )
        if problems:
            raise Problems(problems)
        return self

    @property
    def traffic(self) -> dict[str, int]:
        return {deployment.name: deployment.traffic for deployment in self.deployments}


def endpoint_problems(settings: Settings) -> list[Problem]:
    """Each endpoint's compute exists and offers the instance types its deployments use."""
    problems: list[Problem] = []
    if settings.endpoints and not settings.extension.enableInference:
        problems.append(
            (
                ("extension", "enableInference"),
                "online endpoints need inference: set enableInference: true",
            )
        )
    computes = {compute.name: compute for compute in settings.computes}
    known = known_names(settings)
    seen: set[str] = set()
    for i, endpoint in enumerate(settings.endpoints):
        at = ("endpoints", i)
        if endpoint.name in seen:
            problems.append(((*at, "name"), f"endpoint names must be unique: '{endpoint.name}'"))
        seen.add(endpoint.name)
        compute = computes.get(endpoint.compute)
        if compute is None:
            problems.append(
                (
                    (*at, "compute"),
                    f"unknown compute '{endpoint.compute}': name one of computes[] "
                    f"({', '.join(sorted(computes)) or 'none declared'})",
                )
            )
        for j, deployment in enumerate(endpoint.deployments):
            where = (*at, "deployments", j, "instanceType")
            name = deployment.instanceType
            if name not in known:
                problems.append(
                    (
                        where,
                        f"unknown instance type '{name}': declare it under instanceTypes "
                        f"(known: {', '.join(sorted(known))})",
                    )
                )
            elif (
                compute is not None and compute.instanceTypes and name not in compute.instanceTypes
            ):
                problems.append(
                    (
                        where,
                        f"compute '{compute.name}' does not offer instance type '{name}': add it "
                        f"to its instanceTypes ({', '.join(compute.instanceTypes)})",
                    )
                )
    return problems + _limit_problems(settings)


_QUOTAS = (
    "Learn 'Manage and increase quotas and limits for resources with Azure Machine Learning', "
    "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas"
)


def _limit_problems(settings: Settings) -> list[Problem]:
    """The documented ceilings: per endpoint, and per cluster (every endpoint of the stack runs
    on its one cluster), which allow no exception."""
    problems: list[Problem] = []
    for i, endpoint in enumerate(settings.endpoints):
        if len(endpoint.deployments) > quotas.DEPLOYMENTS_PER_ENDPOINT:
            problems.append(
                (
                    ("endpoints", i, "deployments"),
                    f"{len(endpoint.deployments)} deployments: an online endpoint takes "
                    f"{quotas.DEPLOYMENTS_PER_ENDPOINT} ({_QUOTAS}; a quota request raises it)",
                )
            )
    endpoints = len(settings.endpoints)
    if endpoints > quotas.ENDPOINTS_PER_CLUSTER:
        problems.append(
            (
                ("endpoints",),
                f"{endpoints} endpoints on one cluster: a Kubernetes cluster takes "
                f"{quotas.ENDPOINTS_PER_CLUSTER}, with no exception ({_QUOTAS}); spread them "
                "over clusters (stacks)",
            )
        )
    deployments = sum(len(endpoint.deployments) for endpoint in settings.endpoints)
    if deployments > quotas.DEPLOYMENTS_PER_CLUSTER:
        problems.append(
            (
                ("endpoints",),
                f"{deployments} deployments on one cluster: a Kubernetes cluster takes "
                f"{quotas.DEPLOYMENTS_PER_CLUSTER}, with no exception ({_QUOTAS}); spread them "
                "over clusters (stacks)",
            )
        )
    return problems
