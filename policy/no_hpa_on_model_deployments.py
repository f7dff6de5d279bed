"""no-hpa-on-model-deployments: azureml-fe scales model deployments; another autoscaler fights it."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import kubernetes, tokens
from policy.resources import Graph, get, kind
from policy.rule import Context, Finding, Rule

NAME = "no-hpa-on-model-deployments"
_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet")


def _compute_namespaces(graph: Graph) -> set[str]:
    return {
        get(c.props, "properties", "properties", "namespace", default=kubernetes.DEFAULT_NAMESPACE)
        for c in graph.kubernetes_computes()
    }


def _deployment_names(graph: Graph) -> set[str]:
    """Kubernetes names an Azure ML online deployment's pods may carry. The endpoint's name comes
    from the endpoint resource when the deployment takes it from there (unknown at preview)."""
    names = set()
    for d in graph.of_type(tokens.ONLINE_DEPLOYMENT):
        endpoints = graph.linked(d, tokens.ONLINE_ENDPOINT, via="endpointName")
        endpoint = get((endpoints[0] if endpoints else d).props, "endpointName")
        deployment = get(d.props, "deploymentName")
        if deployment:
            names.add(deployment)
            if endpoint:
                names |= {f"{deployment}-{endpoint}", f"{endpoint}-{deployment}"}
    return names


def _azureml_labelled(workload: PolicyResource) -> bool:
    labels = list(get(workload.props, "metadata", "labels", default={}))
    labels += list(get(workload.props, "spec", "template", "metadata", "labels", default={}))
    return any(
        key in kubernetes.AZUREML_LABEL_KEYS or key.startswith(kubernetes.AZUREML_LABEL_PREFIX)
        for key in labels
    )


def _workload(graph: Graph, scaler: PolicyResource, ns: str, target) -> PolicyResource | None:
    """The workload the scaler aims at: through the graph, else by kind, namespace and name."""
    workloads = [
        r
        for r in graph.resources
        if r.resource_type.startswith("kubernetes:") and kind(r) in _WORKLOAD_KINDS
    ]
    for r in workloads:
        if r in scaler.dependencies or any(r in d for d in scaler.property_dependencies.values()):
            return r
    target_kind, target_name = get(target, "kind", default="Deployment"), get(target, "name")
    for r in workloads:
        if (
            kind(r) == target_kind
            and get(r.props, "metadata", "name") == target_name
            and get(r.props, "metadata", "namespace", default=kubernetes.DEFAULT_NAMESPACE) == ns
        ):
            return r
    return None


def _scalers(graph: Graph) -> Iterator[tuple[PolicyResource, object]]:
    """Autoscalers that act on pods, with their target reference."""
    for scaler in graph.of_type(*tokens.AUTOSCALERS):
        yield scaler, get(scaler.props, "spec", "scaleTargetRef", default={})
    for vpa in graph.of_type(*tokens.VERTICAL_POD_AUTOSCALERS):
        mode = get(
            vpa.props,
            "spec",
            "updatePolicy",
            "updateMode",
            default=kubernetes.VPA_DEFAULT_UPDATE_MODE,
        )
        if mode in kubernetes.VPA_EVICTING_UPDATE_MODES:
            yield vpa, get(vpa.props, "spec", "targetRef", default={})


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    scalers = list(_scalers(graph))
    if not scalers:
        return
    namespaces, deployments = _compute_namespaces(graph), _deployment_names(graph)
    for scaler, target in scalers:
        ns = get(scaler.props, "metadata", "namespace", default=kubernetes.DEFAULT_NAMESPACE)
        what = f"{kind(scaler)} '{get(scaler.props, 'metadata', 'name', default=scaler.name)}'"
        if ns in namespaces:
            reason = f"is in namespace '{ns}', which an Azure ML Kubernetes compute uses"
        elif get(target, "name") in deployments:
            reason = f"targets '{get(target, 'name')}', an Azure ML online deployment"
        else:
            workload = _workload(graph, scaler, ns, target)
            if workload is None or not _azureml_labelled(workload):
                continue
            reason = (
                f"targets {kind(workload)} '{get(target, 'name')}', which carries Azure ML's labels"
            )
        yield Finding(
            scaler,
            f"{what} {reason}: azureml-fe already scales model deployments and another "
            "autoscaler would fight it. Remove it and set the deployment's scale_settings "
            "(min_instances, max_instances, target_utilization_percentage) instead.",
        )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="No HPA, KEDA ScaledObject or evicting VPA on Azure ML model deployments.",
    why="azureml-fe scales model deployments from its own request counts; a second autoscaler "
    "on the same pods makes the two fight (replicas flap, requests fail).",
    fix="Delete the autoscaler (or set a VPA's updateMode to Off/Initial). Control scaling with "
    "the online deployment's scale_settings; `python -m router size` picks them.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-kubernetes-inference-routing-azureml-fe#autoscaling",
    check=check,
)
