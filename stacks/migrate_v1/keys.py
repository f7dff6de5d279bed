"""Every v1 key this tool accepts, in both spellings, and what kind of value each takes.

A v1 AKS web service is described three ways, and all three are accepted:
- the SDK's `AksWebservice.deploy_configuration` argument names (`autoscale_min_replicas`);
- the CLI's deployment configuration entities (`autoScaler.minReplicas`, nested or dotted), as
  `az ml model deploy --deploy-config-file` took them;
- what `az ml service show` prints for a service (the SDK's `Webservice.serialize`): the same
  entities plus the service's name, compute and models, and status keys that are ignored.
Internally every setting goes by its SDK name (or, for the few the SDK has no argument for, by a
name of this module's choosing); docs/migrate.md lists them all and must stay in step.
"""

from __future__ import annotations

from typing import Final

# AksServiceDeploymentConfiguration's arguments (sources: sdk-config).
SDK_ARGUMENTS: Final = (
    "autoscale_enabled",
    "autoscale_min_replicas",
    "autoscale_max_replicas",
    "autoscale_refresh_seconds",
    "autoscale_target_utilization",
    "collect_model_data",
    "auth_enabled",
    "cpu_cores",
    "memory_gb",
    "enable_app_insights",
    "scoring_timeout_ms",
    "replica_max_concurrent_requests",
    "max_request_wait_time",
    "num_replicas",
    "primary_key",
    "secondary_key",
    "tags",
    "properties",
    "description",
    "gpu_cores",
    "period_seconds",
    "initial_delay_seconds",
    "timeout_seconds",
    "success_threshold",
    "failure_threshold",
    "namespace",
    "token_auth_enabled",
    "compute_target_name",
    "cpu_cores_limit",
    "memory_gb_limit",
    "blobfuse_enabled",
)
# Other spellings of SDK arguments: the AksWebservice attribute name of the concurrency setting.
ALIASES: Final = {"max_concurrent_requests_per_container": "replica_max_concurrent_requests"}

# CLI entity -> internal name (sources: v1-cli for the deployment configuration file,
# sdk-service for what `az ml service show` adds).
CLI_ENTITIES: Final = {
    "computeType": "compute_type",
    "autoScaler.autoscaleEnabled": "autoscale_enabled",
    "autoScaler.minReplicas": "autoscale_min_replicas",
    "autoScaler.maxReplicas": "autoscale_max_replicas",
    "autoScaler.refreshPeriodInSeconds": "autoscale_refresh_seconds",
    "autoScaler.targetUtilization": "autoscale_target_utilization",
    "dataCollection.storageEnabled": "collect_model_data",
    "dataCollection.eventHubEnabled": "event_hub_enabled",
    "authEnabled": "auth_enabled",
    "tokenAuthEnabled": "token_auth_enabled",
    "aadAuthEnabled": "token_auth_enabled",
    "containerResourceRequirements.cpu": "cpu_cores",
    "containerResourceRequirements.memoryInGB": "memory_gb",
    "containerResourceRequirements.cpuLimit": "cpu_cores_limit",
    "containerResourceRequirements.memoryInGBLimit": "memory_gb_limit",
    "containerResourceRequirements.gpu": "gpu_cores",
    "gpuCores": "gpu_cores",
    "appInsightsEnabled": "enable_app_insights",
    "scoringTimeoutMs": "scoring_timeout_ms",
    "maxConcurrentRequestsPerContainer": "replica_max_concurrent_requests",
    "maxQueueWaitMs": "max_request_wait_time",
    "numReplicas": "num_replicas",
    "keys.primaryKey": "primary_key",
    "keys.secondaryKey": "secondary_key",
    "livenessProbeRequirements.periodSeconds": "period_seconds",
    "livenessProbeRequirements.initialDelaySeconds": "initial_delay_seconds",
    "livenessProbeRequirements.timeoutSeconds": "timeout_seconds",
    "livenessProbeRequirements.successThreshold": "success_threshold",
    "livenessProbeRequirements.failureThreshold": "failure_threshold",
    "namespace": "namespace",
    "description": "description",
    "tags": "tags",
    "properties": "properties",
    "name": "name",
    "computeName": "compute_target_name",
    "models": "models",
    "modelIds": "model_ids",
    "modelDetails": "model_details",
    "environmentDetails": "environment",
}
# Groups of entities: `autoScaler: {minReplicas: 1}` is `autoScaler.minReplicas: 1`.
GROUPS: Final = frozenset(entity.split(".")[0] for entity in CLI_ENTITIES if "." in entity)

# What `az ml service show` prints about the service's state rather than its settings: read and
# ignored (sources: sdk-service).
STATUS_KEYS: Final = (
    "state",
    "createdTime",
    "updatedTime",
    "error",
    "workspaceName",
    "imageId",
    "imageDetails",
    "scoringUri",
    "swaggerUri",
    "port",
    "deploymentStatus",
    "isDefault",
    "trafficPercentile",
    "versionType",
)

# The kind of value each internal name takes.
FRACTIONS: Final = frozenset({"cpu_cores", "memory_gb", "cpu_cores_limit", "memory_gb_limit"})
# Whole numbers and their least value (v1 refuses zero for all but gpu_cores: sdk-config).
WHOLE: Final = {
    "autoscale_min_replicas": 1,
    "autoscale_max_replicas": 1,
    "autoscale_refresh_seconds": 1,
    "autoscale_target_utilization": 1,
    "num_replicas": 1,
    "scoring_timeout_ms": 1,
    "replica_max_concurrent_requests": 1,
    "max_request_wait_time": 1,
    "gpu_cores": 0,
    "period_seconds": 1,
    "initial_delay_seconds": 1,
    "timeout_seconds": 1,
    "success_threshold": 1,
    "failure_threshold": 1,
}
FLAGS: Final = frozenset(
    {
        "autoscale_enabled",
        "collect_model_data",
        "event_hub_enabled",
        "auth_enabled",
        "token_auth_enabled",
        "enable_app_insights",
        "blobfuse_enabled",
    }
)
TEXTS: Final = frozenset(
    {"compute_type", "description", "namespace", "name", "compute_target_name"}
)
SECRETS: Final = frozenset({"primary_key", "secondary_key"})  # strings never printed
MAPPINGS: Final = frozenset({"tags", "properties", "environment"})
LISTS: Final = frozenset({"models", "model_ids", "model_details"})

# v1 defaults where the mapping carries them over (sources: sdk-config). The scale defaults are
# router/scale.py's (ScaleSettings.from_v1).
V1_CPU_CORES: Final = 0.1
V1_MEMORY_GB: Final = 0.5
V1_SCORING_TIMEOUT_MS: Final = 60000
V1_MAX_CONCURRENT_REQUESTS: Final = 1

# Settings with no v2 equivalent in this stack: what to do instead, and the sources.
NO_EQUIVALENT: Final = {
    "max_request_wait_time": (
        "v2 deprecates max_queue_wait_ms: raise requestTimeoutMs instead",
        ("v2-deployment",),
    ),
    "collect_model_data": (
        "v2 collects data with a data_collector on the deployment, not a stack setting here",
        ("v2-deployment",),
    ),
    "event_hub_enabled": (
        "v2 collects data with a data_collector on the deployment, not a stack setting here",
        ("v2-deployment",),
    ),
    "enable_app_insights": (
        "v2 sets app_insights_enabled on the deployment, not a stack setting here",
        ("v2-deployment",),
    ),
    "primary_key": (
        "not carried over: a v2 endpoint makes its own keys (az ml online-endpoint "
        "regenerate-keys); the value is not printed",
        ("v2-endpoint",),
    ),
    "secondary_key": (
        "not carried over: a v2 endpoint makes its own keys; the value is not printed",
        ("v2-endpoint",),
    ),
    "tags": ("v2 tags live on the endpoint resource, not a stack setting here", ("v2-endpoint",)),
    "properties": (
        "v2 properties live on the deployment resource, not a stack setting here",
        ("v2-deployment",),
    ),
    "blobfuse_enabled": (
        "how v1 mounted the model; a v2 deployment fetches its model itself, with no setting",
        ("sdk-config", "v2-deployment"),
    ),
    "environment": (
        "a v2 deployment names a registered environment: register it (az ml environment "
        "create) and set endpoints[0].deployments[0].environment",
        ("v2-deployment",),
    ),
}


def top_level_keys() -> list[str]:
    """Every key a v1 file may hold at its top level (groups, dotted entities included)."""
    return sorted(
        {*SDK_ARGUMENTS, *ALIASES, *CLI_ENTITIES, *GROUPS, *STATUS_KEYS},
        key=str.lower,
    )
