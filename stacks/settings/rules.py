"""Cross-field rules: plain functions from the whole stack to problems (key path, message).

Each rule reads validated models; paths are relative to the stack's config (first element the
config key). All problems are reported at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog import aks, extension_cli
from catalog import extension as catalog_extension
from stacks.settings.capacity import capacity_problems, router_nodes
from stacks.settings.cluster import AksClusterSettings, ArcClusterSettings
from stacks.settings.dns import dns_problems
from stacks.settings.egress import egress_problems, firewall_public_ips
from stacks.settings.endpoints import endpoint_problems
from stacks.settings.errors import Problem
from stacks.settings.instance_types import instance_type_problems
from stacks.settings.manifests import manifest_problems
from stacks.settings.tls import tls_problems
from stacks.settings.upgrades import upgrade_problems
from stacks.settings.workspace import compute_problems, workspace_problems

if TYPE_CHECKING:
    from stacks.settings.stack import Settings

_CROSS_SUBSCRIPTION = (
    "Learn 'Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster', "
    "Limitations: cross-subscription attach is not supported"
)


def extension_problems(settings: Settings) -> list[Problem]:
    extension, cluster = settings.extension, settings.cluster
    at = ("extension",)
    problems: list[Problem] = []
    if settings.pem_from_config and (settings.sslCertPem is None or settings.sslKeyPem is None):
        missing = "sslCertPem" if settings.sslCertPem is None else "sslKeyPem"
        problems.append(
            (
                (missing,),
                "sslCertPem and sslKeyPem go together: set both with `pulumi config set --secret`",
            )
        )
    if settings.pem_from_config and extension.sslCertPemFile:
        problems.append(
            (
                (*at, "sslCertPemFile"),
                "the PEM pair is set twice: keep the secret config values sslCertPem/sslKeyPem "
                "or the files, not both",
            )
        )
    try:
        extension_cli.validate(
            extension.cli_settings(),
            extension.cli_protected_paths(),
            pem_pair=settings.pem_from_config,
        )
    except catalog_extension.ExtensionConfigError as err:
        problems.append(((*at, err.key), str(err)))
    if extension.internalLoadBalancerProvider and cluster.kind == "arc":
        problems.append(
            (
                (*at, "internalLoadBalancerProvider"),
                "an internal Azure load balancer exists on AKS only: remove it for an Arc cluster",
            )
        )
    if extension.allowInsecureConnections and extension.enableInference and settings.prod:
        problems.append(
            (
                (*at, "allowInsecureConnections"),
                "HTTP scoring endpoints are for dev/test: serve prod over HTTPS (sslCname + "
                "sslSecret or the PEM pair)",
            )
        )
    nodes = router_nodes(settings)
    if extension.inferenceRouterHA and nodes < aks.HA_MIN_NODES:
        problems.append(
            (
                (*at, "inferenceRouterHA"),
                "router-ha-needs-three-nodes: inferenceRouterHA runs 3 azureml-fe replicas but "
                f"the cluster has {nodes} node(s) azureml-fe can run on (nodes it is sure to "
                "have, in pools without a NoSchedule or NoExecute taint and with the extension's "
                "nodeSelector labels); set inferenceRouterHA: false or add such nodes",
            )
        )
    return problems


def cluster_problems(settings: Settings) -> list[Problem]:
    cluster = settings.cluster
    problems: list[Problem] = []
    if settings.kubeconfig is not None and not isinstance(cluster, ArcClusterSettings):
        problems.append(
            (
                ("kubeconfig",),
                "kubeconfig is for Arc clusters; an AKS cluster's credentials come from AKS itself",
            )
        )
    if isinstance(cluster, ArcClusterSettings):
        for workspace in settings.attached_workspaces():
            if cluster.arm_id.subscription_id.lower() != workspace.subscription_id.lower():
                problems.append(
                    (
                        ("cluster", "connectedClusterId"),
                        "the connected cluster must be in the subscription of every workspace "
                        f"it is attached to ({workspace.workspace_name}: "
                        f"{workspace.subscription_id}): {_CROSS_SUBSCRIPTION}",
                    )
                )
        return problems
    assert isinstance(cluster, AksClusterSettings)
    if settings.prod:
        vcpu, memory, _ = cluster.capacity()
        if vcpu < aks.PROD_MIN_VCPU or memory < aks.PROD_MIN_MEMORY_GIB:
            problems.append(
                (
                    ("cluster", "nodePools"),
                    f"production needs at least {aks.PROD_MIN_VCPU} vCPU and "
                    f"{aks.PROD_MIN_MEMORY_GIB} GiB in total; these pools guarantee {vcpu} vCPU "
                    f"and {memory:g} GiB",
                )
            )
    problems += [
        (
            (*settings.workspace_path(workspace), "id"),
            "Azure ML cannot attach an AKS cluster from another subscription "
            f"(the cluster's is {settings.subscriptionId}): connect it through Azure Arc in the "
            f"workspace's subscription; {_CROSS_SUBSCRIPTION}",
        )
        for workspace in settings.attached_workspaces()
        if settings.subscriptionId
        and settings.subscriptionId.lower() != workspace.subscription_id.lower()
    ]
    return problems + _authorized_range_problems(settings, cluster)


def _authorized_range_problems(settings: Settings, cluster: AksClusterSettings) -> list[Problem]:
    problems: list[Problem] = []
    at = ("cluster", "apiServer")
    ranges = settings.authorized_ranges()
    # The firewall's public IPs join the ranges at deploy time (the nodes reach the API
    # server through them).
    firewall = firewall_public_ips(settings) if cluster.apiServer.restricted else 0
    if len(ranges) + firewall > aks.MAX_AUTHORIZED_IP_RANGES:
        with_firewall = f" and the firewall's {firewall} public IPs" if firewall else ""
        problems.append(
            (
                (*at, "authorizedIpRanges"),
                f"{len(ranges) + firewall} ranges with the Azure ML control plane's"
                f"{with_firewall}; AKS allows {aks.MAX_AUTHORIZED_IP_RANGES}",
            )
        )
    if cluster.apiServer.restricted:
        for region in settings.control_plane_regions():
            if not settings.control_plane_ranges(region):
                problems.append(
                    (
                        (*at, "azureMlControlPlaneRanges"),
                        f"no Azure ML control-plane ranges known for region '{region}': add "
                        f"the AzureMachineLearning.{region} service tag's CIDRs under "
                        f"azureMlControlPlaneRanges.{region}",
                    )
                )
    return problems


PROBLEM_CHECKS = (
    extension_problems,
    cluster_problems,
    workspace_problems,
    compute_problems,
    tls_problems,
    instance_type_problems,
    endpoint_problems,
    capacity_problems,
    egress_problems,
    dns_problems,
    manifest_problems,
    upgrade_problems,
)


def check(settings: Settings) -> list[Problem]:
    return [problem for rule in PROBLEM_CHECKS for problem in rule(settings)]
