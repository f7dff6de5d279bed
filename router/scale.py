"""Scale and request settings of an Azure ML Kubernetes online deployment.

The v2 shape is the deployment YAML's `scale_settings` block; the v1 names are the
`AksWebservice.deploy_configuration` arguments. Both convert to the same frozen
`ScaleSettings`, so sizing, the controller and the simulator see one model.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

from router.errors import InputError

__all__ = ["RequestSettings", "ScaleSettings", "ScaleSettingsError"]


class ScaleSettingsError(InputError):
    """An invalid scale or request setting; the message names the field and the fix."""


def _require_int(field: str, value: object, minimum: int, maximum: int | None = None) -> None:
    # bool is an int subclass; `true` for a replica count is a typo, not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScaleSettingsError(
            field, f"must be a whole number (got {value!r}); write it without quotes or decimals"
        )
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ScaleSettingsError(field, f"must be {bounds} (got {value})")


def _check_keys(given: dict, known: tuple[str, ...], where: str) -> None:
    if not isinstance(given, dict):
        raise ScaleSettingsError(
            where, f"expected a mapping of settings (got {type(given).__name__})"
        )
    for key in given:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise ScaleSettingsError(f"{where}.{key}", f"unknown setting; {hint}")


# v1 argument -> v2 field. autoscale_refresh_seconds is v1's polling interval.
# Source: azureml-core AksWebservice.deploy_configuration docstring.
_V1_TO_V2 = {
    "autoscale_min_replicas": "min_instances",
    "autoscale_max_replicas": "max_instances",
    "autoscale_target_utilization": "target_utilization_percentage",
    "autoscale_refresh_seconds": "polling_interval",
}
# v1 defaults differ from v2 for max_instances (10 vs 1).
# Source: AksWebservice.deploy_configuration: autoscale_enabled defaults to True when
# num_replicas is not set, min 1, max 10, refresh 1 s, target 70 %.
_V1_DEFAULTS = {
    "autoscale_min_replicas": 1,
    "autoscale_max_replicas": 10,
    "autoscale_target_utilization": 70,
    "autoscale_refresh_seconds": 1,
}


@dataclass(frozen=True)
class ScaleSettings:
    """Target-utilization autoscaling, v2 field names.

    Defaults are the documented ones. Source: Learn "CLI (v2) Azure Arc-enabled Kubernetes
    online deployment YAML schema", TargetUtilizationScaleSettings: type target_utilization,
    min_instances 1, max_instances 1, target_utilization_percentage 70, polling_interval 1 (s).
    """

    type: str = "target_utilization"
    min_instances: int = 1
    max_instances: int = 1
    target_utilization_percentage: int = 70
    polling_interval: int = 1

    def __post_init__(self) -> None:
        if self.type != "target_utilization":
            raise ScaleSettingsError(
                "scale_settings.type",
                f"only 'target_utilization' autoscales (got {self.type!r}); "
                "a fixed count (type 'default') is min_instances == max_instances here",
            )
        # The documented utilization divides by the current replica count, so at least one.
        _require_int("scale_settings.min_instances", self.min_instances, 1)
        _require_int("scale_settings.max_instances", self.max_instances, 1)
        if self.max_instances < self.min_instances:
            raise ScaleSettingsError(
                "scale_settings.max_instances",
                f"must be >= min_instances ({self.min_instances}) "
                f"(got {self.max_instances}); raise max_instances or lower min_instances",
            )
        _require_int(
            "scale_settings.target_utilization_percentage",
            self.target_utilization_percentage,
            1,
            100,
        )
        _require_int("scale_settings.polling_interval", self.polling_interval, 1)

    @property
    def target_utilization(self) -> float:
        """The target as a fraction (0.7 for 70 %)."""
        return self.target_utilization_percentage / 100

    @classmethod
    def from_v2(cls, data: dict) -> ScaleSettings:
        """From a v2 `scale_settings` mapping; missing keys take the v2 defaults."""
        _check_keys(data, tuple(cls.__dataclass_fields__), "scale_settings")
        return cls(**data)

    def to_v2(self) -> dict:
        return asdict(self)

    @classmethod
    def from_v1(cls, data: dict) -> ScaleSettings:
        """From v1 `AksWebservice` arguments; missing keys take the v1 defaults.

        `autoscale_enabled: false` means a fixed `num_replicas`, which behaves exactly like
        min_instances == max_instances == num_replicas.
        """
        known = ("autoscale_enabled", "num_replicas", *_V1_TO_V2)
        _check_keys(data, known, "v1")
        merged = {**_V1_DEFAULTS, **data}
        enabled = merged.pop("autoscale_enabled", "num_replicas" not in data)
        if not isinstance(enabled, bool):
            raise ScaleSettingsError(
                "v1.autoscale_enabled", f"must be true or false (got {enabled!r})"
            )
        num_replicas = merged.pop("num_replicas", None)
        if enabled:
            if num_replicas is not None:
                raise ScaleSettingsError(
                    "v1.num_replicas",
                    "a fixed count contradicts autoscale_enabled: true; "
                    "remove num_replicas or set autoscale_enabled: false",
                )
        else:
            if num_replicas is None:
                raise ScaleSettingsError(
                    "v1.num_replicas",
                    "required when autoscale_enabled is false; set the fixed replica count",
                )
            _require_int("v1.num_replicas", num_replicas, 1)
            merged["autoscale_min_replicas"] = merged["autoscale_max_replicas"] = num_replicas
        return cls(**{_V1_TO_V2[key]: value for key, value in merged.items()})

    def to_v1(self) -> dict:
        v2 = self.to_v2()
        return {"autoscale_enabled": True, **{v1: v2[field] for v1, field in _V1_TO_V2.items()}}


@dataclass(frozen=True)
class RequestSettings:
    """Scoring request settings, v2 field names.

    Defaults are the documented ones. Source: Learn "CLI (v2) Azure Arc-enabled Kubernetes
    online deployment YAML schema", RequestSettings: request_timeout_ms 5000,
    max_concurrent_requests_per_instance 1 ("do not change unless instructed by Microsoft").
    The schema's max_queue_wait_ms is not modelled: Learn marks it deprecated and says to
    raise request_timeout_ms instead, so the timeout here covers queueing and scoring.
    """

    max_concurrent_requests_per_instance: int = 1
    request_timeout_ms: int = 5000

    def __post_init__(self) -> None:
        _require_int(
            "request_settings.max_concurrent_requests_per_instance",
            self.max_concurrent_requests_per_instance,
            1,
        )
        _require_int("request_settings.request_timeout_ms", self.request_timeout_ms, 1)

    @classmethod
    def from_v2(cls, data: dict) -> RequestSettings:
        _check_keys(data, tuple(cls.__dataclass_fields__), "request_settings")
        return cls(**data)

    def to_v2(self) -> dict:
        return asdict(self)
