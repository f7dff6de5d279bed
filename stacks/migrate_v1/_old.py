"""v1 AKS web service settings to this stack's v2 `endpoints[]` and `instanceTypes[]`.

    python -m stacks.migrate_v1 deploymentconfig.json [--name NAME] [--compute NAME] [--model REF]

Reads a v1 deployment configuration as `az ml model deploy --deploy-config-file` took it (JSON or
YAML; the CLI's camelCase entities such as `autoScaler.minReplicas`, or the SDK's
`AksWebservice.deploy_configuration` argument names such as `autoscale_min_replicas`) and prints
the equivalent settings as YAML to paste under `config:`, with a comment for every mapping (and
its source) and for every setting that has no v2 equivalent. The result is validated with the
stack's own models before it is printed. v1 CLI and SDK support ended on 2025-09-30.

Exit codes: 0 printed; 2 the file or a setting is invalid; 64 wrong command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from catalog import endpoints as catalog_endpoints
from catalog import instance_types as catalog_instance_types
from common import cli
from router.inputs import InputError
from router.scale import ScaleSettings
from stacks.settings.endpoints import Endpoint
from stacks.settings.instance_types import InstanceType

INVALID = 2
MAX_FILE_BYTES = 1 << 20

_LEARN_V1 = "Learn 'Deploy a model to an Azure Kubernetes Service cluster with v1' (seeds/002)"
_LEARN_JSON = (
    "Learn 'How and where to deploy models' (v1), the AKS deploymentconfig.json entity table"
)
_SDK_V1 = "azureml-core AksWebservice.deploy_configuration reference"
_V2_SCHEMA = "Learn 'CLI (v2) Kubernetes online deployment YAML schema'"

# The CLI's JSON entities, as `AksWebservice.deploy_configuration` names them (_LEARN_JSON).
_JSON_ENTITIES: dict[str, str] = {
    "autoScaler.autoscaleEnabled": "autoscale_enabled",
    "autoScaler.minReplicas": "autoscale_min_replicas",
    "autoScaler.maxReplicas": "autoscale_max_replicas",
    "autoScaler.refreshPeriodInSeconds": "autoscale_refresh_seconds",
    "autoScaler.targetUtilization": "autoscale_target_utilization",
    "dataCollection.storageEnabled": "collect_model_data",
    "authEnabled": "auth_enabled",
    "tokenAuthEnabled": "token_auth_enabled",
    "containerResourceRequirements.cpu": "cpu_cores",
    "containerResourceRequirements.memoryInGB": "memory_gb",
    "containerResourceRequirements.cpuLimit": "cpu_cores_limit",
    "containerResourceRequirements.memoryInGBLimit": "memory_gb_limit",
    "appInsightsEnabled": "enable_app_insights",
    "scoringTimeoutMs": "scoring_timeout_ms",
    "maxConcurrentRequestsPerContainer": "replica_max_concurrent_requests",
    "maxQueueWaitMs": "max_request_wait_time",
    "numReplicas": "num_replicas",
    "keys.primaryKey": "primary_key",
    "keys.secondaryKey": "secondary_key",
    "gpuCores": "gpu_cores",
    "livenessProbeRequirements.periodSeconds": "period_seconds",
    "livenessProbeRequirements.initialDelaySeconds": "initial_delay_seconds",
    "livenessProbeRequirements.timeoutSeconds": "timeout_seconds",
    "livenessProbeRequirements.successThreshold": "success_threshold",
    "livenessProbeRequirements.failureThreshold": "failure_threshold",
    "namespace": "namespace",
    "description": "description",
    "tags": "tags",
    "properties": "properties",
    "computeType": "compute_type",
}
# The spelling of replica_max_concurrent_requests.
_ALIASES = {"max_concurrent_requests_per_container": "replica_max_concurrent_requests"}

# SDK defaults where v1 and v2 differ, so behaviour carries over (_LEARN_JSON).
V1_CPU_CORES = 0.1
V1_MEMORY_GB = 0.5
V1_SCORING_TIMEOUT_MS = 60000

_SCALE = (
    "autoscale_enabled",
    "num_replicas",
    "autoscale_min_replicas",
    "autoscale_max_replicas",
    "autoscale_target_utilization",
    "autoscale_refresh_seconds",
)
_PROBE = {
    "period_seconds": "periodS",
    "initial_delay_seconds": "initialDelayS",
    "timeout_seconds": "timeoutS",
    "success_threshold": "successThreshold",
    "failure_threshold": "failureThreshold",
}
# Settings with no v2 equivalent in this stack, and what to do instead.
_NO_EQUIVALENT: dict[str, str] = {
    "max_request_wait_time": "v2 deprecates max_queue_wait_ms: raise requestTimeoutMs instead "
    f"({_V2_SCHEMA}, RequestSettings)",
    "collect_model_data": "v2 collects data with a data_collector on the deployment, not a "
    f"stack setting here ({_V2_SCHEMA})",
    "enable_app_insights": "v2 sets app_insights_enabled on the deployment; not a stack setting "
    f"here ({_V2_SCHEMA})",
    "primary_key": "not carried over: a v2 endpoint makes its own keys (az ml online-endpoint "
    "regenerate-keys); the value is not printed",
    "secondary_key": "not carried over: a v2 endpoint makes its own keys; the value is not printed",
    "tags": "v2 tags live on the endpoint resource, not a stack setting here",
    "properties": "v2 properties live on the deployment resource, not a stack setting here",
}


class MigrationError(Exception):
    """The v1 file or one of its settings cannot be migrated; the message names it."""


@dataclass
class Migration:
    """The v2 settings and the comments that explain them."""

    instance_type: dict[str, Any]
    endpoint: dict[str, Any]
    mapped: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    def render(self, source: str) -> str:
        lines = [
            f"# v2 settings migrated from {source} (v1 AKS web service) by "
            "python -m stacks.migrate_v1; paste under config:",
            "# Mapped (v1 -> v2, source):",
            *[f"#   {line}" for line in self.mapped],
        ]
        if self.unmapped:
            lines += ["# No v2 equivalent:", *[f"#   {line}" for line in self.unmapped]]
        body = yaml.safe_dump(
            {
                "azureml-k8s:instanceTypes": [self.instance_type],
                "azureml-k8s:endpoints": [self.endpoint],
            },
            sort_keys=False,
            default_flow_style=False,
        )
        return "\n".join(lines) + "\n" + body


def load(path: Path) -> dict[str, Any]:
    """The v1 settings of a JSON or YAML file, flattened to the SDK's argument names."""
    try:
        if not path.is_file():
            raise MigrationError("not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise MigrationError(f"cannot read: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise MigrationError(f"larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = yaml.safe_load(data.decode("utf-8"))  # JSON is YAML too
    except (UnicodeDecodeError, yaml.YAMLError):
        raise MigrationError("not JSON or YAML text") from None
    if not isinstance(raw, dict):
        raise MigrationError("expected a mapping of v1 deployment settings")
    return flatten(raw)


def flatten(raw: dict[str, Any]) -> dict[str, Any]:
    """CLI entities (autoScaler.minReplicas ...) and SDK names alike, as SDK names."""
    out: dict[str, Any] = {}
    known_sdk = set(_JSON_ENTITIES.values()) | set(_ALIASES)
    for key, value in raw.items():
        if isinstance(value, dict) and key not in ("tags", "properties"):
            for inner, inner_value in value.items():
                entity = f"{key}.{inner}"
                if entity not in _JSON_ENTITIES:
                    raise MigrationError(f"{entity}: not a v1 AKS deployment setting")
                out[_JSON_ENTITIES[entity]] = inner_value
        elif key in _JSON_ENTITIES:
            out[_JSON_ENTITIES[key]] = value
        elif key in known_sdk:
            out[_ALIASES.get(key, key)] = value
        else:
            raise MigrationError(f"{key}: not a v1 AKS deployment setting (see {_LEARN_JSON})")
    return out


def _quantity_cpu(cores: float) -> str:
    millicores = round(float(cores) * 1000)
    return f"{millicores // 1000}" if millicores % 1000 == 0 else f"{millicores}m"


def _quantity_memory(gb: float) -> str:
    mebibytes = round(float(gb) * 1024)
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"


def _label(text: str) -> str:
    label = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return label[:28].rstrip("-") or "service"


def migrate(v1: dict[str, Any], name: str, compute: str, model: str) -> Migration:
    """The v2 instance type and endpoint for one v1 AKS web service."""
    endpoint_name = _label(name)
    if not endpoint_name[:1].isalpha():
        endpoint_name = f"v1-{endpoint_name}"
    where = "endpoints[0].deployments[0]"
    mapped: list[str] = []
    unmapped: list[str] = []

    if str(v1.get("compute_type", "aks")).lower() != "aks":
        raise MigrationError(f"computeType: {v1['compute_type']!r} is not an AKS web service")
    if "compute_type" in v1:
        mapped.append(
            f"computeType aks -> endpoints[0].compute {compute}: a Kubernetes compute attach; "
            "a legacy computeType AKS compute cannot host v2 online endpoints (Azure/"
            "azureml-examples #1474)"
        )

    # Resources: an instance type with requests (and limits) as v1 gave the container.
    cpu = v1.get("cpu_cores", V1_CPU_CORES)
    memory = v1.get("memory_gb", V1_MEMORY_GB)
    requests = {"cpu": _quantity_cpu(cpu), "memory": _quantity_memory(memory)}
    limits = {
        "cpu": _quantity_cpu(v1.get("cpu_cores_limit", cpu)),
        "memory": _quantity_memory(v1.get("memory_gb_limit", memory)),
    }
    gpus = v1.get("gpu_cores", 0)
    if gpus:
        limits[catalog_instance_types.GPU_RESOURCE] = gpus
    type_name = f"{endpoint_name}-v1"
    instance_type = {"name": type_name, "resources": {"requests": requests, "limits": limits}}
    default = "" if "cpu_cores" in v1 else " (v1 default)"
    mapped.append(
        f"cpu_cores {cpu}{default} -> instanceTypes[0].resources.requests.cpu "
        f"{requests['cpu']} ({_LEARN_JSON}; Learn 'Create and manage instance types')"
    )
    default = "" if "memory_gb" in v1 else " (v1 default)"
    mapped.append(
        f"memory_gb {memory}{default} -> instanceTypes[0].resources.requests.memory "
        f"{requests['memory']} (GB read as GiB, the side that does not starve the model; "
        f"{_LEARN_JSON})"
    )
    mapped.append(
        "cpu_cores_limit / memory_gb_limit (default: the requests) -> "
        f"instanceTypes[0].resources.limits (instance types need limits; {_SDK_V1})"
    )
    if gpus:
        mapped.append(
            f"gpu_cores {gpus} -> instanceTypes[0].resources.limits.nvidia.com/gpu {gpus} "
            "(GPUs in limits only; Learn 'Create and manage instance types')"
        )

    # Scale: router.scale holds the v1 -> v2 mapping and the v1 defaults.
    try:
        scale = ScaleSettings.from_v1({key: v1[key] for key in _SCALE if key in v1})
    except InputError as err:
        raise MigrationError(f"{err.field}: {err.problem}") from None
    scale_settings = scale.to_stack()
    given = ", ".join(f"{key} {v1[key]}" for key in _SCALE if key in v1) or "no autoscale_*"
    mapped.append(
        f"{given} -> {where}.scaleSettings {scale_settings} (router/scale.py from_v1: v1 "
        f"defaults min 1, max 10, target 70, refresh 1 s; {_LEARN_V1}; {_V2_SCHEMA})"
    )

    # Auth: key by default, token when asked; v2 endpoints always authenticate.
    token = v1.get("token_auth_enabled", False)
    auth = v1.get("auth_enabled", not token)
    auth_mode = "amlToken" if token else "key"
    mapped.append(
        f"auth_enabled {auth} / token_auth_enabled {token} -> endpoints[0].authMode "
        f"{auth_mode} ({_LEARN_V1}: key auth by default, token auth as an alternative; "
        "Learn 'CLI (v2) Kubernetes online endpoint YAML schema': auth_mode key | aml_token)"
    )
    if not auth and not token:
        unmapped.append(
            "auth_enabled: false -> a v2 online endpoint always authenticates: kept authMode "
            "key; give clients the key (endpointKeys output)"
        )

    # Requests: timeout (v1 default 60 s, v2 at most 180 s) and concurrency.
    timeout = int(v1.get("scoring_timeout_ms", V1_SCORING_TIMEOUT_MS))
    note = "" if "scoring_timeout_ms" in v1 else " (v1 default, kept: v2's default is 5000)"
    if timeout > catalog_endpoints.REQUEST_TIMEOUT_MS_MAX:
        unmapped.append(
            f"scoring_timeout_ms {timeout} -> above v2's maximum: requestTimeoutMs "
            f"{catalog_endpoints.REQUEST_TIMEOUT_MS_MAX} ({_V2_SCHEMA}, RequestSettings)"
        )
        timeout = catalog_endpoints.REQUEST_TIMEOUT_MS_MAX
    concurrent = v1.get("replica_max_concurrent_requests", 1)
    request_settings = {"maxConcurrentRequestsPerInstance": concurrent, "requestTimeoutMs": timeout}
    mapped.append(
        f"scoring_timeout_ms {timeout}{note} -> {where}.requestSettings.requestTimeoutMs "
        f"({_LEARN_JSON}; {_V2_SCHEMA})"
    )
    mapped.append(
        f"replica_max_concurrent_requests {concurrent} -> "
        f"{where}.requestSettings.maxConcurrentRequestsPerInstance ({_LEARN_JSON}; {_V2_SCHEMA})"
    )

    deployment: dict[str, Any] = {
        "name": "blue",
        "model": model,
        "instanceType": type_name,
        "traffic": 100,
        "scaleSettings": scale_settings,
        "requestSettings": request_settings,
    }
    probe = {_PROBE[key]: v1[key] for key in _PROBE if key in v1}
    if probe:
        deployment["livenessProbe"] = probe
        mapped.append(
            f"livenessProbeRequirements -> {where}.livenessProbe {probe} ({_LEARN_JSON}; "
            f"{_V2_SCHEMA}, ProbeSettings)"
        )
    endpoint: dict[str, Any] = {
        "name": endpoint_name,
        "compute": compute,
        "authMode": auth_mode,
        "deployments": [deployment],
    }
    if v1.get("description"):
        endpoint["description"] = str(v1["description"])
        mapped.append(f"description -> endpoints[0].description ({_SDK_V1})")
    if "namespace" in v1:
        mapped.append(
            f"namespace {v1['namespace']} -> computes[].namespace of compute {compute} (one "
            "compute attach per namespace; seeds/004)"
        )
    for key in sorted(set(v1) & set(_NO_EQUIVALENT)):
        unmapped.append(f"{key}: {_NO_EQUIVALENT[key]}")
    migration = Migration(instance_type, endpoint, mapped, unmapped)
    _validate(migration)
    return migration


def _validate(migration: Migration) -> None:
    """The stack's own models accept the result (names, limits, scale and request settings)."""
    try:
        InstanceType.model_validate(migration.instance_type)
        Endpoint.model_validate(migration.endpoint)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MigrationError(
            f"the v2 result is invalid at {where}: {first['msg'].removeprefix('Value error, ')}"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = cli.Parser(prog="python -m stacks.migrate_v1", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="v1 deployment configuration (JSON or YAML)")
    parser.add_argument("--name", help="endpoint name (default: from the file name)")
    parser.add_argument("--compute", default="k8s-compute", help="the v2 Kubernetes compute")
    parser.add_argument(
        "--model",
        default="azureml:model:1",
        help="the registered model the v1 service served (az ml model deploy -m name:version)",
    )
    args = parser.parse_args(argv)
    path = Path(args.file)
    try:
        migration = migrate(load(path), args.name or path.stem, args.compute, args.model)
    except MigrationError as err:
        cli.warn(f"migrate_v1: {path}: {err}")
        return INVALID
    cli.write(migration.render(path.name))
    if args.model == parser.get_default("model"):
        cli.write("# set --model to the model the v1 service served\n")
    return 0


if __name__ == "__main__":
    cli.exit_with(main)
