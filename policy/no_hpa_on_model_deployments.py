"""no-hpa-on-model-deployments: azureml-fe scales model deployments; an HPA would fight it."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from catalog import kubernetes, tokens
from policy.resources import get, of_type

NAME = "no-hpa-on-model-deployments"


def _compute_namespaces(resources: list[PolicyResource]) -> set[str]:
    namespaces = set()
    for compute in of_type(resources, tokens.COMPUTE):
        if get(compute.props, "properties", "computeType") == kubernetes.KUBERNETES_COMPUTE:
            namespaces.add(
                get(
                    compute.props,
                    "properties",
                    "properties",
                    "namespace",
                    default=kubernetes.DEFAULT_NAMESPACE,
                )
            )
    return namespaces


def _deployment_names(resources: list[PolicyResource]) -> set[str]:
    """Kubernetes names an Azure ML online deployment's pods may carry."""
    names = set()
    for d in of_type(resources, tokens.ONLINE_DEPLOYMENT):
        deployment, endpoint = get(d.props, "deploymentName"), get(d.props, "endpointName")
        if deployment:
            names.add(deployment)
            if endpoint:
                names |= {f"{deployment}-{endpoint}", f"{endpoint}-{deployment}"}
    return names


def _azureml_labelled(labels) -> bool:
    return any(
        key in kubernetes.AZUREML_LABEL_KEYS or key.startswith(kubernetes.AZUREML_LABEL_PREFIX)
        for key in (labels or {})
    )


def _workloads(resources: list[PolicyResource]) -> dict[tuple[str, str, str], PolicyResource]:
    out = {}
    for r in resources:
        if r.resource_type.startswith("kubernetes:") and get(r.props, "metadata", "name"):
            kind = r.resource_type.rsplit(":", 1)[1]
            ns = get(r.props, "metadata", "namespace", default=kubernetes.DEFAULT_NAMESPACE)
            out[(kind, ns, get(r.props, "metadata", "name"))] = r
    return out


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = list(args.resources)
    namespaces = _compute_namespaces(resources)
    deployments = _deployment_names(resources)
    workloads = _workloads(resources)
    for scaler in of_type(resources, *tokens.AUTOSCALERS):
        ns = get(scaler.props, "metadata", "namespace", default=kubernetes.DEFAULT_NAMESPACE)
        target = get(scaler.props, "spec", "scaleTargetRef", default={})
        target_kind = get(target, "kind", default="Deployment")
        target_name = get(target, "name")
        what = f"{scaler.resource_type.rsplit(':', 1)[1]} '{get(scaler.props, 'metadata', 'name')}'"
        if ns in namespaces:
            reason = f"is in namespace '{ns}', which an Azure ML Kubernetes compute uses"
        elif target_name in deployments:
            reason = f"targets '{target_name}', an Azure ML online deployment"
        else:
            workload = workloads.get((target_kind, ns, target_name))
            labels = dict(get(workload.props, "metadata", "labels", default={})) if workload else {}
            labels.update(
                get(workload.props, "spec", "template", "metadata", "labels", default={})
                if workload
                else {}
            )
            if not _azureml_labelled(labels):
                continue
            reason = f"targets {target_kind} '{target_name}', which carries Azure ML's labels"
        report(
            f"{what} {reason}: azureml-fe already scales model deployments and an autoscaler "
            "would fight it. Remove it and set the deployment's scale_settings "
            "(min_instances, max_instances, target_utilization_percentage) instead.",
            scaler.urn,
        )


POLICY = StackValidationPolicy(
    name=NAME,
    description="No HorizontalPodAutoscaler or KEDA ScaledObject on Azure ML model deployments.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Delete the autoscaler. Control scaling with the online deployment's "
    "scale_settings (type target_utilization, min_instances, max_instances, "
    "target_utilization_percentage); use `python -m router size` to pick them.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-kubernetes-inference-routing-azureml-fe#autoscaling",
)
