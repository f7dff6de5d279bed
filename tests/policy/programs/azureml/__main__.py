"""Azure ML on AKS, written by hand as a user would (no components of this project).

The config value `case` names one policy this program then breaks, so one program serves as the
compliant baseline and as one failing neighbour per policy.
"""

import pulumi
from pulumi_azure_native import (
    containerservice,
    kubernetesconfiguration,
    machinelearningservices,
    resources,
)
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.apps.v1 import DaemonSet, Deployment
from pulumi_kubernetes.autoscaling.v2 import HorizontalPodAutoscaler

case = pulumi.Config().get("case") or ""
region = "westeurope"
logs = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops/providers/"
    "Microsoft.OperationalInsights/workspaces/logs"
)

group = resources.ResourceGroup("ml", location=region)  # auto-named

cluster_args = dict(
    resource_group_name=group.name,
    location=region,
    dns_prefix="mlprod",
    identity={"type": "SystemAssigned"},
    disable_local_accounts=True,
    agent_pool_profiles=[
        {
            "name": "system",
            "mode": "System",
            "count": 2 if case == "router-ha-needs-three-nodes" else 3,
            "vm_size": "Standard_B2s" if case == "prod-capacity" else "Standard_D4s_v5",
        }
    ],
    addon_profiles={
        "omsagent": {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": logs}}
    },
    security_profile={
        "defender": {
            "log_analytics_workspace_resource_id": logs,
            "security_monitoring": {"enabled": True},
        }
    },
)
if case == "aks-managed-identity-required":
    del cluster_args["identity"]
    cluster_args["service_principal_profile"] = {
        "client_id": "11111111-2222-3333-4444-555555555555"
    }
if case == "no-pod-identity":
    cluster_args["pod_identity_profile"] = {"enabled": True}
if case == "authorized-ranges-admit-azureml":
    cluster_args["api_server_access_profile"] = {"authorized_ip_ranges": ["203.0.113.0/24"]}
cluster_args["sku"] = {"name": "Base", "tier": "Free" if case == "production-tier" else "Standard"}
cluster_args["auto_upgrade_profile"] = {
    "upgrade_channel": "none" if case == "auto-upgrade-channel-set" else "patch",
    "node_os_upgrade_channel": "NodeImage",
}
if case == "container-insights-on":
    del cluster_args["addon_profiles"]
if case == "defender-on":
    del cluster_args["security_profile"]
cluster = containerservice.ManagedCluster("aks", **cluster_args)

# Upgrades run in planned windows: Kubernetes on Sundays, node images on Saturdays.
for config_name, day in (
    ("aksManagedAutoUpgradeSchedule", "Sunday"),
    ("aksManagedNodeOSUpgradeSchedule", "Saturday"),
):
    if case == "upgrades-have-windows" and day == "Sunday":
        continue
    containerservice.MaintenanceConfiguration(
        config_name,
        config_name=config_name,
        resource_group_name=group.name,
        resource_name_=cluster.name,
        maintenance_window={
            "schedule": {"weekly": {"day_of_week": day, "interval_weeks": 1}},
            "start_time": "00:00",
            "duration_hours": 4,
        },
    )

containerservice.AgentPool(
    "gpu",
    resource_group_name=group.name,
    resource_name_=cluster.name,
    agent_pool_name="gpu",
    vm_size="Standard_NC24ads_A100_v4",
    enable_auto_scaling=True,
    count=0,
    min_count=0,
    max_count=2,
    node_labels={"accelerator": "a100"},
)

# What `az k8s-extension create` would send for these settings.
settings = {
    "enableTraining": "True",
    "enableInference": "True",
    "inferenceRouterServiceType": "ingress"
    if case == "extension-valid-combination"
    else "loadBalancer",
    "sslCname": "scoring.ml.contoso.com",
    "sslSecret": "azureml-fe-tls",
    "installNvidiaDevicePlugin": "False" if case == "gpu-pools-need-nvidia-plugin" else "True",
}
if case == "https-in-prod":
    settings["allowInsecureConnections"] = "True"
if case != "extension-settings-complete":
    settings.update(
        {
            "scoringFe.sslSecret": "azureml-fe-tls",
            "cluster_name": cluster.id,
            "clusterId": cluster.id,
            "prometheus.prometheusSpec.externalLabels.cluster_name": cluster.id,
            "location": region,
            "jobSchedulerLocation": region,
            "cluster_name_friendly": cluster.name,
            "domain": f"{region}.cloudapp.azure.com",
            "servicebus.enabled": "false",
            "relayserver.enabled": "false",
            "nginxIngress.enabled": "true",
        }
    )
extension_args = {}
if case == "extension-version-pin":
    extension_args["version"] = "1.1.39"  # pinned, with minor-version auto-upgrade still on
if case == "protected-settings-secret":
    # A (fake, truncated) base64 PEM key in the plain settings, where anyone can read it.
    settings["scoringFe.sslKey"] = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"
if case == "protected-settings-in-state":
    # Secret inputs, which Pulumi keeps secret, but no additionalSecretOutputs a policy can see.
    extension_args["configuration_protected_settings"] = {
        "scoringFe.sslCert": pulumi.Output.secret("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"),
        "scoringFe.sslKey": pulumi.Output.secret("LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"),
    }
extension = kubernetesconfiguration.Extension(
    "azureml",
    resource_group_name=group.name,
    cluster_name=cluster.name,
    cluster_rp="Microsoft.ContainerService",
    cluster_resource_name="managedClusters",
    extension_name="azureml",
    extension_type="Microsoft.AzureML.Kubernetes",
    release_train="stable",
    auto_upgrade_minor_version=True,
    scope={"cluster": {"release_namespace": "azureml"}},
    configuration_settings=settings,
    **extension_args,
)

workspace = machinelearningservices.Workspace(
    "mlw", resource_group_name=group.name, location=region, identity={"type": "SystemAssigned"}
)
if case != "local-accounts-off-needs-trusted-access":
    containerservice.TrustedAccessRoleBinding(
        "azureml-access",
        resource_group_name=group.name,
        resource_name_=cluster.name,
        trusted_access_role_binding_name="azureml",
        roles=["Microsoft.MachineLearningServices/workspaces/mlworkload"],
        source_resource_id=workspace.id,
    )


def attach(name: str, namespace: str) -> machinelearningservices.Compute:
    return machinelearningservices.Compute(
        name,
        resource_group_name=group.name,
        workspace_name=workspace.name,
        compute_name=name,
        location=region,
        identity={"type": "SystemAssigned"},
        properties=machinelearningservices.KubernetesArgs(
            compute_type="Kubernetes",
            resource_id=cluster.id,
            properties=machinelearningservices.KubernetesPropertiesArgs(namespace=namespace),
        ),
        opts=pulumi.ResourceOptions(depends_on=[extension]),
    )


compute = attach("k8s-team-a", "team-a")
attach("k8s-team-b", "team-a" if case == "compute-namespace-unique" else "team-b")
if case == "legacy-aks-compute":
    machinelearningservices.Compute(
        "aks-v1",
        resource_group_name=group.name,
        workspace_name=workspace.name,
        location=region,
        properties=machinelearningservices.AKSArgs(compute_type="AKS", resource_id=cluster.id),
    )

resources_spec = {
    "requests": {"cpu": "4", "memory": "16Gi"},
    "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": 1},
}
if case == "instance-type-valid":
    resources_spec["requests"]["nvidia.com/gpu"] = 1
CustomResource(
    "gpu-type",
    api_version="amlarc.azureml.com/v1alpha1",
    kind="InstanceType",
    metadata={"name": "gpu"},
    spec={"nodeSelector": {"accelerator": "a100"}, "resources": resources_spec},
)

endpoint = machinelearningservices.OnlineEndpoint(
    "score",
    resource_group_name=group.name,
    workspace_name=workspace.name,
    endpoint_name="score",
    location=region,
    properties=machinelearningservices.OnlineEndpointPropertiesArgs(
        auth_mode="Key", compute=compute.id
    ),
)
# Past a cluster's 60 Kubernetes online endpoints.
for i in range(60 if case == "kubernetes-online-limits" else 0):
    machinelearningservices.OnlineEndpoint(
        f"score-{i}",
        resource_group_name=group.name,
        workspace_name=workspace.name,
        endpoint_name=f"score-{i}",
        location=region,
        properties=machinelearningservices.OnlineEndpointPropertiesArgs(
            auth_mode="Key", compute=compute.id
        ),
    )
machinelearningservices.OnlineDeployment(
    "blue",
    resource_group_name=group.name,
    workspace_name=workspace.name,
    endpoint_name=endpoint.name,
    deployment_name="blue",
    location=region,
    properties=machinelearningservices.KubernetesOnlineDeploymentArgs(
        endpoint_compute_type="Kubernetes",
        instance_type="gpu",
        model="azureml://registries/azureml/models/phi-3/versions/1"
        if case == "no-registry-models-on-kubernetes"
        else "azureml:fraud-model:3",
        scale_settings=machinelearningservices.TargetUtilizationScaleSettingsArgs(
            scale_type="TargetUtilization",
            min_instances=20 if case == "scale-settings-sane" else 1,
            max_instances=12,
            target_utilization_percentage=70,
        ),
    ),
)

# A web app with its own HPA: fine, unless it lands in a namespace an Azure ML compute uses.
web_namespace = "team-a" if case == "no-hpa-on-model-deployments" else "web"
web = Deployment(
    "web",
    metadata={"name": "web", "namespace": web_namespace, "labels": {"app": "web"}},
    spec={
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]},
        },
    },
)
HorizontalPodAutoscaler(
    "web",
    metadata={"name": "web", "namespace": web_namespace},
    spec={
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 1,
        "maxReplicas": 3,
    },
)

# The team's own NVIDIA device plugin, beside the extension's.
if case == "one-nvidia-device-plugin":
    DaemonSet(
        "nvidia-device-plugin",
        metadata={"name": "nvidia-device-plugin-daemonset", "namespace": "kube-system"},
        spec={
            "selector": {"matchLabels": {"name": "nvidia-device-plugin-ds"}},
            "template": {
                "metadata": {"labels": {"name": "nvidia-device-plugin-ds"}},
                "spec": {
                    "containers": [
                        {"name": "plugin", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.18.0"}
                    ]
                },
            },
        },
    )
