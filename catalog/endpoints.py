"""Online endpoints and deployments on a Kubernetes compute: documented values and limits.

Pure functions on plain values, so stack settings and the policy pack share one copy. Names use
the v2 CLI/SDK spelling (min_instances ...); ARM spells them in camelCase (minInstances ...).
"""

from __future__ import annotations

import re
from typing import Final

from catalog import documents

# Models from the Model Catalog / a registry are not supported on Kubernetes online endpoints.
REGISTRY_MODEL_PREFIX = "azureml://registries/"
# The same model as an ARM id: .../providers/Microsoft.MachineLearningServices/registries/<r>/...
REGISTRY_MODEL_ARM_SEGMENT = "/providers/microsoft.machinelearningservices/registries/"
ENDPOINT_COMPUTE_TYPE_KUBERNETES = "Kubernetes"

# Endpoint auth modes as settings spell them -> as ARM spells them.
AUTH_MODES: dict[str, str] = {"key": "Key", "amlToken": "AMLToken"}
DEFAULT_AUTH_MODE: Final = "key"

MAX_REQUEST_PAYLOAD_MB = 100
REQUEST_TIMEOUT_MS_DEFAULT = 5000
REQUEST_TIMEOUT_MS_MAX = 180000
MAX_CONCURRENT_REQUESTS_DEFAULT = 1
MAX_MODELS_PER_DEPLOYMENT = 1000
DEPLOYMENT_CREATE_TIMEOUT_MINUTES = 20

# Target-utilization scale settings (v2): defaults and ranges.
SCALE_TYPE_TARGET_UTILIZATION = "TargetUtilization"
TARGET_UTILIZATION_MIN, TARGET_UTILIZATION_MAX = 1, 100
TARGET_UTILIZATION_DEFAULT = 70
MIN_INSTANCES_DEFAULT = 1
MIN_INSTANCES_MIN = 1
MAX_INSTANCES_DEFAULT = 1
POLLING_INTERVAL_S_DEFAULT = 1
POLLING_INTERVAL_S_MIN = 1

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def is_registry_model(model: object) -> bool:
    """A model reference that points into a registry (azureml://registries/... or an ARM id)."""
    text = str(model).strip().lower()
    return text.startswith(REGISTRY_MODEL_PREFIX) or REGISTRY_MODEL_ARM_SEGMENT in text


def duration_ms(value: object) -> float | None:
    """An ISO 8601 duration as ARM carries timeouts ('PT5S', 'PT0.5S', 'PT1M') in ms; else None."""
    match = _DURATION.match(str(value).strip().upper())
    if not match or str(value).strip().upper() in ("P", "PT"):
        return None
    scale = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000}
    return sum(float(match[part]) * ms for part, ms in scale.items() if match[part])


SOURCES: dict[str, str] = {
    "REGISTRY_MODEL_PREFIX": "Learn 'Kubernetes compute target' limitations: models from the "
    f"model catalog/registries are not supported on Kubernetes online endpoints "
    f"({documents.KUBERNETES_COMPUTE})",
    "REGISTRY_MODEL_ARM_SEGMENT": "ARM id format of Microsoft.MachineLearningServices/"
    "registries (Learn REST 'Registry Model Versions')",
    "ENDPOINT_COMPUTE_TYPE_KUBERNETES": "ARM OnlineDeployment endpointComputeType enum "
    "(Managed | Kubernetes | AzureMLCompute), Learn REST 'Online Deployments'",
    "AUTH_MODES": "Learn 'CLI (v2) Kubernetes online endpoint YAML schema': auth_mode key | "
    "aml_token; ARM EndpointAuthMode Key | AMLToken",
    "DEFAULT_AUTH_MODE": "Learn 'CLI (v2) Kubernetes online endpoint YAML schema': default key",
    "MAX_REQUEST_PAYLOAD_MB": f"{documents.INFERENCE_ROUTER}: maximum request payload 100 MB",
    "REQUEST_TIMEOUT_MS_DEFAULT": "Learn 'CLI (v2) online deployment YAML schema', "
    "RequestSettings.request_timeout_ms default 5000",
    "REQUEST_TIMEOUT_MS_MAX": "Learn 'CLI (v2) online deployment YAML schema', RequestSettings: "
    "'the maximum value allowed is 180000 milliseconds'",
    "MAX_CONCURRENT_REQUESTS_DEFAULT": "Learn 'CLI (v2) online deployment YAML schema', "
    "max_concurrent_requests_per_instance default 1",
    "MAX_MODELS_PER_DEPLOYMENT": f"{documents.INFERENCE_ROUTER}: up to 1,000 models per deployment",
    "DEPLOYMENT_CREATE_TIMEOUT_MINUTES": f"{documents.KUBERNETES_COMPUTE}: model deployment "
    "creation in the cluster times out after 20 minutes",
    "SCALE_TYPE_TARGET_UTILIZATION": "ARM OnlineScaleSettings scaleType TargetUtilization "
    "(Learn REST 'Online Deployments')",
    "TARGET_UTILIZATION_MIN": "Learn 'CLI (v2) Kubernetes online deployment YAML schema', "
    "target_utilization_percentage 1-100",
    "TARGET_UTILIZATION_MAX": "Learn 'CLI (v2) Kubernetes online deployment YAML schema', "
    "target_utilization_percentage 1-100",
    "TARGET_UTILIZATION_DEFAULT": f"{documents.INFERENCE_ROUTER}: "
    "target_utilization_percentage default 70",
    "MIN_INSTANCES_DEFAULT": "Learn 'CLI (v2) Kubernetes online deployment YAML schema', "
    "min_instances default 1",
    "MAX_INSTANCES_DEFAULT": "Learn 'CLI (v2) Kubernetes online deployment YAML schema', "
    "max_instances default 1",
    "POLLING_INTERVAL_S_DEFAULT": "Learn 'CLI (v2) Kubernetes online deployment YAML schema', "
    "polling_interval default 1 s",
    "MIN_INSTANCES_MIN": "unconfirmed: neither Learn 'CLI (v2) Kubernetes online deployment YAML "
    "schema' nor the ARM TargetUtilizationScaleSettings sets a minimum for minInstances; 1 is "
    "kept (no scale to zero is documented for Kubernetes, and azureml-fe's utilization divides "
    "by the current replicas)",
    "POLLING_INTERVAL_S_MIN": "Learn 'CLI (v2) Kubernetes online deployment YAML schema', "
    "polling_interval in whole seconds (ARM: an ISO 8601 duration, PT1S)",
    "is_registry_model": "REGISTRY_MODEL_PREFIX and REGISTRY_MODEL_ARM_SEGMENT",
    "duration_ms": "ISO 8601 durations, as ARM carries requestTimeout ('PT5S'; Learn REST "
    "'Online Deployments', OnlineRequestSettings)",
}
