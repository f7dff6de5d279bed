"""One v1 AKS web service to one v2 instance type and one endpoint with one deployment, with a
note for every mapping (and its sources) and for every setting that has no v2 equivalent.

Notes quote every value with text.quoted (JSON), so no value can end a comment line; the result
is validated with the stack's own models (stacks.settings) before anyone sees it.
"""

from __future__ import annotations

from typing import Any

from catalog import endpoints as catalog_endpoints
from catalog import instance_types as catalog_instance_types
from router.scale import ScaleSettings, ScaleSettingsError
from stacks.migrate_v1 import keys
from stacks.migrate_v1.checks import validate
from stacks.migrate_v1.names import Name, Names
from stacks.migrate_v1.reading import V1, MigrationError
from stacks.migrate_v1.result import Migration, Note
from stacks.migrate_v1.text import as_json, quoted
from stacks.settings.base import DNS_LABEL

DEPLOYMENT = "endpoints[0].deployments[0]"
DEPLOYMENT_NAME = "blue"
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


def migrate(v1: V1, names: Names) -> Migration:
    """The v2 instance type and endpoint for one v1 AKS web service."""
    compute_type = str(v1.get("compute_type", "aks"))
    if compute_type.lower() != "aks":
        raise v1.error(
            "compute_type",
            f"{quoted(compute_type)} is not an AKS web service: this tool migrates AKS web "
            "services only (an ACI service moves to a managed online endpoint)",
        )
    migration = Migration({}, {}, ignored=list(v1.ignored))
    migration.mapped += _name_notes(v1, names)
    migration.instance_type = _instance_type(v1, names.instance_type.value, migration.mapped)
    deployment: dict[str, Any] = {
        "name": DEPLOYMENT_NAME,
        "model": names.model.value,
        "instanceType": names.instance_type.value,
        "traffic": 100,
        "scaleSettings": _scale(v1, migration.mapped),
        "requestSettings": _requests(v1, migration.mapped, migration.unmapped),
    }
    probe = _probe(v1, migration.mapped)
    if probe:
        deployment["livenessProbe"] = probe
    endpoint: dict[str, Any] = {
        "name": names.endpoint.value,
        "compute": names.compute.value,
        "authMode": _auth(v1, migration.mapped, migration.unmapped),
        "deployments": [deployment],
    }
    if v1.get("description"):
        endpoint["description"] = v1.get("description")
        migration.mapped.append(
            Note(f"{v1.where('description')} -> endpoints[0].description", ("sdk-config",))
        )
    migration.endpoint = endpoint
    _namespace(v1, names.compute.value, migration.mapped)
    migration.unmapped += _no_equivalent(v1)
    validate(migration, names, v1.file)
    return migration


def _cited(v1: V1, names: tuple[str, ...], *labels: str) -> tuple[str, ...]:
    """The labels, and the CLI's schema when the file spells one of `names` as a CLI entity."""
    entity = any(v1.has(name) and v1.where(name) != name for name in names)
    return (*labels, "v1-cli") if entity else labels


def _origin(name: Name) -> str:
    if name.origin == "default":
        return "this tool's default"
    return f"{name.origin} (over the file's {name.overrides})" if name.overrides else name.origin


def _name_notes(v1: V1, names: Names) -> list[Note]:
    notes = [
        Note(
            f"{_origin(names.endpoint)} {as_json(names.endpoint.value)} -> endpoints[0].name",
            ("sdk-service", "v2-endpoint"),
        ),
        Note(
            f"{_origin(names.model)} -> {DEPLOYMENT}.model {as_json(names.model.value)}",
            ("sdk-service", "v2-deployment"),
        ),
        Note(
            f"{_origin(names.instance_type)} -> instanceTypes[0].name "
            f"{as_json(names.instance_type.value)}, and {DEPLOYMENT}.instanceType",
            ("instance-types",),
        ),
    ]
    compute = f"{_origin(names.compute)} -> endpoints[0].compute {as_json(names.compute.value)}"
    if v1.has("compute_type") or names.compute.origin != "default":
        compute += (
            ": it must be a Kubernetes compute attach (computes[]); a legacy AKS compute "
            "cannot host v2 online endpoints"
        )
    notes.append(Note(compute, ("k8s-compute", "gh-1474")))
    return notes


def _millicores(v1: V1, name: str, cores: float) -> int:
    millicores = round(cores * 1000)
    if millicores < 1:
        raise v1.error(name, f"{quoted(cores)} cores is less than 1 millicore (0.001): raise it")
    return millicores


def _mebibytes(v1: V1, name: str, gb: float) -> int:
    mebibytes = round(gb * 1024)
    if mebibytes < 1:
        raise v1.error(name, f"{quoted(gb)} GB is less than 1 MiB: raise it")
    return mebibytes


def _cpu(millicores: int) -> str:
    return f"{millicores // 1000}" if millicores % 1000 == 0 else f"{millicores}m"


def _memory(mebibytes: int) -> str:
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"


def _instance_type(v1: V1, type_name: str, mapped: list[Note]) -> dict[str, Any]:
    """Requests as v1 gave the container, limits as v1 capped it (default: the requests)."""
    amounts: dict[str, int] = {}
    for name, default, convert in (
        ("cpu_cores", keys.V1_CPU_CORES, _millicores),
        ("memory_gb", keys.V1_MEMORY_GB, _mebibytes),
    ):
        amounts[name] = convert(v1, name, v1.get(name, default))
        limit_name = f"{name}_limit"
        amounts[limit_name] = (
            convert(v1, limit_name, v1.get(limit_name)) if v1.has(limit_name) else amounts[name]
        )
        if amounts[limit_name] < amounts[name]:
            raise v1.error(
                limit_name,
                f"{quoted(v1.get(limit_name))} is below {v1.where(name)} "
                f"({quoted(v1.get(name, default))}): a limit must be at least the request",
            )
    requests = {"cpu": _cpu(amounts["cpu_cores"]), "memory": _memory(amounts["memory_gb"])}
    limits: dict[str, str | int] = {
        "cpu": _cpu(amounts["cpu_cores_limit"]),
        "memory": _memory(amounts["memory_gb_limit"]),
    }
    defaults = {"cpu_cores": keys.V1_CPU_CORES, "memory_gb": keys.V1_MEMORY_GB}
    for name, unit, part, target in (
        ("cpu_cores", "cpu", "requests", requests["cpu"]),
        ("memory_gb", "memory", "requests", requests["memory"]),
        ("cpu_cores_limit", "cpu", "limits", limits["cpu"]),
        ("memory_gb_limit", "memory", "limits", limits["memory"]),
    ):
        if v1.has(name):
            given = quoted(v1.get(name))
        elif part == "requests":
            given = f"not given (v1 default {quoted(defaults[name])})"
        else:
            given = "not given (the request: an instance type needs limits)"
        gib = (
            " (GB read as GiB: the side that does not starve the model)" if unit == "memory" else ""
        )
        mapped.append(
            Note(
                f"{v1.where(name)} {given} -> instanceTypes[0].resources.{part}.{unit} "
                f"{quoted(target)}{gib if part == 'requests' else ''}",
                _cited(v1, (name,), "sdk-config", "instance-types"),
            )
        )
    gpus = v1.get("gpu_cores", 0)
    if gpus:
        limits[catalog_instance_types.GPU_RESOURCE] = gpus
        mapped.append(
            Note(
                f"{v1.where('gpu_cores')} {quoted(gpus)} -> instanceTypes[0].resources.limits."
                f"{catalog_instance_types.GPU_RESOURCE} (GPUs go in limits only)",
                _cited(v1, ("gpu_cores",), "sdk-config", "instance-types"),
            )
        )
    return {"name": type_name, "resources": {"requests": requests, "limits": limits}}


def _scale(v1: V1, mapped: list[Note]) -> dict[str, int]:
    """router/scale.py holds the v1 -> v2 scale mapping and the v1 defaults."""
    given = {key: v1.get(key) for key in _SCALE if v1.has(key)}
    try:
        settings = ScaleSettings.from_v1(given).to_stack()
    except ScaleSettingsError as err:
        raise MigrationError(
            v1.file,
            [(v1.where(where.removeprefix("v1.")), message) for where, message in err.problems],
        ) from None
    defaults = ScaleSettings.from_v1({})
    text = ", ".join(f"{v1.where(key)} {quoted(value)}" for key, value in given.items())
    mapped.append(
        Note(
            f"{text or 'no autoscale settings'} -> {DEPLOYMENT}.scaleSettings {as_json(settings)} "
            f"(v1 defaults: min {defaults.min_instances}, max {defaults.max_instances}, target "
            f"{defaults.target_utilization_percentage} %, refresh {defaults.polling_interval_s} s; "
            "autoscale_enabled false is a fixed num_replicas; router/scale.py from_v1)",
            _cited(v1, _SCALE, "sdk-config", "v1-aks", "v2-deployment"),
        )
    )
    return settings


def _requests(v1: V1, mapped: list[Note], unmapped: list[Note]) -> dict[str, int]:
    """Timeout (v1's default 60 s is kept; v2 allows at most 180 s) and concurrency."""
    timeout = v1.get("scoring_timeout_ms", keys.V1_SCORING_TIMEOUT_MS)
    note = "" if v1.has("scoring_timeout_ms") else " (v1 default, kept: v2's default is 5000)"
    if timeout > catalog_endpoints.REQUEST_TIMEOUT_MS_MAX:
        unmapped.append(
            Note(
                f"{v1.where('scoring_timeout_ms')} {quoted(timeout)} is above v2's maximum: "
                f"requestTimeoutMs {catalog_endpoints.REQUEST_TIMEOUT_MS_MAX}",
                ("v2-deployment",),
            )
        )
        timeout = catalog_endpoints.REQUEST_TIMEOUT_MS_MAX
    concurrent = v1.get("replica_max_concurrent_requests", keys.V1_MAX_CONCURRENT_REQUESTS)
    mapped.append(
        Note(
            f"{v1.where('scoring_timeout_ms')} {quoted(timeout)}{note} -> "
            f"{DEPLOYMENT}.requestSettings.requestTimeoutMs",
            _cited(v1, ("scoring_timeout_ms",), "sdk-config", "v2-deployment"),
        )
    )
    default = "" if v1.has("replica_max_concurrent_requests") else " (v1 default)"
    mapped.append(
        Note(
            f"{v1.where('replica_max_concurrent_requests')} {quoted(concurrent)}{default} -> "
            f"{DEPLOYMENT}.requestSettings.maxConcurrentRequestsPerInstance",
            _cited(v1, ("replica_max_concurrent_requests",), "sdk-config", "v2-deployment"),
        )
    )
    return {"maxConcurrentRequestsPerInstance": concurrent, "requestTimeoutMs": timeout}


def _probe(v1: V1, mapped: list[Note]) -> dict[str, int]:
    probe = {_PROBE[key]: v1.get(key) for key in _PROBE if v1.has(key)}
    if probe:
        given = ", ".join(f"{v1.where(key)} {quoted(v1.get(key))}" for key in _PROBE if v1.has(key))
        mapped.append(
            Note(
                f"{given} -> {DEPLOYMENT}.livenessProbe {as_json(probe)} (the others take v2's "
                "defaults, not v1's: period 10, initial delay 310, timeout 2, success 1, "
                "failure 3)",
                _cited(v1, tuple(_PROBE), "sdk-config", "v2-deployment"),
            )
        )
    return probe


def _auth(v1: V1, mapped: list[Note], unmapped: list[Note]) -> str:
    """Key auth by default, token auth when asked; a v2 endpoint always authenticates."""
    token = v1.get("token_auth_enabled", False)
    auth = v1.get("auth_enabled", not token)
    if auth and token:
        raise v1.error(
            "token_auth_enabled",
            f"true together with {v1.where('auth_enabled')} true: v1 refuses both too; keep one "
            "(key auth, or token auth)",
        )
    mode = "amlToken" if token else "key"
    mapped.append(
        Note(
            f"{v1.where('auth_enabled')} {quoted(auth)}, {v1.where('token_auth_enabled')} "
            f"{quoted(token)} -> endpoints[0].authMode {quoted(mode)} (key auth by default, "
            "token auth as the alternative)",
            _cited(v1, ("auth_enabled", "token_auth_enabled"), "v1-aks", "v2-endpoint"),
        )
    )
    if not auth and not token:
        unmapped.append(
            Note(
                f"{v1.where('auth_enabled')} false: a v2 online endpoint always authenticates; "
                "kept authMode key: give clients the key (the stack's endpointKeys output)",
                ("v2-endpoint",),
            )
        )
    return mode


def _namespace(v1: V1, compute: str, mapped: list[Note]) -> None:
    if not v1.has("namespace"):
        return
    namespace = v1.get("namespace")
    if not DNS_LABEL.fullmatch(namespace):
        raise v1.error(
            "namespace",
            f"{quoted(namespace)} is not a Kubernetes namespace name (up to 63 lowercase "
            "letters, digits and '-', not starting or ending with '-'; v1 refuses it too)",
        )
    mapped.append(
        Note(
            f"{v1.where('namespace')} {quoted(namespace)} -> computes[].namespace of compute "
            f"{quoted(compute)} (one compute attach per namespace)",
            ("sdk-config", "k8s-compute"),
        )
    )


def _no_equivalent(v1: V1) -> list[Note]:
    notes = []
    for name, (text, sources) in keys.NO_EQUIVALENT.items():
        if not v1.has(name):
            continue
        value = v1.get(name)
        if name in keys.SECRETS:
            shown = "(given)"
        elif isinstance(value, dict):
            shown = f"({len(value)} entries)"
        else:
            shown = quoted(value)
        notes.append(Note(f"{v1.where(name)} {shown}: {text}", sources))
    return notes
