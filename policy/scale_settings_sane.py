"""scale-settings-sane: target-utilization scale settings that can work, and a max_instances
that carries the load the team declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from catalog import endpoints, tokens
from policy.resources import Graph, get, peek, properties_key, same
from policy.rule import Context, Finding, Rule
from router.formula import formula_replicas
from router.inputs import InputError
from router.scale import ScaleSettings, ScaleSettingsError

NAME = "scale-settings-sane"
# azure-native v1 flattened `properties` into this name.
_OLDER = "onlineDeploymentProperties"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    loads = context.config["declaredLoads"]
    for deployment in graph.of_type(tokens.ONLINE_DEPLOYMENT):
        where = properties_key(deployment, _OLDER)
        scale = get(deployment.props, where, "scaleSettings", default={})
        if not same(get(scale, "scaleType", default=""), endpoints.SCALE_TYPE_TARGET_UTILIZATION):
            continue
        low = get(scale, "minInstances", default=endpoints.MIN_INSTANCES_DEFAULT)
        high = get(scale, "maxInstances", default=endpoints.MAX_INSTANCES_DEFAULT)
        target = get(
            scale, "targetUtilizationPercentage", default=endpoints.TARGET_UTILIZATION_DEFAULT
        )
        name = peek(deployment.props, "deploymentName") or deployment.name
        endpoint = peek(deployment.props, "endpointName")
        try:
            ScaleSettings(_whole(low), _whole(high), _whole(target))
            problems = []
        except ScaleSettingsError as err:
            problems = [f"{key}: {message}" for key, message in err.problems]
        load = loads.get(f"{endpoint}/{name}", loads.get(name))
        if load is not None and not problems:
            concurrent = get(
                deployment.props,
                where,
                "requestSettings",
                "maxConcurrentRequestsPerInstance",
                default=endpoints.MAX_CONCURRENT_REQUESTS_DEFAULT,
            )
            try:
                needed = formula_replicas(
                    float(load["rps"]),
                    float(load["requestTimeMs"]),
                    _whole(concurrent),
                    _whole(target),
                )
            except InputError as err:
                # A declared load router/ refuses to size is a config mistake worth showing.
                problems.append(f"the declared load cannot be sized: {err.field}: {err.problem}")
                needed = None
            if needed is not None and needed > int(high):
                problems.append(
                    f"maxInstances {int(high)} is below the {needed} replicas the documented "
                    f"formula needs for the declared {load['rps']} rps at "
                    f"{load['requestTimeMs']} ms (rps x time / utilization / concurrency)"
                )
        if problems:
            yield Finding(
                deployment, f"online deployment '{name}' scale settings: " + "; ".join(problems)
            )


def _whole(value: Any) -> Any:
    """The engine hands numbers over as floats (3.0); a whole one is the int it was written as,
    anything else stays as it is for the validator to refuse."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Scale settings: minInstances <= maxInstances, target 1..100, maxInstances at least "
    "the documented formula for a declared load.",
    why="azureml-fe scales between min and max on target utilization; impossible bounds fail the "
    "deployment, and a max below rps x request time / utilization / concurrency queues requests "
    "until they time out.",
    fix="Fix the bounds, or raise maxInstances to the formula's figure (`python -m router size` "
    "computes it); declare loads in this policy's config under declaredLoads.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-kubernetes-inference-routing-azureml-fe#autoscaling",
    check=check,
    config={
        "declaredLoads": {
            "type": "object",
            "default": {},
            "description": "Expected load by deployment ('<endpoint>/<deployment>' or "
            "'<deployment>'): rps and requestTimeMs.",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "rps": {"type": "number", "exclusiveMinimum": 0},
                    "requestTimeMs": {"type": "number", "exclusiveMinimum": 0},
                },
                "required": ["rps", "requestTimeMs"],
                "additionalProperties": False,
            },
        }
    },
)
